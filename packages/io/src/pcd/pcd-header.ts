import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** Scalar type letter of a PCD field: signed int, unsigned int or float. */
export type PcdFieldType = 'I' | 'U' | 'F';

/** Storage of the point records after the header. */
export type PcdDataKind = 'ascii' | 'binary' | 'binary_compressed';

/** One `FIELDS` entry of a PCD header. */
export interface PcdField {
  /** Field name, e.g. `'x'`, `'rgb'`, `'normal_x'`. */
  name: string;
  /** Bytes per component (1, 2, 4 or 8). */
  size: number;
  /** Scalar type of each component. */
  type: PcdFieldType;
  /** Components per point (`COUNT`), e.g. 33 for an FPFH descriptor. */
  count: number;
  /** Byte offset of the field inside one binary point record. */
  recordOffset: number;
  /** Index of the field's first component among all components of a record (ASCII column). */
  columnOffset: number;
}

/** A parsed PCD header. */
export interface PcdHeader {
  /** `VERSION` value, e.g. `'0.7'`; empty when the header has none. */
  version: string;
  /** Fields in record order. */
  fields: PcdField[];
  /** `WIDTH`: points per row (organised) or the point count (unorganised). */
  width: number;
  /** `HEIGHT`: rows (organised) or 1 (unorganised). */
  height: number;
  /** `VIEWPOINT`: tx ty tz qw qx qy qz (metres, unit quaternion). */
  viewpoint: number[];
  /** `POINTS`: number of point records. */
  pointCount: number;
  /** `DATA` storage kind. */
  dataKind: PcdDataKind;
  /** Bytes of one binary point record (sum of size × count). */
  recordSize: number;
  /** Components of one record (sum of count); ASCII columns. */
  columnCount: number;
  /** Byte offset of the first byte after the `DATA` line. */
  dataByteOffset: number;
  /** 1-based line number of the first data line (ASCII). */
  dataLine: number;
  /** `#` comment lines of the header, without the `#`. */
  comments: string[];
}

const HEADER_KEYS = new Set(['VERSION', 'FIELDS', 'COLUMNS', 'SIZE', 'TYPE', 'COUNT', 'WIDTH', 'HEIGHT', 'VIEWPOINT', 'POINTS', 'DATA']);
/** PCD headers are short; a DATA line further in than this means the input is not a PCD file. */
const MAXIMUM_HEADER_BYTES = 1 << 20;

/**
 * Parses the ASCII header of a PCD file (v0.5–0.7) and validates it.
 *
 * @param bytes - The whole file, or (streams) its start up to at least the end of the `DATA` line.
 * @param fileName - File name, for errors.
 * @param fileLength - Size of the whole file in bytes, when `bytes` is only its start.
 * @throws {@link PointCloudFormatError} for a missing or inconsistent key.
 */
export function parsePcdHeader(bytes: Uint8Array, fileName?: string, fileLength = bytes.length): PcdHeader {
  const values = new Map<string, { tokens: string[]; line: number }>();
  const comments: string[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  let dataByteOffset = -1;
  const decoder = new TextDecoder('latin1');
  while (lineStart < bytes.length && lineStart < MAXIMUM_HEADER_BYTES) {
    let lineEnd = bytes.indexOf(0x0a, lineStart);
    if (lineEnd === -1) lineEnd = bytes.length;
    lineNumber++;
    const text = decoder.decode(bytes.subarray(lineStart, lineEnd)).trim();
    const nextLineStart = lineEnd + 1;
    if (text.startsWith('#')) {
      comments.push(text.slice(1).trim());
    } else if (text.length > 0) {
      const tokens = text.split(/\s+/);
      const key = tokens[0].toUpperCase();
      if (!HEADER_KEYS.has(key)) {
        throw new PointCloudFormatError({
          format: 'pcd',
          fileName,
          line: lineNumber,
          field: tokens[0],
          message: `unknown header key '${tokens[0]}' before the DATA line (expected one of ${[...HEADER_KEYS].join(' ')})`,
        });
      }
      values.set(key === 'COLUMNS' ? 'FIELDS' : key, { tokens: tokens.slice(1), line: lineNumber });
      if (key === 'DATA') {
        dataByteOffset = Math.min(nextLineStart, bytes.length);
        break;
      }
    }
    lineStart = nextLineStart;
  }
  if (dataByteOffset < 0) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: 0,
      field: 'DATA',
      message: 'no DATA line found in the header (wrong magic or truncated header)',
    });
  }
  const require = (key: string): { tokens: string[]; line: number } => {
    const entry = values.get(key);
    if (!entry || entry.tokens.length === 0) {
      throw new PointCloudFormatError({ format: 'pcd', fileName, field: key, message: `header key ${key} is missing or empty` });
    }
    return entry;
  };
  const parseInteger = (key: string, token: string, line: number, minimum: number): number => {
    const value = Number(token);
    if (!/^[+]?\d+$/.test(token) || !Number.isSafeInteger(value) || value < minimum) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        line,
        field: key,
        message: `expected an integer >= ${minimum}, got '${token}'`,
      });
    }
    return value;
  };

  const fieldsEntry = require('FIELDS');
  const names = fieldsEntry.tokens;
  const sizeEntry = require('SIZE');
  const typeEntry = require('TYPE');
  const countEntry = values.get('COUNT');
  const checkLength = (key: string, entry: { tokens: string[]; line: number }): void => {
    if (entry.tokens.length !== names.length) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        line: entry.line,
        field: key,
        message: `${entry.tokens.length} entries for ${names.length} FIELDS`,
      });
    }
  };
  checkLength('SIZE', sizeEntry);
  checkLength('TYPE', typeEntry);
  if (countEntry) checkLength('COUNT', countEntry);

  const fields: PcdField[] = [];
  let recordSize = 0;
  let columnCount = 0;
  for (let index = 0; index < names.length; index++) {
    const size = parseInteger('SIZE', sizeEntry.tokens[index], sizeEntry.line, 1);
    const typeToken = typeEntry.tokens[index].toUpperCase();
    const count = countEntry ? parseInteger('COUNT', countEntry.tokens[index], countEntry.line, 1) : 1;
    const validSizes = typeToken === 'F' ? [4, 8] : typeToken === 'I' || typeToken === 'U' ? [1, 2, 4, 8] : [];
    if (!validSizes.includes(size)) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        line: typeEntry.line,
        field: names[index],
        message: `unsupported TYPE ${typeEntry.tokens[index]} with SIZE ${size} (expected F 4/8, I or U 1/2/4/8)`,
      });
    }
    fields.push({ name: names[index], size, type: typeToken as PcdFieldType, count, recordOffset: recordSize, columnOffset: columnCount });
    recordSize += size * count;
    columnCount += count;
  }

  // Every column becomes an array of its own (even for an empty cloud): bound their number by the bytes present.
  if (columnCount > fileLength) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      line: countEntry?.line ?? fieldsEntry.line,
      field: 'COUNT',
      message: `FIELDS and COUNT declare ${columnCount} values per point, more than the ${fileLength} bytes of the file`,
    });
  }
  const widthEntry = require('WIDTH');
  const width = parseInteger('WIDTH', widthEntry.tokens[0], widthEntry.line, 0);
  const heightEntry = values.get('HEIGHT');
  const height = heightEntry ? parseInteger('HEIGHT', heightEntry.tokens[0], heightEntry.line, 0) : 1;
  const pointsEntry = values.get('POINTS');
  const pointCount = pointsEntry ? parseInteger('POINTS', pointsEntry.tokens[0], pointsEntry.line, 0) : width * height;
  if (pointCount !== width * height) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      line: pointsEntry?.line,
      field: 'POINTS',
      message: `POINTS ${pointCount} differs from WIDTH × HEIGHT = ${width} × ${height}`,
    });
  }
  const viewpointEntry = values.get('VIEWPOINT');
  const viewpoint = viewpointEntry ? viewpointEntry.tokens.map(Number) : [0, 0, 0, 1, 0, 0, 0];
  if (viewpoint.length !== 7 || viewpoint.some((value) => !Number.isFinite(value))) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      line: viewpointEntry?.line,
      field: 'VIEWPOINT',
      message: 'expected 7 finite numbers (tx ty tz qw qx qy qz)',
    });
  }
  const dataEntry = require('DATA');
  const dataKind = dataEntry.tokens[0].toLowerCase();
  if (dataKind !== 'ascii' && dataKind !== 'binary' && dataKind !== 'binary_compressed') {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      line: dataEntry.line,
      field: 'DATA',
      message: `unsupported DATA '${dataEntry.tokens[0]}' (expected ascii, binary or binary_compressed)`,
    });
  }
  return {
    version: values.get('VERSION')?.tokens[0] ?? '',
    fields,
    width,
    height,
    viewpoint,
    pointCount,
    dataKind,
    recordSize,
    columnCount,
    dataByteOffset,
    dataLine: dataEntry.line + 1,
    comments,
  };
}
