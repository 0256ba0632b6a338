import { LAZPerfLoader, LAZRsLoader } from '@loaders.gl/las';
import { allocateArray, guardAllocations, isAllocationFailure, PointCloudAllocationError } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud, PointCloudMetadata } from '../core/point-cloud.js';
import { PointCloudFormatError, viewRecords } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { parseLasHeader, type LasHeader } from './las-header.js';
import { checkLaszipLayout } from './laszip-layout.js';
import { parseExtraBytesFields, readExtraBytesFields } from './las-extra-bytes.js';
import { decompressLazRecords } from './laz-raw-records.js';

/** ASPRS standard point classes (LAS 1.4 R15, table 17), by class id. */
export const ASPRS_CLASS_NAMES: Readonly<Record<number, string>> = {
  0: 'created, never classified',
  1: 'unclassified',
  2: 'ground',
  3: 'low vegetation',
  4: 'medium vegetation',
  5: 'high vegetation',
  6: 'building',
  7: 'low point (noise)',
  8: 'model key-point',
  9: 'water',
  10: 'rail',
  11: 'road surface',
  12: 'overlap',
  13: 'wire guard (shield)',
  14: 'wire conductor (phase)',
  15: 'transmission tower',
  16: 'wire-structure connector',
  17: 'bridge deck',
  18: 'high noise',
};

/** Metadata of a cloud read by {@link readLas}: the common fields plus the coordinate origin. */
export interface LasPointCloudMetadata extends PointCloudMetadata {
  /**
   * World coordinates (CRS units, usually metres) of the cloud's local origin: `floor` of the
   * header's minimum x y z. World position = `positions[i] + origin` (computed in float64).
   */
  origin: [number, number, number];
  /** The parsed LAS header. */
  lasHeader: LasHeader;
  /** Whether colours were stored on the 16-bit scale (and divided by 256) or already 0..255. */
  colorDepth?: 8 | 16;
}

/** A cloud read by {@link readLas}. */
export interface LasPointCloud extends PointCloud {
  /** Always present for LAS, with the coordinate origin. */
  metadata: LasPointCloudMetadata;
}

/** Byte offset of red in a record of each point format that has colour. */
const COLOR_OFFSETS: Record<number, number> = { 2: 20, 3: 28, 5: 28, 7: 30, 8: 30, 10: 30 };
/** Byte offset of the GPS time in a record of each point format that has one. */
const GPS_TIME_OFFSETS: Record<number, number> = { 1: 20, 3: 20, 4: 20, 5: 20, 6: 22, 7: 22, 8: 22, 9: 22, 10: 22 };

/**
 * Reads an ASPRS LAS 1.0–1.4 file (point formats 0–10) or a LAZ (LASzip-compressed) file.
 *
 * - Positions are georeferenced and large (hundreds of kilometres), beyond float32 precision, so
 *   they are made local: `positions = world − origin`, with `origin = floor(header minimum)` recorded
 *   in `metadata.origin` and the subtraction done in float64 (1 cm stays 1 cm within 100 km).
 * - `classification` → `semantic` (ASPRS class ids; format 0–5 flag bits removed), names in
 *   `metadata.classNames`; `intensity` → `intensity` (raw 0..65535).
 * - RGB: the standard asks for 16-bit values, but some writers store 0..255. When any channel of any
 *   point exceeds 255 the colours are divided by 256, otherwise kept (`metadata.colorDepth`).
 * - Uncompressed files: `attributes.returnNumber`, `numberOfReturns`, `pointSourceId`, and `gpsTime`
 *   (seconds) where the format has it.
 * - Extra-bytes fields (LAS 1.4 extra-bytes VLR, also used by LAS 1.2–1.3 writers) → `attributes` by their
 *   name, in their own type (scaled fields as float64); an integer field named `instance` → `instance`. For LAZ
 *   they are decompressed by laz-perf, since loaders.gl drops them.
 * - LAZ: decompressed by `@loaders.gl/las` (laz-perf for LAS ≤ 1.3 and formats 0–3; laz-rs, which
 *   loads its WebAssembly with `fetch` and so works in browsers only, for LAS 1.4 and formats 6–10), after
 *   `checkLaszipLayout` has bounded the claimed point count by the LASzip chunk table and
 *   `LAZ_MAXIMUM_COMPRESSION_RATIO`, so a damaged count cannot keep the decoder running.
 *
 * @param bytes - Contents of the file.
 * @param options - `fileName` for error messages.
 * @throws {@link PointCloudFormatError} for header errors, truncated point data and decompression failures.
 */
export async function readLas(bytes: Uint8Array, options: ReaderOptions = {}): Promise<LasPointCloud> {
  const header = parseLasHeader(bytes, options.fileName);
  return guardAllocations({ format: header.compressed ? 'laz' : 'las', fileName: options.fileName }, async () => {
    const cloud = header.compressed ? await readLaz(bytes, header, options.fileName) : readUncompressedLas(bytes, header, options.fileName);
    const fields = parseExtraBytesFields(bytes, header, options.fileName);
    if (fields.length === 0) return cloud;
    const records = header.compressed
      ? await decompressLazRecords(bytes, header, options.fileName)
      : bytes.subarray(header.pointDataOffset, header.pointDataOffset + header.pointCount * header.pointRecordLength);
    const extras = readExtraBytesFields(new DataView(records.buffer, records.byteOffset, records.byteLength), header.pointCount, header.pointRecordLength, fields);
    return attachExtraBytes(cloud, extras);
  });
}

/** Puts extra-bytes fields into `attributes` (never over a standard attribute) and an integer `instance` field into `instance`. */
function attachExtraBytes(cloud: LasPointCloud, extras: Record<string, PointAttributeArray>): LasPointCloud {
  const attributes: Record<string, PointAttributeArray> = { ...cloud.attributes };
  const result: LasPointCloud = { ...cloud, attributes };
  for (const [name, values] of Object.entries(extras)) {
    const integral = !(values instanceof Float32Array || values instanceof Float64Array);
    if (name === 'instance' && integral && values.every((value) => value <= 0x7fffffff)) {
      result.instance = Int32Array.from(values);
      continue;
    }
    attributes[name in attributes ? `extra_${name}` : name] = values;
  }
  return result;
}

function createMetadata(header: LasHeader, semantic: Int32Array): LasPointCloudMetadata {
  const classNames: Record<number, string> = {};
  const seen = new Uint8Array(256);
  for (let index = 0; index < semantic.length; index++) seen[semantic[index]] = 1;
  seen.forEach((present, classId) => {
    if (present) classNames[classId] = ASPRS_CLASS_NAMES[classId] ?? `class ${classId}`;
  });
  const comments = [`LAS ${header.version.join('.')} point format ${header.pointFormat}`];
  if (header.systemIdentifier) comments.push(`system identifier: ${header.systemIdentifier}`);
  if (header.generatingSoftware) comments.push(`generating software: ${header.generatingSoftware}`);
  return {
    format: header.compressed ? 'laz' : 'las',
    origin: header.minimum.map(Math.floor) as [number, number, number],
    lasHeader: header,
    classNames,
    comments,
  };
}

function readUncompressedLas(bytes: Uint8Array, header: LasHeader, fileName: string | undefined): LasPointCloud {
  const { pointCount, pointRecordLength, pointDataOffset, pointFormat } = header;
  const view = viewRecords(bytes, pointDataOffset, pointCount, pointRecordLength, { format: 'las', fileName, field: 'pointCount', part: 'point data' });
  const extended = pointFormat >= 6;
  const origin = header.minimum.map(Math.floor);
  const [scaleX, scaleY, scaleZ] = header.scale;
  const offsetX = header.offset[0] - origin[0];
  const offsetY = header.offset[1] - origin[1];
  const offsetZ = header.offset[2] - origin[2];
  const positions = allocateArray(Float32Array, pointCount * 3, { format: 'las', fileName, field: 'positions' });
  const intensity = new Float32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  const returnNumber = new Uint8Array(pointCount);
  const numberOfReturns = new Uint8Array(pointCount);
  const pointSourceId = new Uint16Array(pointCount);
  for (let index = 0, record = 0; index < pointCount; index++, record += pointRecordLength) {
    positions[index * 3] = view.getInt32(record, true) * scaleX + offsetX;
    positions[index * 3 + 1] = view.getInt32(record + 4, true) * scaleY + offsetY;
    positions[index * 3 + 2] = view.getInt32(record + 8, true) * scaleZ + offsetZ;
    intensity[index] = view.getUint16(record + 12, true);
    const returns = view.getUint8(record + 14);
    if (extended) {
      returnNumber[index] = returns & 0x0f;
      numberOfReturns[index] = returns >> 4;
      semantic[index] = view.getUint8(record + 16);
      pointSourceId[index] = view.getUint16(record + 20, true);
    } else {
      returnNumber[index] = returns & 0x07;
      numberOfReturns[index] = (returns >> 3) & 0x07;
      // Bits 5–7 are the synthetic / key-point / withheld flags, not part of the class.
      semantic[index] = view.getUint8(record + 15) & 0x1f;
      pointSourceId[index] = view.getUint16(record + 18, true);
    }
  }
  const attributes: Record<string, PointAttributeArray> = { returnNumber, numberOfReturns, pointSourceId };
  const gpsTimeOffset = GPS_TIME_OFFSETS[pointFormat];
  if (gpsTimeOffset !== undefined) {
    const gpsTime = new Float64Array(pointCount);
    for (let index = 0; index < pointCount; index++) gpsTime[index] = view.getFloat64(index * pointRecordLength + gpsTimeOffset, true);
    attributes.gpsTime = gpsTime;
  }
  const metadata = createMetadata(header, semantic);
  assertFinitePositions(positions, 'las', fileName, (pointIndex) => pointDataOffset + pointIndex * pointRecordLength);
  const cloud: LasPointCloud = { pointCount, positions, intensity, semantic, attributes, metadata };
  const colorOffset = COLOR_OFFSETS[pointFormat];
  if (colorOffset !== undefined) {
    const wide = new Uint16Array(pointCount * 3);
    let maximum = 0;
    for (let index = 0; index < pointCount; index++) {
      const record = index * pointRecordLength + colorOffset;
      for (let channel = 0; channel < 3; channel++) {
        const value = view.getUint16(record + channel * 2, true);
        wide[index * 3 + channel] = value;
        if (value > maximum) maximum = value;
      }
    }
    const shift = maximum > 255 ? 8 : 0;
    const colors = new Uint8Array(pointCount * 3);
    for (let index = 0; index < wide.length; index++) colors[index] = wide[index] >> shift;
    cloud.colors = colors;
    metadata.colorDepth = shift === 8 ? 16 : 8;
  }
  return cloud;
}

/** Shape of the mesh `@loaders.gl/las` returns (the parts used here). */
interface LoadersGlLasMesh {
  header: { vertexCount: number };
  attributes: Record<string, { value: ArrayLike<number> } | undefined>;
}

async function decompressWithLoadersGl(bytes: Uint8Array, header: LasHeader, colorDepth: 8 | 16, fileName: string | undefined): Promise<LoadersGlLasMesh> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // laz-perf (synchronous, bundled WebAssembly) handles LAS ≤ 1.3 with formats 0–3; laz-rs the rest.
  const useLazPerf = header.version[1] <= 3 && header.pointFormat <= 3;
  const loaderName = useLazPerf ? 'laz-perf' : 'laz-rs';
  try {
    const loader = useLazPerf ? LAZPerfLoader : LAZRsLoader;
    return (await loader.parse(buffer, { las: { fp64: true, colorDepth } })) as unknown as LoadersGlLasMesh;
  } catch (error) {
    if (isAllocationFailure(error)) {
      // loaders.gl allocates float64 positions, uint16 intensity, uint8 classes and rgba per point.
      throw new PointCloudAllocationError({ format: 'laz', fileName, field: 'pointCount', requestedBytes: header.pointCount * (24 + 2 + 1 + (COLOR_OFFSETS[header.pointFormat] !== undefined ? 4 : 0)), what: `the decompressed arrays of ${header.pointCount} points`, cause: error });
    }
    throw new PointCloudFormatError({
      format: 'laz',
      fileName,
      byteOffset: header.pointDataOffset,
      message: `LAZ decompression (${loaderName} via @loaders.gl/las) failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}

async function readLaz(bytes: Uint8Array, header: LasHeader, fileName: string | undefined): Promise<LasPointCloud> {
  // The decompressor trusts the header's count; bound it by the compressed bytes before handing it over.
  checkLaszipLayout(bytes, header, fileName);
  const hasColor = COLOR_OFFSETS[header.pointFormat] !== undefined;
  // loaders.gl either divides every colour by 256 (colorDepth 16) or stores the raw value in a byte
  // (colorDepth 8). Ask for 16 first; all-zero colours then mean every raw value was < 256, i.e. an
  // 8-bit file, which is decompressed again keeping raw values (the same rule as uncompressed LAS).
  let colorDepth: 8 | 16 = 16;
  let mesh = await decompressWithLoadersGl(bytes, header, colorDepth, fileName);
  if (hasColor && mesh.attributes.COLOR_0 && isZeroColor(mesh.attributes.COLOR_0.value)) {
    colorDepth = 8;
    mesh = await decompressWithLoadersGl(bytes, header, colorDepth, fileName);
  }
  const pointCount = mesh.header.vertexCount;
  if (pointCount !== header.pointCount) {
    throw new PointCloudFormatError({
      format: 'laz',
      fileName,
      field: 'pointCount',
      message: `decompressed ${pointCount} points, header declares ${header.pointCount}`,
    });
  }
  const world = mesh.attributes.POSITION?.value;
  const intensityValues = mesh.attributes.intensity?.value;
  const classification = mesh.attributes.classification?.value;
  if (!world || world.length !== pointCount * 3 || !intensityValues || !classification) {
    throw new PointCloudFormatError({ format: 'laz', fileName, message: 'decompressor returned no positions, intensity or classification' });
  }
  const origin = header.minimum.map(Math.floor);
  const positions = new Float32Array(pointCount * 3);
  for (let index = 0; index < pointCount * 3; index++) positions[index] = world[index] - origin[index % 3];
  const classMask = header.pointFormat >= 6 ? 0xff : 0x1f;
  const semantic = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) semantic[index] = classification[index] & classMask;
  const metadata = createMetadata(header, semantic);
  assertFinitePositions(positions, 'laz', fileName, () => undefined);
  const cloud: LasPointCloud = { pointCount, positions, intensity: Float32Array.from(intensityValues), semantic, metadata };
  const rgba = mesh.attributes.COLOR_0?.value;
  if (hasColor && rgba) {
    const colors = new Uint8Array(pointCount * 3);
    for (let index = 0; index < pointCount; index++) {
      colors[index * 3] = rgba[index * 4]!;
      colors[index * 3 + 1] = rgba[index * 4 + 1]!;
      colors[index * 3 + 2] = rgba[index * 4 + 2]!;
    }
    cloud.colors = colors;
    metadata.colorDepth = colorDepth;
  }
  return cloud;
}

function isZeroColor(rgba: ArrayLike<number>): boolean {
  for (let index = 0; index < rgba.length; index += 4) {
    if (rgba[index] !== 0 || rgba[index + 1] !== 0 || rgba[index + 2] !== 0) return false;
  }
  return true;
}

/**
 * A header scale or offset can be finite yet push positions beyond float32's range; such a file has no
 * usable cloud, so it is refused rather than returned with infinite coordinates.
 */
function assertFinitePositions(
  positions: Float32Array,
  format: 'las' | 'laz',
  fileName: string | undefined,
  recordByteOffset: (pointIndex: number) => number | undefined,
): void {
  for (let index = 0; index < positions.length; index++) {
    if (Number.isFinite(positions[index])) continue;
    const pointIndex = Math.floor(index / 3);
    throw new PointCloudFormatError({
      format,
      fileName,
      byteOffset: recordByteOffset(pointIndex),
      field: 'scale/offset',
      message: `point ${pointIndex}: ${'xyz'[index % 3]} = ${positions[index]} after applying the header's scale and offset; expected a finite coordinate within float32 range`,
    });
  }
}
