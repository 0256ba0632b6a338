import type { PointCloud } from '../core/point-cloud.js';
import { resolveChunkBytes, type ChunkedFile, type ChunkedWriteOptions } from '../core/chunked-file.js';
import { ArithmeticEncoder } from './laszip-arithmetic-encoder.js';
import { IntegerCompressor } from './laszip-integer-compressor.js';
import { Point14Compressor, POINT14_BYTES } from './laszip-point14-compressor.js';
import { Byte14Compressor, Rgb14Compressor, RGB14_BYTES } from './laszip-rgb-byte-compressors.js';
import { LAS_POINT_RECORD_SIZES } from './las-header.js';
import { VLR_HEADER_BYTES } from './las-extra-bytes.js';
import { planLas, type WriteLasOptions } from './las-writer.js';
import { LASZIP_ITEM_TYPES, LASZIP_RECORD_ID, LASZIP_USER_ID } from './laszip-layout.js';

/** Points per LASzip chunk: 50,000, LASzip's default (each chunk restarts the coders and begins with a raw record). */
export const LASZIP_CHUNK_POINTS = 50_000;

/** LASzip compressor 3: layered chunked (LAS 1.4, point formats 6–10). */
const LAYERED_CHUNKED_COMPRESSOR = 3;

/**
 * Compresses `pointCount` LAS 1.4 point records of format 6 or 7 (`recordLength` bytes each, extra bytes after the
 * standard fields) into one LASzip layered chunk (compressor 3, items POINT14 v3, RGB14 v3 for format 7 and BYTE14 v3
 * for the extra bytes): the first record raw, the point count, every layer's byte size, then the layers.
 */
export function compressLaszipChunk(records: Uint8Array, pointCount: number, recordLength: number, pointFormat: 6 | 7): Uint8Array {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const standardLength = LAS_POINT_RECORD_SIZES[pointFormat];
  const extraByteCount = recordLength - standardLength;
  const point = new Point14Compressor(view, 0);
  const color = pointFormat === 7 ? new Rgb14Compressor(view, POINT14_BYTES, point.context) : undefined;
  const extra = extraByteCount > 0 ? new Byte14Compressor(extraByteCount, records, standardLength, point.context) : undefined;
  for (let index = 1, offset = recordLength; index < pointCount; index++, offset += recordLength) {
    point.compress(view, offset);
    color?.compress(view, offset + POINT14_BYTES, point.context);
    extra?.compress(records, offset + standardLength, point.context);
  }
  const layers = [...point.finish(), ...(color ? [color.finish()] : []), ...(extra ? extra.finish() : [])];
  const sizesOffset = recordLength + 4;
  const chunk = new Uint8Array(sizesOffset + layers.length * 4 + layers.reduce((sum, layer) => sum + layer.length, 0));
  const chunkView = new DataView(chunk.buffer);
  chunk.set(records.subarray(0, recordLength));
  chunkView.setUint32(recordLength, pointCount, true);
  let offset = sizesOffset + layers.length * 4;
  layers.forEach((layer, index) => {
    chunkView.setUint32(sizesOffset + index * 4, layer.length, true);
    chunk.set(layer, offset);
    offset += layer.length;
  });
  return chunk;
}

/** The LASzip chunk table: version 0, the chunk count, then every chunk's byte size coded against the one before. */
function writeChunkTable(chunkByteCounts: number[]): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(4, chunkByteCounts.length, true);
  if (chunkByteCounts.length === 0) return head;
  const encoder = new ArithmeticEncoder();
  const compressor = new IntegerCompressor(32, 2);
  let previous = 0;
  for (const byteCount of chunkByteCounts) {
    compressor.compress(encoder, previous, byteCount, 1);
    previous = byteCount;
  }
  const body = encoder.finish();
  const table = new Uint8Array(8 + body.length);
  table.set(head);
  table.set(body, 8);
  return table;
}

/** The LASzip VLR ({@link LASZIP_USER_ID}, {@link LASZIP_RECORD_ID}) describing the items of a format 6 / 7 record. */
function writeLaszipVlr(pointFormat: 6 | 7, extraByteCount: number): Uint8Array {
  const items: [type: number, size: number][] = [[LASZIP_ITEM_TYPES.point14, POINT14_BYTES]];
  if (pointFormat === 7) items.push([LASZIP_ITEM_TYPES.rgb14, RGB14_BYTES]);
  if (extraByteCount > 0) items.push([LASZIP_ITEM_TYPES.byte14, extraByteCount]);
  const payloadLength = 34 + items.length * 6;
  const vlr = new Uint8Array(VLR_HEADER_BYTES + payloadLength);
  const view = new DataView(vlr.buffer);
  const encoder = new TextEncoder();
  vlr.set(encoder.encode(LASZIP_USER_ID), 2);
  view.setUint16(18, LASZIP_RECORD_ID, true);
  view.setUint16(20, payloadLength, true);
  vlr.set(encoder.encode('LASzip layered chunked, v3 items'), 22);
  const payload = VLR_HEADER_BYTES;
  view.setUint16(payload, LAYERED_CHUNKED_COMPRESSOR, true);
  view.setUint16(payload + 2, 0, true); // coder 0: arithmetic
  vlr[payload + 4] = 3; // LASzip version 3.4 r3, the first with layered compression of every item written here
  vlr[payload + 5] = 4;
  view.setUint16(payload + 6, 3, true);
  view.setUint32(payload + 8, 0, true); // options
  view.setUint32(payload + 12, LASZIP_CHUNK_POINTS, true);
  view.setBigInt64(payload + 16, -1n, true); // no special EVLRs
  view.setBigInt64(payload + 24, -1n, true);
  view.setUint16(payload + 32, items.length, true);
  items.forEach(([type, size], index) => {
    view.setUint16(payload + 34 + index * 6, type, true);
    view.setUint16(payload + 36 + index * 6, size, true);
    view.setUint16(payload + 38 + index * 6, 3, true); // item version 3
  });
  return vlr;
}

/** A compressed LAZ file: header and VLRs with the chunk-table offset after them, the chunks, the chunk table. */
interface LazParts {
  head: Uint8Array;
  chunks: Uint8Array[];
  chunkTable: Uint8Array;
  byteLength: number;
}

function compressLaz(cloud: PointCloud, options: WriteLasOptions): LazParts {
  const plan = planLas(cloud, options, 'laz');
  const { prefix, recordLength, pointFormat } = plan;
  const laszipVlr = writeLaszipVlr(pointFormat, recordLength - LAS_POINT_RECORD_SIZES[pointFormat]);
  const pointDataOffset = prefix.length + laszipVlr.length;
  const head = new Uint8Array(pointDataOffset + 8);
  const headView = new DataView(head.buffer);
  head.set(prefix);
  head.set(laszipVlr, prefix.length);
  headView.setUint32(96, pointDataOffset, true);
  headView.setUint32(100, headView.getUint32(100, true) + 1, true);
  head[104] = pointFormat | 0x80; // LASzip marks compressed records with bit 7 of the format byte

  // Records are made one LASzip chunk at a time into one scratch buffer: never the whole uncompressed file.
  const pointCount = cloud.pointCount;
  const scratch = new Uint8Array(Math.min(pointCount, LASZIP_CHUNK_POINTS) * recordLength);
  const chunks: Uint8Array[] = [];
  for (let first = 0; first < pointCount; first += LASZIP_CHUNK_POINTS) {
    const end = Math.min(pointCount, first + LASZIP_CHUNK_POINTS);
    plan.writeRecords(first, end, scratch);
    chunks.push(compressLaszipChunk(scratch, end - first, recordLength, pointFormat));
  }
  const chunkTable = writeChunkTable(chunks.map((chunk) => chunk.length));
  const chunkTableOffset = head.length + chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  headView.setBigInt64(pointDataOffset, BigInt(chunkTableOffset), true);
  return { head, chunks, chunkTable, byteLength: chunkTableOffset + chunkTable.length };
}

/**
 * Writes `cloud` as a LAZ file: the LAS 1.4 point format 6 / 7 records {@link writeLas} writes (same header fields,
 * extra bytes `instance` and attributes included), compressed by LASzip's layered chunked compression (compressor 3:
 * POINT14 v3, RGB14 v3, BYTE14 v3 items) in chunks of {@link LASZIP_CHUNK_POINTS} points, the chunk table at the end
 * and its offset in the 8 bytes after the VLRs. Decompressed by LASzip, laz-perf or laz-rs, the records are byte for
 * byte those of `writeLas`; {@link readLas} reads the file back.
 *
 * @throws {PointCloudFormatError} (format `'laz'`) for the same inputs and with the same fields and messages as
 *   `writeLas`.
 */
export function writeLaz(cloud: PointCloud, options: WriteLasOptions = {}): Uint8Array {
  const parts = compressLaz(cloud, options);
  const output = new Uint8Array(parts.byteLength);
  let offset = 0;
  for (const part of [parts.head, ...parts.chunks, parts.chunkTable]) {
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}

/**
 * {@link writeLaz} in pieces of `options.chunkBytes` bytes (the last one shorter), byte for byte the file `writeLaz`
 * writes. The points are compressed when this is called — the header's chunk-table offset needs every chunk's size,
 * and laz-perf cannot read the offset LASzip writers may leave at the end instead — so the compressed file is held in
 * memory (its LASzip chunks), never the uncompressed records. Every check runs before this returns.
 */
export function writeLazChunks(cloud: PointCloud, options: WriteLasOptions & ChunkedWriteOptions = {}): ChunkedFile {
  const chunkBytes = resolveChunkBytes('laz', options);
  const parts = compressLaz(cloud, options);
  return {
    byteLength: parts.byteLength,
    *chunks() {
      let piece = new Uint8Array(Math.min(chunkBytes, parts.byteLength));
      let filled = 0;
      for (const part of [parts.head, ...parts.chunks, parts.chunkTable]) {
        for (let offset = 0; offset < part.length; ) {
          const count = Math.min(piece.length - filled, part.length - offset);
          piece.set(part.subarray(offset, offset + count), filled);
          filled += count;
          offset += count;
          if (filled === piece.length) {
            yield piece;
            piece = new Uint8Array(Math.min(chunkBytes, parts.byteLength));
            filled = 0;
          }
        }
      }
      if (filled > 0) yield piece.slice(0, filled);
    },
  };
}
