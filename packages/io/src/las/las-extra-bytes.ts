import type { PointAttributeArray } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { LAS_POINT_RECORD_SIZES, type LasHeader } from './las-header.js';

/** Bytes of a variable-length record header (LAS 1.4 R15, table 10). */
export const VLR_HEADER_BYTES = 54;
/** Bytes of one extra-bytes descriptor (LAS 1.4 R15, table 24). */
export const EXTRA_BYTES_DESCRIPTOR_BYTES = 192;
/** User id and record id of the extra-bytes VLR. */
export const EXTRA_BYTES_USER_ID = 'LASF_Spec';
export const EXTRA_BYTES_RECORD_ID = 4;

/** Extra-bytes data types 1..10 (LAS 1.4 R15, table 25): byte size and the typed array holding them. */
export const EXTRA_BYTES_TYPES = [
  undefined,
  { size: 1, array: Uint8Array, read: (view: DataView, offset: number) => view.getUint8(offset) },
  { size: 1, array: Int8Array, read: (view: DataView, offset: number) => view.getInt8(offset) },
  { size: 2, array: Uint16Array, read: (view: DataView, offset: number) => view.getUint16(offset, true) },
  { size: 2, array: Int16Array, read: (view: DataView, offset: number) => view.getInt16(offset, true) },
  { size: 4, array: Uint32Array, read: (view: DataView, offset: number) => view.getUint32(offset, true) },
  { size: 4, array: Int32Array, read: (view: DataView, offset: number) => view.getInt32(offset, true) },
  { size: 8, array: Float64Array, read: (view: DataView, offset: number) => Number(view.getBigUint64(offset, true)) },
  { size: 8, array: Float64Array, read: (view: DataView, offset: number) => Number(view.getBigInt64(offset, true)) },
  { size: 4, array: Float32Array, read: (view: DataView, offset: number) => view.getFloat32(offset, true) },
  { size: 8, array: Float64Array, read: (view: DataView, offset: number) => view.getFloat64(offset, true) },
] as const;

/** One scalar extra-bytes field of a point record. */
export interface ExtraBytesField {
  /** Attribute name (the descriptor's name; `name_0`, `name_1`… for the deprecated 2- and 3-element types). */
  name: string;
  /** Data type 1..10. */
  dataType: number;
  /** Byte offset within a point record. */
  recordOffset: number;
  /** `value = raw × scale + offset` when the descriptor's options set them, else undefined. */
  scale?: number;
  offset?: number;
}

/**
 * Finds the extra-bytes VLR (`LASF_Spec`, record 4) among the VLRs and returns the scalar fields it describes, with
 * their byte offsets after the point format's standard fields. Undocumented extra bytes (data type 0) are skipped
 * by their size. Returns [] when the file has no such VLR.
 *
 * @throws {PointCloudFormatError} (field `extraBytes`) for a descriptor with an unknown data type or fields that run
 *   past the point record length.
 */
export function parseExtraBytesFields(bytes: Uint8Array, header: LasHeader, fileName?: string): ExtraBytesField[] {
  const format = header.compressed ? 'laz' : 'las';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const readText = (offset: number, length: number): string => latin1.decode(bytes.subarray(offset, offset + length)).replace(/\0.*$/s, '');
  let descriptorsOffset = -1;
  let descriptorsLength = 0;
  // Stop at the point data: a VLR count that overstates is the LAZ layout check's and the header's business.
  for (let index = 0, offset = header.headerSize; index < header.variableLengthRecordCount && offset + VLR_HEADER_BYTES <= header.pointDataOffset; index++) {
    const recordLength = view.getUint16(offset + 20, true);
    if (readText(offset + 2, 16) === EXTRA_BYTES_USER_ID && view.getUint16(offset + 18, true) === EXTRA_BYTES_RECORD_ID) {
      descriptorsOffset = offset + VLR_HEADER_BYTES;
      descriptorsLength = Math.min(recordLength, header.pointDataOffset - descriptorsOffset);
    }
    offset += VLR_HEADER_BYTES + recordLength;
  }
  if (descriptorsOffset < 0) return [];
  const fields: ExtraBytesField[] = [];
  let recordOffset = LAS_POINT_RECORD_SIZES[header.pointFormat];
  for (let start = descriptorsOffset; start + EXTRA_BYTES_DESCRIPTOR_BYTES <= descriptorsOffset + descriptorsLength; start += EXTRA_BYTES_DESCRIPTOR_BYTES) {
    const dataType = bytes[start + 2];
    const options = bytes[start + 3];
    const name = readText(start + 4, 32).trim() || `extra_${fields.length}`;
    if (dataType === 0) {
      // Undocumented bytes: `options` holds their count.
      recordOffset += options;
      continue;
    }
    if (dataType > 30) {
      throw new PointCloudFormatError({ format, fileName, byteOffset: start + 2, field: 'extraBytes', message: `extra-bytes field '${name}' has data type ${dataType}, expected 0–30` });
    }
    const baseType = ((dataType - 1) % 10) + 1;
    const elementCount = Math.floor((dataType - 1) / 10) + 1;
    for (let element = 0; element < elementCount; element++) {
      fields.push({
        name: elementCount === 1 ? name : `${name}_${element}`,
        dataType: baseType,
        recordOffset,
        scale: options & 0x08 ? view.getFloat64(start + 112 + element * 8, true) : undefined,
        offset: options & 0x10 ? view.getFloat64(start + 136 + element * 8, true) : undefined,
      });
      recordOffset += EXTRA_BYTES_TYPES[baseType]!.size;
    }
  }
  if (recordOffset > header.pointRecordLength) {
    throw new PointCloudFormatError({
      format,
      fileName,
      byteOffset: descriptorsOffset,
      field: 'extraBytes',
      message: `extra-bytes fields need ${recordOffset} bytes per point, but point records are ${header.pointRecordLength} bytes`,
    });
  }
  return fields;
}

/**
 * Reads extra-bytes fields from `pointCount` consecutive point records: each field into its own typed array
 * (scaled fields into a Float64Array).
 */
export function readExtraBytesFields(records: DataView, pointCount: number, recordLength: number, fields: readonly ExtraBytesField[]): Record<string, PointAttributeArray> {
  const result: Record<string, PointAttributeArray> = {};
  for (const field of fields) {
    const type = EXTRA_BYTES_TYPES[field.dataType]!;
    const scaled = field.scale !== undefined || field.offset !== undefined;
    const values = scaled ? new Float64Array(pointCount) : new type.array(pointCount);
    const scale = field.scale ?? 1;
    const offset = field.offset ?? 0;
    for (let point = 0, record = field.recordOffset; point < pointCount; point++, record += recordLength) {
      values[point] = scaled ? type.read(records, record) * scale + offset : type.read(records, record);
    }
    result[field.name] = values;
  }
  return result;
}
