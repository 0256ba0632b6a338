import { allocateArray } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { EXTRA_BYTES_TYPES, type ExtraBytesField } from './las-extra-bytes.js';
import type { LasHeader } from './las-header.js';
import { ASPRS_CLASS_NAMES, type LasPointCloud, type LasPointCloudMetadata } from './las-point-cloud.js';

/** Byte offset of red in a record of each point format that has colour. */
export const COLOR_OFFSETS: Readonly<Record<number, number>> = { 2: 20, 3: 28, 5: 28, 7: 30, 8: 30, 10: 30 };
/** Byte offset of the GPS time in a record of each point format that has one. */
const GPS_TIME_OFFSETS: Readonly<Record<number, number>> = { 1: 20, 3: 20, 4: 20, 5: 20, 6: 22, 7: 22, 8: 22, 9: 22, 10: 22 };

/**
 * Decodes raw LAS point records (uncompressed, or as laz-perf hands them out one by one) straight into the final
 * arrays of a {@link LasPointCloud}, in runs of any length and in order: the arrays are allocated once, for the
 * header's point count, and nothing per point is built on the way. Shared by the whole-buffer reader, the
 * streaming reader and the LAZ reader, so all three give the same cloud.
 */
export class LasPointDecoder {
  private readonly positions: Float32Array;
  private readonly intensity: Float32Array;
  private readonly semantic: Int32Array;
  private readonly returnNumber: Uint8Array;
  private readonly numberOfReturns: Uint8Array;
  private readonly pointSourceId: Uint16Array;
  private readonly gpsTime?: Float64Array;
  private readonly colors?: Uint8Array;
  /** 8 once a colour above 255 is seen (16-bit colours, kept as their high byte), else 0. */
  private colorShift = 0;
  private readonly extras: { field: ExtraBytesField; values: PointAttributeArray }[];
  private readonly origin: [number, number, number];
  private readonly format: 'las' | 'laz';
  private decodedCount = 0;

  /**
   * @param header The parsed header; arrays are sized by its point count.
   * @param fields Extra-bytes fields of the records.
   * @param fileName File name, for errors.
   * @param recordByteOffset Byte offset of point `index`'s record in the file, for errors (undefined for LAZ).
   */
  constructor(
    private readonly header: LasHeader,
    fields: readonly ExtraBytesField[],
    private readonly fileName: string | undefined,
    private readonly recordByteOffset: (pointIndex: number) => number | undefined,
  ) {
    const { pointCount, pointFormat } = header;
    this.format = header.compressed ? 'laz' : 'las';
    const context = { format: this.format, fileName };
    this.positions = allocateArray(Float32Array, pointCount * 3, { ...context, field: 'positions' });
    this.intensity = allocateArray(Float32Array, pointCount, { ...context, field: 'intensity' });
    this.semantic = allocateArray(Int32Array, pointCount, { ...context, field: 'classification' });
    this.returnNumber = allocateArray(Uint8Array, pointCount, { ...context, field: 'returnNumber' });
    this.numberOfReturns = allocateArray(Uint8Array, pointCount, { ...context, field: 'numberOfReturns' });
    this.pointSourceId = allocateArray(Uint16Array, pointCount, { ...context, field: 'pointSourceId' });
    if (GPS_TIME_OFFSETS[pointFormat] !== undefined) this.gpsTime = allocateArray(Float64Array, pointCount, { ...context, field: 'gpsTime' });
    if (COLOR_OFFSETS[pointFormat] !== undefined) this.colors = allocateArray(Uint8Array, pointCount * 3, { ...context, field: 'colors' });
    this.extras = fields.map((field) => {
      const scaled = field.scale !== undefined || field.offset !== undefined;
      const ArrayType = scaled ? Float64Array : EXTRA_BYTES_TYPES[field.dataType]!.array;
      return { field, values: allocateArray<PointAttributeArray>(ArrayType, pointCount, { ...context, field: field.name }) };
    });
    this.origin = header.minimum.map(Math.floor) as [number, number, number];
  }

  /** Points decoded so far. */
  get pointCount(): number {
    return this.decodedCount;
  }

  /**
   * Decodes the next `count` records, which lie back to back in `records` from byte `start`.
   * @throws {PointCloudFormatError} for a position that is not finite in float32 after scale and offset.
   */
  decode(records: DataView, start: number, count: number): void {
    const { pointRecordLength, pointFormat } = this.header;
    const [scaleX, scaleY, scaleZ] = this.header.scale;
    const offsetX = this.header.offset[0] - this.origin[0];
    const offsetY = this.header.offset[1] - this.origin[1];
    const offsetZ = this.header.offset[2] - this.origin[2];
    const extended = pointFormat >= 6;
    const { positions, intensity, semantic, returnNumber, numberOfReturns, pointSourceId } = this;
    const first = this.decodedCount;
    for (let point = first, record = start; point < first + count; point++, record += pointRecordLength) {
      positions[point * 3] = records.getInt32(record, true) * scaleX + offsetX;
      positions[point * 3 + 1] = records.getInt32(record + 4, true) * scaleY + offsetY;
      positions[point * 3 + 2] = records.getInt32(record + 8, true) * scaleZ + offsetZ;
      // x - x is NaN exactly for NaN and ±Infinity; read back from float32, so overflow to Infinity counts.
      if (positions[point * 3] - positions[point * 3] !== 0 || positions[point * 3 + 1] - positions[point * 3 + 1] !== 0 || positions[point * 3 + 2] - positions[point * 3 + 2] !== 0) {
        this.failNonFinite(point);
      }
      intensity[point] = records.getUint16(record + 12, true);
      const returns = records.getUint8(record + 14);
      if (extended) {
        returnNumber[point] = returns & 0x0f;
        numberOfReturns[point] = returns >> 4;
        semantic[point] = records.getUint8(record + 16);
        pointSourceId[point] = records.getUint16(record + 20, true);
      } else {
        returnNumber[point] = returns & 0x07;
        numberOfReturns[point] = (returns >> 3) & 0x07;
        // Bits 5–7 are the synthetic / key-point / withheld flags, not part of the class.
        semantic[point] = records.getUint8(record + 15) & 0x1f;
        pointSourceId[point] = records.getUint16(record + 18, true);
      }
    }
    const gpsTime = this.gpsTime;
    if (gpsTime !== undefined) {
      const gpsOffset = GPS_TIME_OFFSETS[pointFormat];
      for (let point = first, record = start + gpsOffset; point < first + count; point++, record += pointRecordLength) gpsTime[point] = records.getFloat64(record, true);
    }
    if (this.colors !== undefined) this.decodeColors(records, start + COLOR_OFFSETS[pointFormat], first, count);
    for (const { field, values } of this.extras) {
      const type = EXTRA_BYTES_TYPES[field.dataType]!;
      const scaled = field.scale !== undefined || field.offset !== undefined;
      const scale = field.scale ?? 1;
      const offset = field.offset ?? 0;
      for (let point = first, record = start + field.recordOffset; point < first + count; point++, record += pointRecordLength) {
        values[point] = scaled ? type.read(records, record) * scale + offset : type.read(records, record);
      }
    }
    this.decodedCount += count;
  }

  /**
   * The standard asks for 16-bit colours, but some writers store 0..255: while every value so far is ≤ 255 they are
   * kept as they are; at the first value above 255 the file is taken as 16-bit and every colour becomes its high
   * byte, which for the values already stored (all ≤ 255) is 0. Same result as dividing by 256 after the fact,
   * without a 16-bit copy of the colours.
   */
  private decodeColors(records: DataView, start: number, first: number, count: number): void {
    const colors = this.colors!;
    const recordLength = this.header.pointRecordLength;
    for (let point = first, record = start; point < first + count; point++, record += recordLength) {
      for (let channel = 0; channel < 3; channel++) {
        const value = records.getUint16(record + channel * 2, true);
        if (value > 255 && this.colorShift === 0) {
          this.colorShift = 8;
          colors.fill(0, 0, point * 3 + channel);
        }
        colors[point * 3 + channel] = value >> this.colorShift;
      }
    }
  }

  private failNonFinite(point: number): never {
    const axis = [0, 1, 2].find((index) => !Number.isFinite(this.positions[point * 3 + index]))!;
    throw new PointCloudFormatError({
      format: this.format,
      fileName: this.fileName,
      byteOffset: this.recordByteOffset(point),
      field: 'scale/offset',
      message: `point ${point}: ${'xyz'[axis]} = ${this.positions[point * 3 + axis]} after applying the header's scale and offset; expected a finite coordinate within float32 range`,
    });
  }

  /**
   * The cloud, once every record is decoded. Extra-bytes fields go into `attributes` (never over a standard one)
   * and an integer `instance` field into `instance`.
   * @throws {PointCloudFormatError} when fewer records were decoded than the header declares.
   */
  finish(): LasPointCloud {
    const { header } = this;
    if (this.decodedCount !== header.pointCount) {
      throw new PointCloudFormatError({ format: this.format, fileName: this.fileName, field: 'pointCount', message: `decoded ${this.decodedCount} points, header declares ${header.pointCount}` });
    }
    const attributes: Record<string, PointAttributeArray> = {
      returnNumber: this.returnNumber,
      numberOfReturns: this.numberOfReturns,
      pointSourceId: this.pointSourceId,
    };
    if (this.gpsTime !== undefined) attributes.gpsTime = this.gpsTime;
    const metadata = createLasMetadata(header, this.semantic);
    const cloud: LasPointCloud = { pointCount: header.pointCount, positions: this.positions, intensity: this.intensity, semantic: this.semantic, attributes, metadata };
    if (this.colors !== undefined) {
      cloud.colors = this.colors;
      metadata.colorDepth = this.colorShift === 8 ? 16 : 8;
    }
    for (const { field, values } of this.extras) {
      const integral = !(values instanceof Float32Array || values instanceof Float64Array);
      if (field.name === 'instance' && integral && values.every((value) => value <= 0x7fffffff)) {
        cloud.instance = values instanceof Int32Array ? values : Int32Array.from(values);
        continue;
      }
      attributes[field.name in attributes ? `extra_${field.name}` : field.name] = values;
    }
    return cloud;
  }
}

/** Metadata of a LAS cloud: origin, header, the ASPRS names of the classes present, header comments. */
export function createLasMetadata(header: LasHeader, semantic: Int32Array): LasPointCloudMetadata {
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
