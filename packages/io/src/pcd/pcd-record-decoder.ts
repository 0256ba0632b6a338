import { allocateArray, type TypedArrayConstructor } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud, PointCloudMetadata } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { PcdField, PcdHeader } from './pcd-header.js';

/** Reads one component of a field for a record, by the record's index inside the run being decoded. */
export type ComponentReader = (recordIndex: number) => number;

/** Records of a run, however they are stored (binary rows, binary columns, parsed ASCII values). */
export interface PcdSource {
  /** Reader of a component's numeric value. */
  read(field: PcdField, component: number): ComponentReader;
  /** Reader of a 4-byte component's raw bits as an unsigned 32-bit integer (packed colours). */
  readBits(field: PcdField, component: number): ComponentReader;
}

/** Field names read as semantic class ids. */
const SEMANTIC_FIELD_NAMES = new Set(['label', 'semantic', 'semantic_label', 'class', 'classification']);
/** Field names read as instance ids. */
const INSTANCE_FIELD_NAMES = new Set(['instance', 'instance_id', 'instance_label', 'object', 'object_id']);
const NORMAL_FIELD_NAMES = ['normal_x', 'normal_y', 'normal_z'] as const;

/** The array type of a PCD `TYPE`+`SIZE` (e.g. `F4`); 8-byte types (F8, I8, U8) are read as float64. */
const ATTRIBUTE_ARRAY_TYPES: Partial<Record<string, TypedArrayConstructor<PointAttributeArray>>> = {
  F4: Float32Array, I1: Int8Array, I2: Int16Array, I4: Int32Array, U1: Uint8Array, U2: Uint16Array, U4: Uint32Array,
};

/** How one field component reaches the cloud. */
type TargetKind = 'normal' | 'color' | 'intensity' | 'identifier' | 'attribute';

/** One field component and the array it is written to. */
interface Target {
  kind: TargetKind;
  field: PcdField;
  component: number;
  /** Normals: axis 0..2; otherwise unused. */
  axis: number;
  /** The array written at the kept point's index (× 3 for normals and colours). */
  values: PointAttributeArray;
  /** 64-bit integer attributes must stay within ±2^53. */
  checkSafe: boolean;
}

/**
 * Checks that the header has single-component `x y z` fields; returns the fields by name.
 * @throws {PointCloudFormatError} naming the missing coordinate or its COUNT.
 */
export function checkCoordinateFields(header: PcdHeader, fileName: string | undefined): Map<string, PcdField> {
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
  return fieldByName;
}

/** A row-major (`binary`) or column-major (`binary_compressed`) source over `view`; `locate` gives base and stride. */
export function createBinarySource(view: DataView, locate: (field: PcdField, component: number) => [number, number]): PcdSource {
  return {
    read(field, component) {
      const [base, stride] = locate(field, component);
      switch (`${field.type}${field.size}`) {
        case 'F4':
          return (index) => view.getFloat32(base + index * stride, true);
        case 'F8':
          return (index) => view.getFloat64(base + index * stride, true);
        case 'I1':
          return (index) => view.getInt8(base + index * stride);
        case 'I2':
          return (index) => view.getInt16(base + index * stride, true);
        case 'I4':
          return (index) => view.getInt32(base + index * stride, true);
        case 'I8':
          return (index) => Number(view.getBigInt64(base + index * stride, true));
        case 'U1':
          return (index) => view.getUint8(base + index * stride);
        case 'U2':
          return (index) => view.getUint16(base + index * stride, true);
        case 'U4':
          return (index) => view.getUint32(base + index * stride, true);
        default:
          return (index) => Number(view.getBigUint64(base + index * stride, true));
      }
    },
    readBits(field, component) {
      const [base, stride] = locate(field, component);
      return (index) => view.getUint32(base + index * stride, true);
    },
  };
}

/** A source over binary rows of `header.recordSize` bytes (component c of record i at i × recordSize + offset + c × size). */
export function createRowSource(view: DataView, header: PcdHeader): PcdSource {
  return createBinarySource(view, (field, component) => [field.recordOffset + component * field.size, header.recordSize]);
}

/**
 * Decodes PCD records, run after run, straight into the cloud's final arrays: `x y z` → `positions` (records with a
 * non-finite coordinate are dropped and counted), packed `rgb`/`rgba` → `colors`, `normal_*` → `normals`,
 * `intensity`, `label`-like → `semantic`, `instance`-like → `instance`, every other field component → `attributes`,
 * and for organised clouds the grid index of every kept record → `attributes.organizedIndex`. The same decoder serves
 * whole-buffer reads and streams, so both give the same cloud.
 */
export class PcdRecordDecoder {
  private readonly targets: Target[] = [];
  private readonly positions: Float32Array;
  /** Grid index of every kept record; organised clouds only. */
  private readonly keptIndices: Uint32Array | undefined;
  private keptCount = 0;
  private recordCount = 0;
  /** Cloud properties in the order they are set, with their values and values per point. */
  private readonly cloudArrays: [name: string, values: PointAttributeArray, width: number][] = [];
  /** Attributes in field order. */
  private readonly attributeArrays: [name: string, values: PointAttributeArray][] = [];

  /**
   * @param header - The parsed header.
   * @param capacity - Records that may be kept: the point count, or the exact kept count when known beforehand
   *   (then no array is trimmed at the end).
   * @param fileName - File name, for errors.
   * @throws {PointCloudFormatError} for x/y/z missing or with COUNT > 1, or a packed colour field not 4 bytes wide.
   */
  constructor(
    private readonly header: PcdHeader,
    private readonly capacity: number,
    private readonly fileName: string | undefined,
  ) {
    const fieldByName = checkCoordinateFields(header, fileName);
    const context = { format: 'pcd', fileName };
    this.positions = allocateArray(Float32Array, capacity * 3, { ...context, field: 'positions' });
    this.keptIndices = header.height > 1 ? allocateArray(Uint32Array, capacity, { ...context, field: 'organizedIndex' }) : undefined;
    const hasNormals = NORMAL_FIELD_NAMES.every((name) => fieldByName.get(name)?.count === 1);
    if (hasNormals) {
      const normals = allocateArray(Float32Array, capacity * 3, { ...context, field: 'normals' });
      NORMAL_FIELD_NAMES.forEach((name, axis) => this.add('normal', fieldByName.get(name)!, 0, normals, axis));
      this.cloudArrays.push(['normals', normals, 3]);
    }
    const taken = new Set<string>();
    for (const field of header.fields) {
      const name = field.name;
      if (name === 'x' || name === 'y' || name === 'z' || name === '_') continue;
      if (hasNormals && (NORMAL_FIELD_NAMES as readonly string[]).includes(name)) continue;
      const lowerName = name.toLowerCase();
      const single = field.count === 1;
      if ((lowerName === 'rgb' || lowerName === 'rgba') && single && !taken.has('colors')) {
        if (field.size !== 4) {
          throw new PointCloudFormatError({ format: 'pcd', fileName, field: name, message: `packed colour field has SIZE ${field.size}, expected 4 (0xAARRGGBB)` });
        }
        this.claim(taken, 'colors', 'color', field, allocateArray(Uint8Array, capacity * 3, { ...context, field: name }));
      } else if (lowerName === 'intensity' && single && !taken.has('intensity')) {
        this.claim(taken, 'intensity', 'intensity', field, allocateArray(Float32Array, capacity, { ...context, field: name }));
      } else if (SEMANTIC_FIELD_NAMES.has(lowerName) && single && !taken.has('semantic')) {
        this.claim(taken, 'semantic', 'identifier', field, allocateArray(Int32Array, capacity, { ...context, field: name }));
      } else if (INSTANCE_FIELD_NAMES.has(lowerName) && single && !taken.has('instance')) {
        this.claim(taken, 'instance', 'identifier', field, allocateArray(Int32Array, capacity, { ...context, field: name }));
      } else {
        const arrayType = ATTRIBUTE_ARRAY_TYPES[`${field.type}${field.size}`] ?? Float64Array;
        for (let component = 0; component < field.count; component++) {
          const attributeName = single ? name : `${name}_${component}`;
          const values = allocateArray(arrayType, capacity, { ...context, field: attributeName });
          this.add('attribute', field, component, values, 0).checkSafe = field.size === 8 && field.type !== 'F';
          this.attributeArrays.push([attributeName, values]);
        }
      }
    }
  }

  /** Records decoded so far (kept or dropped). */
  get decodedCount(): number {
    return this.recordCount;
  }

  private add(kind: TargetKind, field: PcdField, component: number, values: PointAttributeArray, axis: number): Target {
    const target: Target = { kind, field, component, axis, values, checkSafe: false };
    this.targets.push(target);
    return target;
  }

  private claim(taken: Set<string>, name: string, kind: TargetKind, field: PcdField, values: PointAttributeArray): void {
    taken.add(name);
    this.cloudArrays.push([name, values, kind === 'color' ? 3 : 1]);
    this.add(kind, field, 0, values, 0);
  }

  /**
   * Decodes the next `count` records of the file, held by `source` as its records `0..count − 1`.
   * @throws {PointCloudFormatError} for a label outside int32 or a 64-bit integer beyond ±2^53 of a kept record.
   */
  decodeRun(source: PcdSource, count: number): void {
    const fields = new Map(this.header.fields.map((field) => [field.name, field]));
    const readX = source.read(fields.get('x')!, 0);
    const readY = source.read(fields.get('y')!, 0);
    const readZ = source.read(fields.get('z')!, 0);
    const readers = this.targets.map((target) => (target.kind === 'color' ? source.readBits(target.field, 0) : source.read(target.field, target.component)));
    const { positions, keptIndices, targets, fileName } = this;
    const firstRecord = this.recordCount;
    for (let record = 0; record < count; record++) {
      const x = readX(record);
      const y = readY(record);
      const z = readZ(record);
      if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) continue;
      const kept = this.keptCount;
      if (kept >= this.capacity) throw new RangeError(`PcdRecordDecoder: more than the ${this.capacity} kept records it was sized for`);
      positions[kept * 3] = x;
      positions[kept * 3 + 1] = y;
      positions[kept * 3 + 2] = z;
      if (keptIndices !== undefined) keptIndices[kept] = firstRecord + record;
      for (let index = 0; index < targets.length; index++) {
        const target = targets[index];
        const value = readers[index](record);
        switch (target.kind) {
          case 'normal':
            target.values[kept * 3 + target.axis] = value;
            break;
          case 'color':
            target.values[kept * 3] = (value >>> 16) & 0xff;
            target.values[kept * 3 + 1] = (value >>> 8) & 0xff;
            target.values[kept * 3 + 2] = value & 0xff;
            break;
          case 'identifier':
            if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
              throw new PointCloudFormatError({ format: 'pcd', fileName, field: target.field.name, message: `label of point ${firstRecord + record} is ${value}, expected an integer in the int32 range` });
            }
            target.values[kept] = value;
            break;
          default:
            if (target.checkSafe && !Number.isSafeInteger(value)) {
              throw new PointCloudFormatError({
                format: 'pcd',
                fileName,
                field: target.field.name,
                message: `64-bit integer ${value} of point ${firstRecord + record} is beyond ±2^53 and cannot be held exactly`,
              });
            }
            target.values[kept] = value;
        }
      }
      this.keptCount++;
    }
    this.recordCount += count;
  }

  /** The cloud of the records decoded; arrays sized for more than were kept are trimmed (copied) to the kept count. */
  finish(): PointCloud {
    const { header, keptCount } = this;
    const trim = <Values extends PointAttributeArray>(values: Values, width: number): Values =>
      values.length === keptCount * width ? values : (values.slice(0, keptCount * width) as Values);
    const cloud: PointCloud = { pointCount: keptCount, positions: trim(this.positions, 3) };
    const attributes: Record<string, PointAttributeArray> = {};
    for (const [name, values, width] of this.cloudArrays) (cloud as unknown as Record<string, PointAttributeArray>)[name] = trim(values, width);
    for (const [name, values] of this.attributeArrays) attributes[name] = trim(values, 1);
    const metadata: PointCloudMetadata = { format: 'pcd', droppedPointCount: header.pointCount - keptCount };
    if (header.height > 1) {
      metadata.organizedWidth = header.width;
      metadata.organizedHeight = header.height;
      attributes.organizedIndex = trim(this.keptIndices!, 1);
    }
    if (header.comments.length > 0) metadata.comments = header.comments;
    if (Object.keys(attributes).length > 0) cloud.attributes = attributes;
    cloud.metadata = metadata;
    return cloud;
  }
}
