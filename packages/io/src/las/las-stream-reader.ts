import type { ByteStreamReader } from '../core/byte-stream-reader.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { parseExtraBytesFields } from './las-extra-bytes.js';
import { parseLasHeader } from './las-header.js';
import type { LasPointCloud } from './las-point-cloud.js';
import { LasPointDecoder } from './las-point-decoder.js';
import { readLas } from './las-reader.js';
import { readLayeredLazStream } from './laz-stream-reader.js';

/** Bytes of the largest public header (LAS 1.4); the offset to the point data sits at byte 96 of every version. */
const LARGEST_HEADER_BYTES = 375;

/**
 * Reads a LAS file from a stream: the header and VLRs (up to the point data) are buffered and parsed as
 * {@link readLas} does, then the point records are decoded run by run, as the chunks arrive, into the final
 * arrays. Layered LAZ (LAS 1.4 formats 6–8, what `writeLaz` writes) is decoded one LASzip chunk at a time
 * ({@link readLayeredLazStream}); other LAZ, whose chunk sizes only the chunk table at the end of the file gives, is
 * collected into one array and read by {@link readLas} (a `Blob` or file handle reads it chunk by chunk instead).
 *
 * @throws {PointCloudFormatError} for the errors {@link readLas} reports, a stream that ends before the last
 *   record included.
 */
export async function readLasStream(reader: ByteStreamReader, fileName: string | undefined): Promise<LasPointCloud> {
  const start = await reader.peek(LARGEST_HEADER_BYTES);
  const claimedDataOffset = start.length >= 100 ? new DataView(start.buffer, start.byteOffset, start.length).getUint32(96, true) : 0;
  // A claimed offset past the declared size makes the header parser fail as it does on the whole file.
  // LAZ: up to the chunk-table pointer after the VLRs.
  const prefix = await reader.peek(Math.max(start.length, Math.min(claimedDataOffset + 8, reader.totalBytes)));
  const header = parseLasHeader(prefix, fileName);
  if (header.compressed) {
    const layered = await readLayeredLazStream(reader, header, prefix, fileName);
    if (layered !== undefined) return layered;
    // Nothing is consumed yet, so the collected bytes are the whole file.
    return readLas(await reader.readAll(), { fileName });
  }
  const fields = parseExtraBytesFields(prefix, header, fileName);
  reader.consume(header.pointDataOffset);
  const { pointCount, pointRecordLength, pointDataOffset } = header;
  // Refuse a count the declared size cannot hold before allocating for it (as readLas does against the bytes).
  if (pointDataOffset + pointCount * pointRecordLength > reader.totalBytes) {
    throw new PointCloudFormatError({
      format: 'las',
      fileName,
      byteOffset: reader.totalBytes,
      field: 'pointCount',
      message: `point data truncated: ${pointCount} records × ${pointRecordLength} bytes from byte ${pointDataOffset} need ${pointDataOffset + pointCount * pointRecordLength} bytes, file has ${reader.totalBytes}`,
    });
  }
  const decoder = new LasPointDecoder(header, fields, fileName, (pointIndex) => pointDataOffset + pointIndex * pointRecordLength);
  const decoded = await reader.readRecords(pointRecordLength, pointCount, (bytes, _first, count) => {
    decoder.decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, count);
  });
  if (decoded < pointCount) {
    const required = pointDataOffset + pointCount * pointRecordLength;
    throw new PointCloudFormatError({
      format: 'las',
      fileName,
      byteOffset: reader.position,
      field: 'pointCount',
      message: `point data truncated: ${pointCount} records × ${pointRecordLength} bytes from byte ${pointDataOffset} need ${required} bytes, the stream ended within record ${decoded} (byte ${reader.position}..${reader.position + pointRecordLength})`,
    });
  }
  return decoder.finish();
}
