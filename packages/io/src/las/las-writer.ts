import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { checkLabelCounts, checkLabelRange } from '../labels/label-checks.js';
import { chunkRecords, type ChunkedFile, type ChunkedWriteOptions } from '../core/chunked-file.js';
import { LAS_POINT_RECORD_SIZES } from './las-header.js';
import { EXTRA_BYTES_DESCRIPTOR_BYTES, EXTRA_BYTES_RECORD_ID, EXTRA_BYTES_TYPES, EXTRA_BYTES_USER_ID, VLR_HEADER_BYTES } from './las-extra-bytes.js';

/** Options of {@link writeLas}. */
export interface WriteLasOptions {
  /**
   * Coordinate resolution in metres (the header's x y z scale). Default: the scale of the LAS file the cloud was read
   * from (so a read–write round trip stores the same integers), else 0.0001 (0.1 mm, ±214 km around the origin).
   */
  scale?: number;
  /** System identifier written in the header (at most 32 characters); default `'pointclick'`. */
  systemIdentifier?: string;
}

/** Attributes written into the standard fields of the point record rather than as extra bytes. */
const STANDARD_ATTRIBUTES = new Set(['returnNumber', 'numberOfReturns', 'pointSourceId', 'gpsTime']);
const HEADER_BYTES = 375;

function extraBytesTypeOf(values: PointAttributeArray): number {
  if (values instanceof Uint8Array) return 1;
  if (values instanceof Int8Array) return 2;
  if (values instanceof Uint16Array) return 3;
  if (values instanceof Int16Array) return 4;
  if (values instanceof Uint32Array) return 5;
  if (values instanceof Int32Array) return 6;
  if (values instanceof Float32Array) return 9;
  return 10;
}

/**
 * Writes `cloud` as an uncompressed LAS 1.4 file: point format 7 (with RGB, 16-bit: colour × 257) when it has
 * colours, else 6. `semantic` → classification (0..255), `intensity` → intensity (0..65535), the attributes
 * `returnNumber`, `numberOfReturns`, `pointSourceId` and `gpsTime` → their standard fields; `instance` and every other
 * attribute → extra-bytes fields (LAS 1.4 extra-bytes VLR, record 4) under their names in their own types
 * (`instance` as int32). Positions are written as world coordinates (`positions + metadata.origin`, in float64)
 * quantised to `scale`. {@link readLas} reads all of it back. {@link writeLasChunks} writes the same bytes in pieces.
 *
 * @throws {PointCloudFormatError} (format `'las'`, naming the field and point) for arrays of the wrong length, a
 *   semantic id outside 0..255, an intensity outside 0..65535, return numbers outside 0..15, a coordinate beyond the
 *   int32 range at this scale, or an attribute name longer than 32 characters.
 */
export function writeLas(cloud: PointCloud, options: WriteLasOptions = {}): Uint8Array {
  const plan = planLas(cloud, options);
  const output = new Uint8Array(plan.prefix.length + cloud.pointCount * plan.recordLength);
  output.set(plan.prefix);
  plan.writeRecords(0, cloud.pointCount, output.subarray(plan.prefix.length));
  return output;
}

/**
 * {@link writeLas} in pieces: the header and extra-bytes VLR, then point records in chunks of about
 * `options.chunkBytes`, byte for byte the file `writeLas` writes (the chunks concatenated), without a buffer of the
 * whole file. Every check runs before this returns, with the same errors as `writeLas`.
 */
export function writeLasChunks(cloud: PointCloud, options: WriteLasOptions & ChunkedWriteOptions = {}): ChunkedFile {
  const plan = planLas(cloud, options);
  return chunkRecords('las', plan.prefix, cloud.pointCount, plan.recordLength, options, plan.writeRecords);
}

/** A checked LAS file: its header and VLR bytes, and a writer of its point records. */
export interface LasPlan {
  /** Public header block and extra-bytes VLR. */
  prefix: Uint8Array;
  /** Bytes of one point record. */
  recordLength: number;
  /** Point format, 6 or 7 (with RGB). */
  pointFormat: 6 | 7;
  /** Writes records `first`…`end − 1` into `target` from its byte 0. */
  writeRecords: (first: number, end: number, target: Uint8Array) => void;
}

/**
 * Checks `cloud`, lays out the header and extra bytes, and returns the record writer (shared by the LAS and LAZ
 * writers, so both check the same and write the same records).
 */
export function planLas(cloud: PointCloud, options: WriteLasOptions, format: 'las' | 'laz' = 'las'): LasPlan {
  const { pointCount, positions, colors, intensity, semantic, instance } = cloud;
  const attributes = cloud.attributes ?? {};
  checkLabelCounts(format, pointCount * 3, { positions, colors });
  checkLabelCounts(format, pointCount, { intensity, semantic, instance, ...attributes });
  if (semantic) checkLabelRange(format, 'semantic', semantic, 0, 255, 'LAS classification is one byte');
  if (intensity) checkLabelRange(format, 'intensity', intensity, 0, 65535, 'LAS intensity is 16 bits');
  const returnNumber = attributes.returnNumber;
  const numberOfReturns = attributes.numberOfReturns;
  if (returnNumber) checkLabelRange(format, 'returnNumber', returnNumber, 0, 15);
  if (numberOfReturns) checkLabelRange(format, 'numberOfReturns', numberOfReturns, 0, 15);
  if (attributes.pointSourceId) checkLabelRange(format, 'pointSourceId', attributes.pointSourceId, 0, 65535);

  const extras: { name: string; values: PointAttributeArray; dataType: number }[] = [];
  if (instance) extras.push({ name: 'instance', values: instance, dataType: 6 });
  for (const [name, values] of Object.entries(attributes)) {
    if (STANDARD_ATTRIBUTES.has(name)) continue;
    if (name === 'instance' && instance) throw new PointCloudFormatError({ format, field: name, message: "cannot write: attribute 'instance' clashes with the instance field" });
    if (new TextEncoder().encode(name).length > 32) throw new PointCloudFormatError({ format, field: name, message: `cannot write: attribute name '${name}' is longer than the 32 bytes of an extra-bytes name` });
    extras.push({ name, values, dataType: extraBytesTypeOf(values) });
  }

  const pointFormat: 6 | 7 = colors ? 7 : 6;
  const standardLength = LAS_POINT_RECORD_SIZES[pointFormat];
  const recordLength = standardLength + extras.reduce((sum, extra) => sum + EXTRA_BYTES_TYPES[extra.dataType]!.size, 0);
  const vlrLength = extras.length > 0 ? VLR_HEADER_BYTES + extras.length * EXTRA_BYTES_DESCRIPTOR_BYTES : 0;
  const pointDataOffset = HEADER_BYTES + vlrLength;
  const output = new Uint8Array(pointDataOffset);
  const view = new DataView(output.buffer);
  const writeText = (offset: number, length: number, text: string) => output.set(new TextEncoder().encode(text).subarray(0, length), offset);

  // World bounds (and the points that set them, for the range check below) and the quantisation.
  const origin = cloud.metadata?.origin ?? [0, 0, 0];
  const minimum = [Infinity, Infinity, Infinity];
  const maximum = [-Infinity, -Infinity, -Infinity];
  const extremePoints = [0, 0, 0, 0, 0, 0];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[point * 3 + axis] + origin[axis];
      if (!Number.isFinite(value)) throw new PointCloudFormatError({ format, field: 'positions', pointIndex: point, message: `cannot write: point ${point} has a non-finite coordinate` });
      if (value < minimum[axis]) {
        minimum[axis] = value;
        extremePoints[axis] = point;
      }
      if (value > maximum[axis]) {
        maximum[axis] = value;
        extremePoints[axis + 3] = point;
      }
    }
  }
  if (pointCount === 0) {
    minimum.fill(0);
    maximum.fill(0);
  }
  const sourceScale = (cloud.metadata as { lasHeader?: { scale: [number, number, number]; offset: [number, number, number] } } | undefined)?.lasHeader;
  const scale = options.scale !== undefined ? [options.scale, options.scale, options.scale] : (sourceScale?.scale ?? [0.0001, 0.0001, 0.0001]);
  const offset = options.scale === undefined && sourceScale ? sourceScale.offset : origin;
  // Rounding is monotonic, so the extremes bound every point's integer: checked here, before any byte is written.
  for (let axis = 0; axis < 3 && pointCount > 0; axis++) {
    for (const [value, point] of [[minimum[axis], extremePoints[axis]], [maximum[axis], extremePoints[axis + 3]]]) {
      const integer = Math.round((value - offset[axis]) / scale[axis]);
      if (integer < -0x80000000 || integer > 0x7fffffff) {
        throw new PointCloudFormatError({ format, field: 'positions', pointIndex: point, message: `cannot write: point ${point} lies beyond the int32 range at scale ${scale[axis]}; pass a larger scale` });
      }
    }
  }

  // Public header block, LAS 1.4 (R15 table 3).
  writeText(0, 4, 'LASF');
  view.setUint16(6, 0x10, true); // global encoding: WKT (required for point formats 6–10)
  output[24] = 1;
  output[25] = 4;
  writeText(26, 32, options.systemIdentifier ?? 'pointclick');
  writeText(58, 32, 'pointclick @pointclick/io');
  const today = new Date();
  view.setUint16(90, Math.floor((Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - Date.UTC(today.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, true);
  view.setUint16(92, today.getUTCFullYear(), true);
  view.setUint16(94, HEADER_BYTES, true);
  view.setUint32(96, pointDataOffset, true);
  view.setUint32(100, extras.length > 0 ? 1 : 0, true);
  output[104] = pointFormat;
  view.setUint16(105, recordLength, true);
  // Legacy point counts stay 0 for formats 6–10; the 64-bit count at 247 holds it.
  for (let axis = 0; axis < 3; axis++) {
    view.setFloat64(131 + axis * 8, scale[axis], true);
    view.setFloat64(155 + axis * 8, offset[axis], true);
    view.setFloat64(179 + axis * 16, maximum[axis], true);
    view.setFloat64(187 + axis * 16, minimum[axis], true);
  }
  view.setBigUint64(247, BigInt(pointCount), true);
  // Points by return number (1–15); points whose return number is 0 are counted nowhere.
  const returnCounts = new Array<number>(15).fill(0);
  for (let point = 0; point < pointCount; point++) {
    const returns = returnNumber ? returnNumber[point] : 1;
    if (returns >= 1) returnCounts[returns - 1]++;
  }
  returnCounts.forEach((count, index) => view.setBigUint64(255 + index * 8, BigInt(count), true));

  // Extra-bytes VLR (R15 tables 24–25).
  if (extras.length > 0) {
    writeText(HEADER_BYTES + 2, 16, EXTRA_BYTES_USER_ID);
    view.setUint16(HEADER_BYTES + 18, EXTRA_BYTES_RECORD_ID, true);
    view.setUint16(HEADER_BYTES + 20, extras.length * EXTRA_BYTES_DESCRIPTOR_BYTES, true);
    writeText(HEADER_BYTES + 22, 32, 'extra bytes');
    extras.forEach((extra, index) => {
      const start = HEADER_BYTES + VLR_HEADER_BYTES + index * EXTRA_BYTES_DESCRIPTOR_BYTES;
      output[start + 2] = extra.dataType;
      writeText(start + 4, 32, extra.name);
      writeText(start + 160, 32, extra.name === 'instance' ? 'instance id, 0 = none' : extra.name);
    });
  }

  // Point records, format 6 / 7 (R15 tables 13–14).
  const writeRecords = (first: number, end: number, target: Uint8Array): void => {
    const records = new DataView(target.buffer, target.byteOffset, target.byteLength);
    for (let point = first, record = 0; point < end; point++, record += recordLength) {
      for (let axis = 0; axis < 3; axis++) {
        records.setInt32(record + axis * 4, Math.round((positions[point * 3 + axis] + origin[axis] - offset[axis]) / scale[axis]), true);
      }
      if (intensity) records.setUint16(record + 12, intensity[point], true);
      records.setUint8(record + 14, ((returnNumber ? returnNumber[point] : 1) & 0x0f) | ((numberOfReturns ? numberOfReturns[point] : 1) << 4));
      if (semantic) records.setUint8(record + 16, semantic[point]);
      if (attributes.pointSourceId) records.setUint16(record + 20, attributes.pointSourceId[point], true);
      if (attributes.gpsTime) records.setFloat64(record + 22, attributes.gpsTime[point], true);
      if (colors) {
        for (let channel = 0; channel < 3; channel++) records.setUint16(record + 30 + channel * 2, colors[point * 3 + channel] * 257, true);
      }
      let extraOffset = record + standardLength;
      for (const extra of extras) {
        writeExtraValue(records, extraOffset, extra.dataType, extra.values[point]);
        extraOffset += EXTRA_BYTES_TYPES[extra.dataType]!.size;
      }
    }
  };
  return { prefix: output, recordLength, pointFormat, writeRecords };
}

function writeExtraValue(view: DataView, offset: number, dataType: number, value: number): void {
  switch (dataType) {
    case 1: return view.setUint8(offset, value);
    case 2: return view.setInt8(offset, value);
    case 3: return view.setUint16(offset, value, true);
    case 4: return view.setInt16(offset, value, true);
    case 5: return view.setUint32(offset, value, true);
    case 6: return view.setInt32(offset, value, true);
    case 9: return view.setFloat32(offset, value, true);
    default: return view.setFloat64(offset, value, true);
  }
}
