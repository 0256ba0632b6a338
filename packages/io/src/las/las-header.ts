import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** The public header block of a LAS / LAZ file (ASPRS LAS 1.0–1.4). */
export interface LasHeader {
  /** Version, e.g. `[1, 2]`. */
  version: [number, number];
  /** System identifier (the instrument or process that made the points). */
  systemIdentifier: string;
  /** Generating software. */
  generatingSoftware: string;
  /** Size of this header in bytes. */
  headerSize: number;
  /** Byte offset of the first point record (or of the LAZ chunk table's data). */
  pointDataOffset: number;
  /** Number of variable-length records after the header. */
  variableLengthRecordCount: number;
  /** Point data record format 0–10, compression bits removed. */
  pointFormat: number;
  /** Whether the point records are LASzip-compressed (bit 7 or 6 of the format byte). */
  compressed: boolean;
  /** Bytes of one (uncompressed) point record, including extra bytes. */
  pointRecordLength: number;
  /** Number of point records (the 64-bit count of LAS 1.4 when set, else the legacy 32-bit count). */
  pointCount: number;
  /** Scale factors x y z: coordinate = integer × scale + offset (metres or the CRS unit). */
  scale: [number, number, number];
  /** Offsets x y z added after scaling. */
  offset: [number, number, number];
  /** Minimum x y z of the points, from the header. */
  minimum: [number, number, number];
  /** Maximum x y z of the points, from the header. */
  maximum: [number, number, number];
}

/** Bytes of a point record of each format without extra bytes (LAS 1.4 R15, table 7–17). */
export const LAS_POINT_RECORD_SIZES = [20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67] as const;

/**
 * Parses and validates the public header block of a LAS or LAZ file.
 *
 * @param bytes - The whole file (or at least its header).
 * @param fileName - File name, for errors.
 * @throws {@link PointCloudFormatError} (format `'las'`, or `'laz'` for compressed files) for a
 *   wrong signature, an unsupported version or point format, inconsistent sizes, non-positive
 *   scales, or bounds that are not finite.
 */
export function parseLasHeader(bytes: Uint8Array, fileName?: string): LasHeader {
  const fail = (message: string, byteOffset: number, field: string, format = 'las'): never => {
    throw new PointCloudFormatError({ format, fileName, byteOffset, field, message });
  };
  if (bytes.length < 4 || bytes[0] !== 0x4c || bytes[1] !== 0x41 || bytes[2] !== 0x53 || bytes[3] !== 0x46) {
    fail("wrong file signature: expected 'LASF'", 0, 'signature');
  }
  if (bytes.length < 227) fail(`truncated header: ${bytes.length} bytes, a LAS header needs at least 227`, bytes.length, 'header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const readText = (offset: number, length: number): string => latin1.decode(bytes.subarray(offset, offset + length)).replace(/\0.*$/s, '').trim();
  const version: [number, number] = [bytes[24], bytes[25]];
  if (version[0] !== 1 || version[1] > 4) fail(`unsupported version ${version[0]}.${version[1]} (expected 1.0–1.4)`, 24, 'version');
  const formatByte = bytes[104];
  const compressed = (formatByte & 0xc0) !== 0;
  const format = compressed ? 'laz' : 'las';
  const pointFormat = formatByte & 0x3f;
  const headerSize = view.getUint16(94, true);
  const minimumHeaderSize = version[1] >= 4 ? 375 : version[1] === 3 ? 235 : 227;
  if (headerSize < minimumHeaderSize) fail(`header size ${headerSize} is below the ${minimumHeaderSize} bytes of LAS 1.${version[1]}`, 94, 'headerSize', format);
  if (headerSize > bytes.length) fail(`truncated header: header size ${headerSize}, file has ${bytes.length} bytes`, bytes.length, 'headerSize', format);
  const pointDataOffset = view.getUint32(96, true);
  if (pointDataOffset < headerSize || pointDataOffset > bytes.length) {
    fail(`offset to point data ${pointDataOffset} is outside ${headerSize}..${bytes.length}`, 96, 'pointDataOffset', format);
  }
  if (pointFormat > 10) fail(`unsupported point data record format ${pointFormat} (expected 0–10)`, 104, 'pointFormat', format);
  const pointRecordLength = view.getUint16(105, true);
  const minimumRecordLength = LAS_POINT_RECORD_SIZES[pointFormat];
  if (pointRecordLength < minimumRecordLength) {
    fail(`point record length ${pointRecordLength} is below the ${minimumRecordLength} bytes of point format ${pointFormat}`, 105, 'pointRecordLength', format);
  }
  let pointCount = view.getUint32(107, true);
  if (version[1] >= 4) {
    const wideCount = view.getBigUint64(247, true);
    if (wideCount > BigInt(Number.MAX_SAFE_INTEGER)) fail(`point count ${wideCount} is too large`, 247, 'pointCount', format);
    if (wideCount !== 0n) {
      if (pointCount !== 0 && BigInt(pointCount) !== wideCount) {
        fail(`legacy point count ${pointCount} disagrees with the 64-bit count ${wideCount}`, 107, 'pointCount', format);
      }
      pointCount = Number(wideCount);
    }
  }
  const readTriple = (offset: number): [number, number, number] => [
    view.getFloat64(offset, true),
    view.getFloat64(offset + 8, true),
    view.getFloat64(offset + 16, true),
  ];
  const scale = readTriple(131);
  const offset = readTriple(155);
  scale.forEach((value, axis) => {
    if (!(Number.isFinite(value) && value > 0)) fail(`${'xyz'[axis]} scale factor ${value} is not a positive finite number`, 131 + axis * 8, 'scale', format);
  });
  offset.forEach((value, axis) => {
    if (!Number.isFinite(value)) fail(`${'xyz'[axis]} offset ${value} is not finite`, 155 + axis * 8, 'offset', format);
  });
  // Bounds are stored max x, min x, max y, min y, max z, min z.
  const maximum: [number, number, number] = [view.getFloat64(179, true), view.getFloat64(195, true), view.getFloat64(211, true)];
  const minimum: [number, number, number] = [view.getFloat64(187, true), view.getFloat64(203, true), view.getFloat64(219, true)];
  for (let axis = 0; axis < 3; axis++) {
    if (!Number.isFinite(minimum[axis]) || !Number.isFinite(maximum[axis]) || (pointCount > 0 && minimum[axis] > maximum[axis])) {
      fail(`${'xyz'[axis]} bounds ${minimum[axis]}..${maximum[axis]} are not finite and ordered`, 179 + axis * 16, 'bounds', format);
    }
  }
  return {
    version,
    systemIdentifier: readText(26, 32),
    generatingSoftware: readText(58, 32),
    headerSize,
    pointDataOffset,
    variableLengthRecordCount: view.getUint32(100, true),
    pointFormat,
    compressed,
    pointRecordLength,
    pointCount,
    scale,
    offset,
    minimum,
    maximum,
  };
}
