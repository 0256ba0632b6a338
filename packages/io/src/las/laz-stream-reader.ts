import type { ByteStreamReader } from '../core/byte-stream-reader.js';
import { allocateArray } from '../core/point-cloud-allocation.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { parseExtraBytesFields } from './las-extra-bytes.js';
import type { LasHeader } from './las-header.js';
import type { LasPointCloud } from './las-point-cloud.js';
import { LasPointDecoder } from './las-point-decoder.js';
import { usesLazPerf } from './las-reader.js';
import { layeredChunkByteLength, parseLaszipVlr, pointCountFieldOffset, VARIABLE_CHUNK_SIZE } from './laszip-layout.js';
import { LaszipChunkDecoder } from './laz-chunk-reader.js';

/** Bytes of the chunk table's head (version, chunk count), the least that follows the last chunk. */
const CHUNK_TABLE_HEAD_BYTES = 8;

/**
 * Reads a layered LAZ file (LAS 1.4 point formats 6–8, LASzip compressor 3 with fixed-size chunks: what `writeLaz`
 * writes) from a plain stream, one LASzip chunk at a time. A layered chunk describes itself (its raw first record,
 * its point count, the byte size of each layer), so its end is known without the chunk table at the end of the file:
 * the chunk is collected (one chunk of compressed bytes), decoded by laz-perf's `ChunkDecoder` into the final arrays,
 * and dropped. Point-wise chunks (compressor 2, LAS ≤ 1.3) do not state their sizes — only the chunk table does — so
 * they are left to a random-access source (`readPointCloudBlob`) or to a whole-file read.
 *
 * @param reader - The stream, at byte 0 (nothing consumed).
 * @param prefix - The file's bytes up to at least the point data plus 8 (the chunk-table pointer), when present.
 * @returns The cloud (equal to `readLas` on the whole file), or `undefined` when the file is not layered LAZ.
 * @throws {PointCloudFormatError} (format `'laz'`) for a damaged VLR or chunk, a failing decoder or a stream that ends
 *   within a chunk.
 */
export async function readLayeredLazStream(reader: ByteStreamReader, header: LasHeader, prefix: Uint8Array, fileName: string | undefined): Promise<LasPointCloud | undefined> {
  if (!usesLazPerf(header)) return undefined;
  const vlr = parseLaszipVlr(prefix, header, fileName);
  const { layerCount, chunkSizeField } = vlr;
  if (vlr.compressor !== 3 || layerCount === undefined || chunkSizeField === VARIABLE_CHUNK_SIZE || chunkSizeField === 0) return undefined;
  const fields = parseExtraBytesFields(prefix, header, fileName);
  const { pointDataOffset, pointRecordLength: recordLength, pointCount } = header;
  const fail = (message: string, byteOffset: number, field: string): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, field, message });
  };
  const firstChunk = pointDataOffset + 8;
  const chunkHeadBytes = recordLength + 4 + layerCount * 4;
  const pointsEnd = reader.totalBytes - CHUNK_TABLE_HEAD_BYTES;
  // Refuse, before allocating, a count the declared size cannot hold: each chunk holds at most chunkSizeField points
  // and takes at least its head.
  const maximumPoints = Math.max(0, Math.floor((pointsEnd - firstChunk) / chunkHeadBytes)) * chunkSizeField;
  if (pointCount > maximumPoints) {
    fail(`header claims ${pointCount} points, but ${pointsEnd - firstChunk} bytes of layered chunks of at most ${chunkSizeField} points (heads of ${chunkHeadBytes} bytes) hold at most ${maximumPoints}`, pointCountFieldOffset(header), 'pointCount');
  }
  if (reader.position !== 0) throw new RangeError('readLayeredLazStream: the stream must be at its start');
  reader.consume(firstChunk);
  const decoder = new LasPointDecoder(header, fields, fileName, () => undefined);
  const chunkDecoder = await LaszipChunkDecoder.create(header.pointFormat, recordLength, fileName, firstChunk);
  try {
    for (let done = 0, chunk = 0; done < pointCount; chunk++) {
      const chunkStart = reader.position;
      const head = await reader.peek(chunkHeadBytes);
      if (head.length < chunkHeadBytes) fail(`the stream ended within the head of layered chunk ${chunk} (bytes ${chunkStart}..${chunkStart + chunkHeadBytes}), ${pointCount - done} points still to come`, chunkStart + head.length, 'chunk');
      const view = new DataView(head.buffer, head.byteOffset, head.length);
      const count = view.getUint32(recordLength, true);
      if (count < 1 || count > chunkSizeField) fail(`layered chunk ${chunk} claims ${count} points, expected 1..${chunkSizeField}`, chunkStart + recordLength, 'chunk point count');
      const chunkBytes = layeredChunkByteLength(view, 0, recordLength, layerCount);
      if (chunkStart + chunkBytes > pointsEnd) fail(`layered chunk ${chunk}'s layers run to byte ${chunkStart + chunkBytes}, past the chunk table's place at the end of the ${reader.totalBytes}-byte file`, chunkStart + recordLength + 4, 'chunk layer sizes');
      const bytes = allocateArray(Uint8Array, chunkBytes, { format: 'laz', fileName, field: 'chunk' });
      const received = await reader.readInto(bytes);
      if (received < chunkBytes) fail(`the stream ended within layered chunk ${chunk} (bytes ${chunkStart}..${chunkStart + chunkBytes})`, chunkStart + received, 'chunk');
      const take = Math.min(count, pointCount - done);
      chunkDecoder.decode(bytes, take, chunkStart, decoder);
      done += take;
    }
  } finally {
    chunkDecoder.close();
  }
  return decoder.finish();
}
