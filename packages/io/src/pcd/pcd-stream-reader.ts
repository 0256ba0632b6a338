import { peekTextHeader, type ByteStreamReader } from '../core/byte-stream-reader.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { LzfDecompressor } from './lzf-decompressor.js';
import { PcdAsciiParser } from './pcd-ascii-parser.js';
import { parsePcdHeader, type PcdHeader } from './pcd-header.js';
import { checkCompressedSizes, createColumnSource, decodeWholePcd } from './pcd-reader.js';
import { checkCoordinateFields, createRowSource, PcdRecordDecoder } from './pcd-record-decoder.js';

/** First guess at the header's size; doubled until the `DATA` line is in view. */
const INITIAL_HEADER_BYTES = 4096;
/** Headers are read up to this size (the header parser gives up after 1 MiB); past it the parser reports the missing DATA line. */
const MAXIMUM_HEADER_BYTES = 4 * 2 ** 20;

/**
 * Reads a PCD file from a stream, as `readPcd` reads it whole and with the same result:
 *
 * - `DATA binary`: the records are decoded run by run, in place inside each chunk, into arrays sized for every
 *   point (trimmed, i.e. copied once, at the end when non-finite points were dropped).
 * - `DATA ascii`: each chunk is decoded to text and fed to the line parser (a line cut by a chunk boundary is kept
 *   until its end arrives), the values going run by run into the same arrays.
 * - `DATA binary_compressed`: one LZF block holding each field for the whole cloud in turn (x of every point, then
 *   y, …), so no record is complete before the block ends. The compressed bytes are decompressed chunk by chunk as
 *   they arrive (never held whole), into one buffer of the uncompressed size; the arrays are then decoded from it.
 *   Peak memory: the decompressed block plus the arrays (the file is not held).
 *
 * @throws {PointCloudFormatError} as `readPcd` does, and for a stream that ends before the header's counts.
 */
export async function readPcdStream(reader: ByteStreamReader, fileName: string | undefined): Promise<PointCloud> {
  const header = await readHeader(reader, fileName);
  checkCoordinateFields(header, fileName);
  reader.consume(header.dataByteOffset);
  switch (header.dataKind) {
    case 'ascii':
      return readAsciiBody(reader, header, fileName);
    case 'binary':
      return readBinaryBody(reader, header, fileName);
    default:
      return readCompressedBody(reader, header, fileName);
  }
}

/** Peeks (without consuming) until the header's `DATA` line is in view, and parses it. */
function readHeader(reader: ByteStreamReader, fileName: string | undefined): Promise<PcdHeader> {
  return peekTextHeader(
    reader,
    (lines) => parsePcdHeader(lines, fileName, reader.totalBytes),
    (error) => error instanceof PointCloudFormatError && error.field === 'DATA' && /no DATA line found/.test(error.message),
    INITIAL_HEADER_BYTES,
    MAXIMUM_HEADER_BYTES,
  );
}

async function readBinaryBody(reader: ByteStreamReader, header: PcdHeader, fileName: string | undefined): Promise<PointCloud> {
  const { pointCount, recordSize, dataByteOffset } = header;
  const required = dataByteOffset + pointCount * recordSize;
  // Refuse a count the declared size cannot hold before allocating for it (as readPcd does against the bytes).
  if (required > reader.totalBytes) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: reader.totalBytes,
      field: 'POINTS',
      message: `binary data truncated: ${pointCount} records × ${recordSize} bytes from byte ${dataByteOffset} need ${required} bytes, file has ${reader.totalBytes}`,
    });
  }
  const decoder = new PcdRecordDecoder(header, pointCount, fileName);
  const decoded = await reader.readRecords(recordSize, pointCount, (bytes, _first, count) => {
    decoder.decodeRun(createRowSource(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), header), count);
  });
  if (decoded < pointCount) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: reader.position,
      field: 'POINTS',
      message: `binary data truncated: ${pointCount} records × ${recordSize} bytes from byte ${dataByteOffset} need ${required} bytes, the stream ended within record ${decoded} (byte ${reader.position})`,
    });
  }
  return decoder.finish();
}

async function readAsciiBody(reader: ByteStreamReader, header: PcdHeader, fileName: string | undefined): Promise<PointCloud> {
  PcdAsciiParser.checkBodyLength(header, reader.totalBytes - header.dataByteOffset, fileName);
  const decoder = new PcdRecordDecoder(header, header.pointCount, fileName);
  const parser = new PcdAsciiParser(header, fileName, (source, count) => decoder.decodeRun(source, count));
  // latin1 is one byte per character, so chunks decode independently.
  const text = new TextDecoder('latin1');
  await reader.readRest((bytes) => parser.push(text.decode(bytes)));
  parser.finish();
  return decoder.finish();
}

async function readCompressedBody(reader: ByteStreamReader, header: PcdHeader, fileName: string | undefined): Promise<PointCloud> {
  const { compressedSize, uncompressedSize } = checkCompressedSizes(await reader.peek(8), header, reader.totalBytes, fileName);
  reader.consume(8);
  const compressedStart = header.dataByteOffset + 8;
  const decompressor = new LzfDecompressor(uncompressedSize, { format: 'pcd', fileName, byteOffset: compressedStart });
  // Runs of one-byte records are the chunks as they arrive, handed out in place.
  const received = await reader.readRecords(1, compressedSize, (bytes) => decompressor.push(bytes));
  if (received < compressedSize) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: reader.position,
      message: `binary_compressed data truncated: header declares ${compressedSize} compressed bytes, the stream ended after ${received}`,
    });
  }
  return decodeWholePcd(createColumnSource(decompressor.finish(), header), header, fileName);
}
