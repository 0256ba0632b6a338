import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { LasHeader } from './las-header.js';
import { VLR_HEADER_BYTES } from './las-extra-bytes.js';

/**
 * Largest ratio of uncompressed point bytes to compressed point bytes a LAZ file may claim: 50.
 *
 * LASzip compresses real scans 4–20× (its paper reports LAZ files at 7–20 % of the LAS size; the two LAZ fixtures
 * here are 5.1× and 3.8×). Its arithmetic coder could in theory go far beyond (a cloud of identical points), but a
 * header that claims more than 50× is taken as damaged: decompressing it would run the decoder over points that
 * the bytes cannot hold. This bounds the decoder's work to 50 × the compressed bytes. Layered (LAS 1.4) files with
 * fixed-size chunks, whose chunks state their own point counts, are bounded by those counts instead: a cloud of
 * identical points, legitimately compressed far beyond 50× (`writeLaz` does), is then still read.
 */
export const LAZ_MAXIMUM_COMPRESSION_RATIO = 50;

/** User id of the LASzip VLR. */
export const LASZIP_USER_ID = 'laszip encoded';
/** Record id of the LASzip VLR, user id {@link LASZIP_USER_ID}. */
export const LASZIP_RECORD_ID = 22204;
/** LASzip item types (LASzip's `LASitem::Type`) of LAS 1.4 layered compression. */
export const LASZIP_ITEM_TYPES = { point14: 10, rgb14: 11, rgbNir14: 12, wavePacket14: 13, byte14: 14 } as const;

/**
 * Layers per chunk of each LASzip item type in layered (LAS 1.4) compression: POINT14 9, RGB14 1, RGBNIR14 2,
 * WAVEPACKET14 1, BYTE14 one per byte.
 */
const LAYERED_ITEM_LAYERS: Readonly<Record<number, number | 'bytes'>> = {
  [LASZIP_ITEM_TYPES.point14]: 9,
  [LASZIP_ITEM_TYPES.rgb14]: 1,
  [LASZIP_ITEM_TYPES.rgbNir14]: 2,
  [LASZIP_ITEM_TYPES.wavePacket14]: 1,
  [LASZIP_ITEM_TYPES.byte14]: 'bytes',
};

/** Byte offset of the header's point count: the 64-bit count of LAS 1.4 (byte 247), else the legacy 32-bit one (107). */
export function pointCountFieldOffset(header: LasHeader): number {
  return header.version[1] >= 4 ? 247 : 107;
}

/**
 * Refuses a header whose points would decompress to more than {@link LAZ_MAXIMUM_COMPRESSION_RATIO} × the compressed
 * bytes present, so the decoder's work stays bounded by the file's size.
 * @throws through `fail` (field `pointCount`).
 */
export function checkLazCompressionRatio(
  header: LasHeader,
  compressedByteCount: number,
  fail: (message: string, byteOffset: number, field: string) => never,
): void {
  const { pointCount, pointRecordLength } = header;
  const claimedBytes = pointCount * pointRecordLength;
  if (claimedBytes > compressedByteCount * LAZ_MAXIMUM_COMPRESSION_RATIO) {
    fail(
      `header claims ${pointCount} points of ${pointRecordLength} bytes (${claimedBytes} bytes), more than ${LAZ_MAXIMUM_COMPRESSION_RATIO} × the ${compressedByteCount} compressed bytes present`,
      pointCountFieldOffset(header),
      'pointCount',
    );
  }
}

/**
 * Bytes of the layered (LAS 1.4) chunk that starts at `offset` of `view`: its raw record, its point count, its
 * `layerCount` layer sizes and the layers they give. The caller has checked that the head (record, count, sizes) is
 * inside `view`.
 */
export function layeredChunkByteLength(view: DataView, offset: number, recordLength: number, layerCount: number): number {
  const sizesOffset = offset + recordLength + 4;
  let byteLength = recordLength + 4 + layerCount * 4;
  for (let layer = 0; layer < layerCount; layer++) byteLength += view.getUint32(sizesOffset + layer * 4, true);
  return byteLength;
}

/**
 * Walks the layered chunks between `start` and the chunk table: each is a raw record, its point count (at most
 * `chunkSize`, at least 1), `layerCount` layer sizes and the layers. Returns the points they hold.
 *
 * @throws through `fail` when a chunk runs past the chunk table, claims 0 or more than `chunkSize` points, or the
 *   chunks found are not the `chunkCount` the table lists.
 */
function countLayeredChunkPoints(
  view: DataView,
  start: number,
  end: number,
  recordLength: number,
  layerCount: number,
  chunkSize: number,
  chunkCount: number,
  fail: (message: string, byteOffset: number, field: string) => never,
): number {
  let points = 0;
  let chunks = 0;
  for (let offset = start; offset < end; chunks++) {
    const sizesOffset = offset + recordLength + 4;
    if (chunks >= chunkCount || sizesOffset + layerCount * 4 > end) {
      fail(`layered chunk ${chunks} at byte ${offset} runs past the chunk table at ${end} (the table lists ${chunkCount} chunks)`, offset, 'chunk');
    }
    const count = view.getUint32(offset + recordLength, true);
    if (count < 1 || count > chunkSize) fail(`layered chunk ${chunks} claims ${count} points, expected 1..${chunkSize}`, offset + recordLength, 'chunk point count');
    const next = offset + layeredChunkByteLength(view, offset, recordLength, layerCount);
    if (next > end) fail(`layered chunk ${chunks}'s layers run to byte ${next}, past the chunk table at ${end}`, sizesOffset, 'chunk layer sizes');
    points += count;
    offset = next;
  }
  if (chunks !== chunkCount) fail(`the chunk table lists ${chunkCount} chunks, the point data holds ${chunks} layered chunks`, end + 4, 'chunkCount');
  return points;
}

/** What the LASzip VLR and chunk table say about the compressed points of a LAZ file. */
export interface LaszipLayout {
  /** Compressor: 1 point-wise (no chunks), 2 point-wise chunked, 3 layered chunked (LAS 1.4). */
  compressor: number;
  /** Points per chunk; `undefined` when every chunk lists its own count (variable chunks) or there are no chunks. */
  chunkSize?: number;
  /** Chunks listed in the chunk table (0 for compressor 1). */
  chunkCount: number;
  /** Bytes of compressed point data (between the chunk-table pointer and the chunk table). */
  compressedByteCount: number;
}

/** What the LASzip VLR says about the compression of a LAZ file. */
export interface LaszipVlr {
  /** Compressor: 1 point-wise (no chunks), 2 point-wise chunked, 3 layered chunked (LAS 1.4). */
  compressor: number;
  /** The chunk size field: points per chunk, or 0xffffffff when every chunk lists its own count. */
  chunkSizeField: number;
  /** Layers per chunk of layered compression; `undefined` when an item's layers are unknown. */
  layerCount: number | undefined;
  /** File offset of the VLR's payload (its compressor field). */
  laszipOffset: number;
}

/** Chunk size of a LASzip VLR whose chunks each list their own point count (COPC and some writers). */
export const VARIABLE_CHUNK_SIZE = 0xffffffff;

/**
 * Finds and checks the LASzip VLR among the VLRs of `bytes` (the file, or its start up to the point data): the VLRs fit
 * before the point data, the VLR exists, its items add up to the point record length, and its compressor is known.
 * @throws {@link PointCloudFormatError} (format `'laz'`) naming the field.
 */
export function parseLaszipVlr(bytes: Uint8Array, header: LasHeader, fileName?: string): LaszipVlr {
  const fail = (message: string, byteOffset: number, field: string): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, field, message });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { headerSize, pointDataOffset, pointRecordLength, variableLengthRecordCount } = header;

  // Walk the VLRs; a count whose records cannot fit before the point data is refused before looping over it.
  const maximumVlrCount = Math.floor((pointDataOffset - headerSize) / VLR_HEADER_BYTES);
  if (variableLengthRecordCount > maximumVlrCount) {
    fail(
      `${variableLengthRecordCount} variable-length records claimed, but the ${pointDataOffset - headerSize} bytes between the header and the point data hold at most ${maximumVlrCount}`,
      100,
      'variableLengthRecordCount',
    );
  }
  let laszipOffset = -1;
  let laszipLength = 0;
  for (let index = 0, offset = headerSize; index < variableLengthRecordCount; index++) {
    if (offset + VLR_HEADER_BYTES > pointDataOffset) {
      fail(`variable-length record ${index} starts at byte ${offset}, past the point data at ${pointDataOffset}`, offset, 'variableLengthRecordCount');
    }
    const recordLength = view.getUint16(offset + 20, true);
    const userId = new TextDecoder('latin1').decode(bytes.subarray(offset + 2, offset + 18)).replace(/\0.*$/s, '');
    if (userId === LASZIP_USER_ID && view.getUint16(offset + 18, true) === LASZIP_RECORD_ID) {
      laszipOffset = offset + VLR_HEADER_BYTES;
      laszipLength = recordLength;
    }
    offset += VLR_HEADER_BYTES + recordLength;
    if (offset > pointDataOffset) {
      fail(`variable-length record ${index} of ${recordLength} bytes runs to byte ${offset}, past the point data at ${pointDataOffset}`, offset - recordLength - 34, 'recordLengthAfterHeader');
    }
  }
  if (laszipOffset < 0) fail(`compressed point format but no LASzip VLR ('${LASZIP_USER_ID}', record ${LASZIP_RECORD_ID})`, headerSize, 'laszip');
  if (laszipLength < 34) fail(`LASzip VLR of ${laszipLength} bytes, expected at least 34`, laszipOffset, 'laszip');
  const compressor = view.getUint16(laszipOffset, true);
  const chunkSizeField = view.getUint32(laszipOffset + 12, true);
  const itemCount = view.getUint16(laszipOffset + 32, true);
  if (34 + itemCount * 6 > laszipLength) {
    fail(`LASzip VLR lists ${itemCount} items (${34 + itemCount * 6} bytes) in ${laszipLength} bytes`, laszipOffset + 32, 'laszip items');
  }
  let itemBytes = 0;
  // Layers per chunk of LAS 1.4 layered compression, from the items; undefined when an item's layers are unknown.
  let layerCount: number | undefined = 0;
  for (let item = 0; item < itemCount; item++) {
    const itemOffset = laszipOffset + 34 + item * 6;
    const size = view.getUint16(itemOffset + 2, true);
    itemBytes += size;
    const layers = LAYERED_ITEM_LAYERS[view.getUint16(itemOffset, true)];
    const version = view.getUint16(itemOffset + 4, true);
    layerCount = layerCount === undefined || layers === undefined || (version !== 3 && version !== 4) ? undefined : layerCount + (layers === 'bytes' ? size : layers);
  }
  if (itemBytes !== pointRecordLength) {
    fail(`LASzip items add up to ${itemBytes} bytes per point, the header's point record length is ${pointRecordLength}`, laszipOffset + 34, 'laszip items');
  }
  if (compressor < 1 || compressor > 3) fail(`unknown LASzip compressor ${compressor} (expected 1, 2 or 3)`, laszipOffset, 'compressor');

  return { compressor, chunkSizeField, layerCount, laszipOffset };
}

/**
 * Checks, before any decompression, that the header's point count can come out of the compressed bytes present:
 * the LASzip VLR exists within the VLR area and its item sizes add up to the point record length; the chunk table
 * lies inside the file; every chunk starts with one raw record (so `chunkCount × pointRecordLength` fits the
 * compressed bytes); with fixed-size chunks, `pointCount ≤ chunkCount × chunkSize`; and
 * `pointCount × pointRecordLength ≤ compressed bytes × {@link LAZ_MAXIMUM_COMPRESSION_RATIO}` — except for layered
 * (LAS 1.4, compressor 3) fixed-size chunks, which are walked one by one instead (each chunk's raw record, point
 * count ≤ chunk size and layer sizes must tile the bytes up to the chunk table) and must hold the header's count.
 *
 * @param bytes - The whole LAZ file.
 * @param header - Its parsed public header (`compressed` set).
 * @param fileName - File name, for errors.
 * @throws {@link PointCloudFormatError} (format `'laz'`) naming the field and both numbers when a claim cannot fit.
 */
export function checkLaszipLayout(bytes: Uint8Array, header: LasHeader, fileName?: string): LaszipLayout {
  const fail = (message: string, byteOffset: number, field: string): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, field, message });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { pointDataOffset, pointRecordLength, pointCount } = header;
  const { compressor, chunkSizeField, layerCount, laszipOffset } = parseLaszipVlr(bytes, header, fileName);
  let compressedByteCount = bytes.length - pointDataOffset;
  let chunkCount = 0;
  let chunkSize: number | undefined;
  if (compressor !== 1) {
    if (pointDataOffset + 8 > bytes.length) fail('the chunk-table pointer (8 bytes) is missing after the VLRs', pointDataOffset, 'chunkTableOffset');
    let chunkTableOffset = Number(view.getBigInt64(pointDataOffset, true));
    // A writer that could not seek back stores -1 here and the offset in the file's last 8 bytes.
    if (chunkTableOffset === -1 && bytes.length >= pointDataOffset + 16) chunkTableOffset = Number(view.getBigInt64(bytes.length - 8, true));
    if (!(chunkTableOffset >= pointDataOffset + 8 && chunkTableOffset + 8 <= bytes.length)) {
      fail(`chunk table at byte ${chunkTableOffset} is outside ${pointDataOffset + 8}..${bytes.length - 8}`, pointDataOffset, 'chunkTableOffset');
    }
    chunkCount = view.getUint32(chunkTableOffset + 4, true);
    compressedByteCount = chunkTableOffset - pointDataOffset - 8;
    // Every chunk begins with its first record stored raw.
    if (chunkCount * pointRecordLength > compressedByteCount) {
      fail(
        `${chunkCount} chunks claimed, each starting with a raw ${pointRecordLength}-byte record, but only ${compressedByteCount} compressed bytes are present`,
        chunkTableOffset + 4,
        'chunkCount',
      );
    }
    if (chunkSizeField === 0) fail('LASzip chunk size 0', laszipOffset + 12, 'chunkSize');
    if (chunkSizeField !== VARIABLE_CHUNK_SIZE) {
      chunkSize = chunkSizeField;
      if (pointCount > chunkCount * chunkSize) {
        fail(
          `header claims ${pointCount} points, but the chunk table's ${chunkCount} chunks of ${chunkSize} points hold at most ${chunkCount * chunkSize}`,
          pointCountFieldOffset(header),
          'pointCount',
        );
      }
      if (compressor === 3 && layerCount !== undefined) {
        // Layered chunks describe themselves (raw record, point count, layer sizes, layers), so the count is checked
        // chunk by chunk instead of by a compression ratio, which very regular clouds exceed legitimately.
        const heldPoints = countLayeredChunkPoints(view, pointDataOffset + 8, chunkTableOffset, pointRecordLength, layerCount, chunkSize, chunkCount, fail);
        if (pointCount > heldPoints) {
          fail(`header claims ${pointCount} points, but its ${chunkCount} layered chunks hold ${heldPoints}`, pointCountFieldOffset(header), 'pointCount');
        }
        return { compressor, chunkSize, chunkCount, compressedByteCount };
      }
    }
  }
  checkLazCompressionRatio(header, compressedByteCount, fail);
  return { compressor, chunkSize, chunkCount, compressedByteCount };
}
