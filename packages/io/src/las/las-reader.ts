import { LAZRsLoader } from '@loaders.gl/las';
import { guardAllocations, isAllocationFailure, PointCloudAllocationError } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray } from '../core/point-cloud.js';
import { PointCloudFormatError, viewRecords } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { parseLasHeader, type LasHeader } from './las-header.js';
import { checkLaszipLayout } from './laszip-layout.js';
import { parseExtraBytesFields, readExtraBytesFields } from './las-extra-bytes.js';
import type { LasPointCloud } from './las-point-cloud.js';
import { COLOR_OFFSETS, createLasMetadata, LasPointDecoder } from './las-point-decoder.js';
import { decompressLazPoints, decompressLazRecords } from './laz-raw-records.js';

export type { LasPointCloud, LasPointCloudMetadata } from './las-point-cloud.js';
export { ASPRS_CLASS_NAMES } from './las-point-cloud.js';

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
 * - Uncompressed records are decoded with a DataView straight into the final arrays (no intermediate arrays).
 * - LAZ: LAS ≤ 1.3 with formats 0–3 and formats 6–8 (what `writeLaz` writes) are decompressed by laz-perf
 *   point by point, each run of records decoded into the final arrays like uncompressed LAS (so LAZ clouds carry the
 *   same attributes), in Node and browsers; the waveform formats 4, 5, 9 and 10 by laz-rs through `@loaders.gl/las`
 *   (which loads its WebAssembly with `fetch`, so in browsers only), after
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
    if (!header.compressed) return readUncompressedLas(bytes, header, options.fileName);
    // The decompressor trusts the header's count; bound it by the compressed bytes before handing it over.
    checkLaszipLayout(bytes, header, options.fileName);
    if (usesLazPerf(header)) {
      const decoder = new LasPointDecoder(header, parseExtraBytesFields(bytes, header, options.fileName), options.fileName, () => undefined);
      await decompressLazPoints(bytes, header, decoder, options.fileName);
      return decoder.finish();
    }
    const cloud = await readLazWithLoadersGl(bytes, header, options.fileName);
    const fields = parseExtraBytesFields(bytes, header, options.fileName);
    if (fields.length === 0) return cloud;
    const records = await decompressLazRecords(bytes, header, options.fileName);
    const extras = readExtraBytesFields(new DataView(records.buffer, records.byteOffset, records.byteLength), header.pointCount, header.pointRecordLength, fields);
    return attachExtraBytes(cloud, extras);
  });
}

/**
 * Whether laz-perf, called here point by point, decompresses the file: LAS ≤ 1.3 with point formats 0–3, and point
 * formats 6–8 (LAS 1.4, LASzip's layered compression, which laz-perf's `LASZip` decodes too). The waveform formats
 * 4, 5, 9 and 10 go to laz-rs through `@loaders.gl/las`.
 */
export function usesLazPerf(header: LasHeader): boolean {
  return (header.version[1] <= 3 && header.pointFormat <= 3) || (header.pointFormat >= 6 && header.pointFormat <= 8);
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

function readUncompressedLas(bytes: Uint8Array, header: LasHeader, fileName: string | undefined): LasPointCloud {
  const { pointCount, pointRecordLength, pointDataOffset } = header;
  const view = viewRecords(bytes, pointDataOffset, pointCount, pointRecordLength, { format: 'las', fileName, field: 'pointCount', part: 'point data' });
  const decoder = new LasPointDecoder(header, parseExtraBytesFields(bytes, header, fileName), fileName, (pointIndex) => pointDataOffset + pointIndex * pointRecordLength);
  decoder.decode(view, 0, pointCount);
  return decoder.finish();
}

/** Shape of the mesh `@loaders.gl/las` returns (the parts used here). */
interface LoadersGlLasMesh {
  header: { vertexCount: number };
  attributes: Record<string, { value: ArrayLike<number> } | undefined>;
}

async function decompressWithLoadersGl(bytes: Uint8Array, header: LasHeader, colorDepth: 8 | 16, fileName: string | undefined): Promise<LoadersGlLasMesh> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    return (await LAZRsLoader.parse(buffer, { las: { fp64: true, colorDepth } })) as unknown as LoadersGlLasMesh;
  } catch (error) {
    if (isAllocationFailure(error)) {
      // loaders.gl allocates float64 positions, uint16 intensity, uint8 classes and rgba per point.
      throw new PointCloudAllocationError({ format: 'laz', fileName, field: 'pointCount', requestedBytes: header.pointCount * (24 + 2 + 1 + (COLOR_OFFSETS[header.pointFormat] !== undefined ? 4 : 0)), what: `the decompressed arrays of ${header.pointCount} points`, cause: error });
    }
    throw new PointCloudFormatError({
      format: 'laz',
      fileName,
      byteOffset: header.pointDataOffset,
      message: `LAZ decompression (laz-rs via @loaders.gl/las) failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}

/** LAS 1.4 / formats 4–10 LAZ, through laz-rs in `@loaders.gl/las` (which allocates float64 positions and rgba per point). */
async function readLazWithLoadersGl(bytes: Uint8Array, header: LasHeader, fileName: string | undefined): Promise<LasPointCloud> {
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
  const metadata = createLasMetadata(header, semantic);
  assertFinitePositions(positions, fileName);
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
function assertFinitePositions(positions: Float32Array, fileName: string | undefined): void {
  for (let index = 0; index < positions.length; index++) {
    if (Number.isFinite(positions[index])) continue;
    const pointIndex = Math.floor(index / 3);
    throw new PointCloudFormatError({
      format: 'laz',
      fileName,
      field: 'scale/offset',
      message: `point ${pointIndex}: ${'xyz'[index % 3]} = ${positions[index]} after applying the header's scale and offset; expected a finite coordinate within float32 range`,
    });
  }
}
