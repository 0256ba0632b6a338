import { allocateArray, guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud, PointCloudMetadata } from '../core/point-cloud.js';
import { PointCloudFormatError, viewRecords } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { decompressLzf, LZF_MAXIMUM_EXPANSION } from './lzf-decompressor.js';
import { parsePcdHeader, type PcdField, type PcdHeader } from './pcd-header.js';

/** Reads component `component` of a field for one point record. */
type ComponentReader = (pointIndex: number) => number;

/** Field names read as semantic class ids. */
const SEMANTIC_FIELD_NAMES = new Set(['label', 'semantic', 'semantic_label', 'class', 'classification']);
/** Field names read as instance ids. */
const INSTANCE_FIELD_NAMES = new Set(['instance', 'instance_id', 'instance_label', 'object', 'object_id']);
const NORMAL_FIELD_NAMES = ['normal_x', 'normal_y', 'normal_z'] as const;

/**
 * Reads a PCD file (PCL v0.5–0.7; `ascii`, `binary` and `binary_compressed` LZF data).
 *
 * - `x y z` → `positions` (metres); points with a non-finite coordinate (PCL's marker for "no
 *   return" in organised clouds) are dropped and counted in `metadata.droppedPointCount`.
 * - Organised clouds (`HEIGHT > 1`) record `metadata.organizedWidth/Height` and the grid index of
 *   every kept point in `attributes.organizedIndex` (row-major, `row * width + column`).
 * - `rgb` / `rgba` packed as PCL does (`0xAARRGGBB` in a float or uint field) → `colors`.
 * - `normal_x normal_y normal_z` → `normals`; `intensity` → `intensity`;
 *   `label` (also `semantic`, `class`) → `semantic`; `instance` (also `object_id`) → `instance`.
 * - Any other field → `attributes[name]`; fields with `COUNT` n > 1 expand to `name_0 … name_{n-1}`;
 *   `_` padding fields are skipped.
 *
 * @param bytes - Contents of the file.
 * @param options - `fileName` for error messages.
 * @throws {@link PointCloudFormatError} for any malformed header or data.
 */
export async function readPcd(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return guardAllocations({ format: 'pcd', fileName: options.fileName }, () => readPcdSync(bytes, options));
}

/** Synchronous body of {@link readPcd}; same contract. */
export function readPcdSync(bytes: Uint8Array, options: ReaderOptions = {}): PointCloud {
  const fileName = options.fileName;
  const header = parsePcdHeader(bytes, fileName);
  const fieldByName = new Map(header.fields.map((field) => [field.name, field]));
  for (const name of ['x', 'y', 'z']) {
    const field = fieldByName.get(name);
    if (!field || field.count !== 1) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        field: name,
        message: field ? `field ${name} has COUNT ${field.count}, expected 1` : `no field ${name} (expected x y z among FIELDS ${header.fields.map((entry) => entry.name).join(' ')})`,
      });
    }
  }
  const source = createSource(bytes, header, fileName);
  const pointCount = header.pointCount;

  // Pass 1: coordinates of every record; a record is kept when all three are finite.
  const readX = source.read(fieldByName.get('x')!, 0);
  const readY = source.read(fieldByName.get('y')!, 0);
  const readZ = source.read(fieldByName.get('z')!, 0);
  const allPositions = allocateArray(Float32Array, pointCount * 3, { format: 'pcd', fileName, field: 'positions' });
  const keptIndices = new Uint32Array(pointCount);
  let keptCount = 0;
  for (let pointIndex = 0; pointIndex < pointCount; pointIndex++) {
    const x = readX(pointIndex);
    const y = readY(pointIndex);
    const z = readZ(pointIndex);
    if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) {
      allPositions[keptCount * 3] = x;
      allPositions[keptCount * 3 + 1] = y;
      allPositions[keptCount * 3 + 2] = z;
      keptIndices[keptCount++] = pointIndex;
    }
  }
  const positions = keptCount === pointCount ? allPositions : allPositions.slice(0, keptCount * 3);
  const kept = keptCount === pointCount ? keptIndices : keptIndices.slice(0, keptCount);
  const cloud: PointCloud = { pointCount: keptCount, positions };
  const attributes: Record<string, PointAttributeArray> = {};

  const hasNormals = NORMAL_FIELD_NAMES.every((name) => fieldByName.get(name)?.count === 1);
  if (hasNormals) {
    const normals = new Float32Array(keptCount * 3);
    NORMAL_FIELD_NAMES.forEach((name, axis) => {
      const read = source.read(fieldByName.get(name)!, 0);
      for (let index = 0; index < keptCount; index++) normals[index * 3 + axis] = read(kept[index]);
    });
    cloud.normals = normals;
  }

  for (const field of header.fields) {
    const name = field.name;
    if (name === 'x' || name === 'y' || name === 'z' || name === '_') continue;
    if (hasNormals && (NORMAL_FIELD_NAMES as readonly string[]).includes(name)) continue;
    const lowerName = name.toLowerCase();
    if ((lowerName === 'rgb' || lowerName === 'rgba') && field.count === 1 && cloud.colors === undefined) {
      cloud.colors = readPackedColors(source, field, kept, fileName);
    } else if (lowerName === 'intensity' && field.count === 1 && cloud.intensity === undefined) {
      const intensity = new Float32Array(keptCount);
      const read = source.read(field, 0);
      for (let index = 0; index < keptCount; index++) intensity[index] = read(kept[index]);
      cloud.intensity = intensity;
    } else if (SEMANTIC_FIELD_NAMES.has(lowerName) && field.count === 1 && cloud.semantic === undefined) {
      cloud.semantic = readIdentifiers(source, field, kept, fileName);
    } else if (INSTANCE_FIELD_NAMES.has(lowerName) && field.count === 1 && cloud.instance === undefined) {
      cloud.instance = readIdentifiers(source, field, kept, fileName);
    } else {
      for (let component = 0; component < field.count; component++) {
        const attributeName = field.count === 1 ? name : `${name}_${component}`;
        attributes[attributeName] = readAttribute(source, field, component, kept, fileName);
      }
    }
  }

  const metadata: PointCloudMetadata = { format: 'pcd', droppedPointCount: pointCount - keptCount };
  if (header.height > 1) {
    metadata.organizedWidth = header.width;
    metadata.organizedHeight = header.height;
    attributes.organizedIndex = kept;
  }
  if (header.comments.length > 0) metadata.comments = header.comments;
  if (Object.keys(attributes).length > 0) cloud.attributes = attributes;
  cloud.metadata = metadata;
  return cloud;
}

interface PcdSource {
  /** Reader of a component's numeric value. */
  read(field: PcdField, component: number): ComponentReader;
  /** Reader of a 4-byte component's raw bits as an unsigned 32-bit integer (packed colours). */
  readBits(field: PcdField, component: number): ComponentReader;
}

function createSource(bytes: Uint8Array, header: PcdHeader, fileName: string | undefined): PcdSource {
  const { pointCount, recordSize, dataByteOffset } = header;
  if (header.dataKind === 'ascii') return createAsciiSource(bytes, header, fileName);
  if (header.dataKind === 'binary') {
    const view = viewRecords(bytes, dataByteOffset, pointCount, recordSize, { format: 'pcd', fileName, field: 'POINTS', part: 'binary data' });
    // Row-major records: component c of point i at i * recordSize + fieldOffset + c * size.
    return createBinarySource(view, (field, component) => [field.recordOffset + component * field.size, recordSize]);
  }
  if (dataByteOffset + 8 > bytes.length) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: dataByteOffset,
      message: 'binary_compressed data truncated: the 8-byte compressed/uncompressed size pair is missing',
    });
  }
  const sizes = new DataView(bytes.buffer, bytes.byteOffset + dataByteOffset, 8);
  const compressedSize = sizes.getUint32(0, true);
  const uncompressedSize = sizes.getUint32(4, true);
  const compressedStart = dataByteOffset + 8;
  if (compressedStart + compressedSize > bytes.length) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: bytes.length,
      message: `binary_compressed data truncated: header declares ${compressedSize} compressed bytes, ${bytes.length - compressedStart} present`,
    });
  }
  if (uncompressedSize > compressedSize * LZF_MAXIMUM_EXPANSION) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: dataByteOffset + 4,
      field: 'uncompressedSize',
      message: `binary_compressed data claims ${uncompressedSize} uncompressed bytes from ${compressedSize} compressed bytes; LZF expands at most ${LZF_MAXIMUM_EXPANSION}× (${compressedSize * LZF_MAXIMUM_EXPANSION} bytes)`,
    });
  }
  if (uncompressedSize !== pointCount * recordSize) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: dataByteOffset + 4,
      field: 'POINTS',
      message: `binary_compressed uncompressed size ${uncompressedSize} differs from ${pointCount} points × ${recordSize} bytes`,
    });
  }
  const decompressed = decompressLzf(bytes.subarray(compressedStart, compressedStart + compressedSize), uncompressedSize, {
    format: 'pcd',
    fileName,
    byteOffset: compressedStart,
  });
  const view = new DataView(decompressed.buffer, decompressed.byteOffset, decompressed.byteLength);
  // Column-major: each field's values for all points are contiguous, fields in header order.
  return createBinarySource(view, (field, component) => [pointCount * field.recordOffset + component * field.size, field.size * field.count]);
}

function createBinarySource(view: DataView, locate: (field: PcdField, component: number) => [number, number]): PcdSource {
  return {
    read(field, component) {
      const [base, stride] = locate(field, component);
      const key = `${field.type}${field.size}`;
      switch (key) {
        case 'F4':
          return (pointIndex) => view.getFloat32(base + pointIndex * stride, true);
        case 'F8':
          return (pointIndex) => view.getFloat64(base + pointIndex * stride, true);
        case 'I1':
          return (pointIndex) => view.getInt8(base + pointIndex * stride);
        case 'I2':
          return (pointIndex) => view.getInt16(base + pointIndex * stride, true);
        case 'I4':
          return (pointIndex) => view.getInt32(base + pointIndex * stride, true);
        case 'I8':
          return (pointIndex) => Number(view.getBigInt64(base + pointIndex * stride, true));
        case 'U1':
          return (pointIndex) => view.getUint8(base + pointIndex * stride);
        case 'U2':
          return (pointIndex) => view.getUint16(base + pointIndex * stride, true);
        case 'U4':
          return (pointIndex) => view.getUint32(base + pointIndex * stride, true);
        default:
          return (pointIndex) => Number(view.getBigUint64(base + pointIndex * stride, true));
      }
    },
    readBits(field, component) {
      const [base, stride] = locate(field, component);
      return (pointIndex) => view.getUint32(base + pointIndex * stride, true);
    },
  };
}

function createAsciiSource(bytes: Uint8Array, header: PcdHeader, fileName: string | undefined): PcdSource {
  const { pointCount, columnCount } = header;
  // Every ascii value takes at least one digit and one separator: refuse counts the body cannot hold
  // before allocating for them.
  const bodyLength = bytes.length - header.dataByteOffset;
  if (pointCount * columnCount * 2 > bodyLength + 1) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: header.dataByteOffset,
      field: 'POINTS',
      message: `ascii data truncated: header declares ${pointCount} points of ${columnCount} values, which need at least ${pointCount * columnCount * 2 - 1} bytes; the body has ${bodyLength}`,
    });
  }
  const text = new TextDecoder('latin1').decode(bytes.subarray(header.dataByteOffset));
  const values = allocateArray(Float64Array, pointCount * columnCount, { format: 'pcd', fileName, field: 'ascii values' });
  const columnFieldNames = header.fields.flatMap((field) => Array.from({ length: field.count }, () => field.name));
  let pointIndex = 0;
  let lineNumber = header.dataLine - 1;
  let lineStart = 0;
  while (pointIndex < pointCount && lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    lineNumber++;
    const line = text.slice(lineStart, lineEnd).trim();
    lineStart = lineEnd + 1;
    if (line.length === 0) continue;
    const tokens = line.split(/\s+/);
    if (tokens.length !== columnCount) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        line: lineNumber,
        message: `${tokens.length} values on a point line, expected ${columnCount} (${columnFieldNames.join(' ')})`,
      });
    }
    const rowStart = pointIndex * columnCount;
    for (let column = 0; column < columnCount; column++) {
      const token = tokens[column];
      let value = Number(token);
      if (Number.isNaN(value)) value = parseSpecialNumber(token, fileName, lineNumber, columnFieldNames[column]);
      values[rowStart + column] = value;
    }
    pointIndex++;
  }
  if (pointIndex < pointCount) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      line: lineNumber,
      field: 'POINTS',
      message: `ascii data truncated: header declares ${pointCount} points, ${pointIndex} lines present`,
    });
  }
  const floatBits = new Float32Array(1);
  const integerBits = new Uint32Array(floatBits.buffer);
  return {
    read(field, component) {
      const base = field.columnOffset + component;
      return (index) => values[index * columnCount + base];
    },
    readBits(field, component) {
      const base = field.columnOffset + component;
      if (field.type === 'F') {
        // PCL prints the packed float's value; its float32 bit pattern is the colour.
        return (index) => {
          floatBits[0] = values[index * columnCount + base]!;
          return integerBits[0];
        };
      }
      return (index) => values[index * columnCount + base] >>> 0;
    },
  };
}

function parseSpecialNumber(token: string, fileName: string | undefined, line: number, field: string): number {
  const lower = token.toLowerCase();
  if (/^[+-]?nan$/.test(lower)) return Number.NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/.test(lower)) return Number.NEGATIVE_INFINITY;
  throw new PointCloudFormatError({ format: 'pcd', fileName, line, field, message: `'${token}' is not a number` });
}

function readPackedColors(source: PcdSource, field: PcdField, kept: Uint32Array, fileName: string | undefined): Uint8Array {
  if (field.size !== 4) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      field: field.name,
      message: `packed colour field has SIZE ${field.size}, expected 4 (0xAARRGGBB)`,
    });
  }
  const read = source.readBits(field, 0);
  const colors = new Uint8Array(kept.length * 3);
  for (let index = 0; index < kept.length; index++) {
    const packed = read(kept[index]);
    colors[index * 3] = (packed >>> 16) & 0xff;
    colors[index * 3 + 1] = (packed >>> 8) & 0xff;
    colors[index * 3 + 2] = packed & 0xff;
  }
  return colors;
}

function readIdentifiers(source: PcdSource, field: PcdField, kept: Uint32Array, fileName: string | undefined): Int32Array {
  const read = source.read(field, 0);
  const identifiers = new Int32Array(kept.length);
  for (let index = 0; index < kept.length; index++) {
    const value = read(kept[index]);
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        field: field.name,
        message: `label of point ${kept[index]} is ${value}, expected an integer in the int32 range`,
      });
    }
    identifiers[index] = value;
  }
  return identifiers;
}

/** The array type of a PCD `TYPE`+`SIZE` (e.g. `F4`); 8-byte types (F8, I8, U8) are read as float64. */
const ATTRIBUTE_ARRAY_TYPES: Partial<Record<string, new (length: number) => PointAttributeArray>> = {
  F4: Float32Array, I1: Int8Array, I2: Int16Array, I4: Int32Array, U1: Uint8Array, U2: Uint16Array, U4: Uint32Array,
};

function readAttribute(
  source: PcdSource,
  field: PcdField,
  component: number,
  kept: Uint32Array,
  fileName: string | undefined,
): PointAttributeArray {
  const read = source.read(field, component);
  const key = `${field.type}${field.size}`;
  const values: PointAttributeArray = new (ATTRIBUTE_ARRAY_TYPES[key] ?? Float64Array)(kept.length);
  const checkSafe = field.size === 8 && field.type !== 'F';
  for (let index = 0; index < kept.length; index++) {
    const value = read(kept[index]);
    if (checkSafe && !Number.isSafeInteger(value)) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        field: field.name,
        message: `64-bit integer ${value} of point ${kept[index]} is beyond ±2^53 and cannot be held exactly`,
      });
    }
    values[index] = value;
  }
  return values;
}
