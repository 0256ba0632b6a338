import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { lookUpPlyScalarType, type PlyScalarTypeInfo } from './ply-property-types.js';

/** Body encodings a PLY header can declare. */
export type PlyEncoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

/** One `property` line of a PLY element. */
export interface PlyProperty {
  /** Property name as written in the header. */
  name: string;
  /** Scalar type, or the item type of a list property. */
  type: PlyScalarTypeInfo;
  /** For `property list <countType> <itemType> <name>`: the type of the leading item count. */
  listCountType?: PlyScalarTypeInfo;
  /** Byte offset inside a row; only for scalar properties of elements without lists. */
  rowByteOffset: number;
}

/** One `element` of a PLY header. */
export interface PlyElement {
  /** Element name (`vertex`, `face`, …). */
  name: string;
  /** Number of rows declared by the header. */
  count: number;
  /** Properties in file order. */
  properties: PlyProperty[];
  /** Bytes per row when the element has only scalar properties; `undefined` when it has list properties. */
  rowByteSize: number | undefined;
  /** 1-based header line declaring the element. */
  headerLine: number;
}

/** A parsed PLY header. */
export interface PlyHeader {
  /** Body encoding. */
  encoding: PlyEncoding;
  /** Elements in body order. */
  elements: PlyElement[];
  /** `comment` and `obj_info` lines, without the keyword. */
  comments: string[];
  /** Byte offset where the body starts (just past the `end_header` line break). */
  bodyByteOffset: number;
  /** Number of lines in the header, `end_header` included. */
  headerLineCount: number;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
/** Largest element count accepted (counts are also checked against the bytes present). */
const MAXIMUM_ELEMENT_COUNT = 2 ** 32 - 1;

/** Parses the ASCII header of a PLY file; throws {@link PointCloudFormatError} naming the line on any problem. */
export function parsePlyHeader(bytes: Uint8Array, fileName?: string): PlyHeader {
  const fail = (message: string, line?: number, byteOffset?: number, field?: string): never => {
    throw new PointCloudFormatError({ format: 'ply', fileName, line, byteOffset, field, message });
  };
  const magicOk =
    bytes.length >= 4 &&
    bytes[0] === 0x70 &&
    bytes[1] === 0x6c &&
    bytes[2] === 0x79 &&
    (bytes[3] === LINE_FEED || (bytes[3] === CARRIAGE_RETURN && bytes[4] === LINE_FEED));
  if (!magicOk) fail("bad magic: expected the file to start with 'ply' and a line break", 1, 0);

  let encoding: PlyEncoding | undefined;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  while (true) {
    if (lineStart >= bytes.length) {
      fail("missing 'end_header': the header runs to the end of the input", lineNumber, bytes.length);
    }
    let lineEnd = bytes.indexOf(LINE_FEED, lineStart);
    const nextLineStart = lineEnd === -1 ? bytes.length : lineEnd + 1;
    if (lineEnd === -1) lineEnd = bytes.length;
    lineNumber++;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && bytes[contentEnd - 1] === CARRIAGE_RETURN) contentEnd--;
    if (contentEnd - lineStart > 65536) {
      fail("missing 'end_header': header line longer than 64 KiB (binary data before end_header?)", lineNumber, lineStart);
    }
    const line = latin1(bytes, lineStart, contentEnd);
    const words = line.trim().split(/\s+/);
    const keyword = words[0];
    if (lineNumber === 1) {
      // Magic already checked.
    } else if (keyword === 'end_header') {
      if (encoding === undefined) fail("missing 'format' line before 'end_header'", lineNumber, lineStart);
      return {
        encoding: encoding as PlyEncoding,
        elements,
        comments,
        bodyByteOffset: nextLineStart,
        headerLineCount: lineNumber,
      };
    } else if (keyword === 'comment' || keyword === 'obj_info') {
      comments.push(line.trim().slice(keyword.length).trim());
    } else if (keyword === 'format') {
      if (encoding !== undefined) fail("second 'format' line", lineNumber, lineStart);
      const declared = words[1];
      if (declared !== 'ascii' && declared !== 'binary_little_endian' && declared !== 'binary_big_endian') {
        fail(`unsupported format '${declared ?? ''}': expected ascii, binary_little_endian or binary_big_endian`, lineNumber, lineStart, 'format');
      }
      if (words[2] === undefined || !/^1(\.0*)?$/.test(words[2])) {
        fail(`unsupported version '${words[2] ?? ''}': expected 1.0`, lineNumber, lineStart, 'format');
      }
      encoding = declared as PlyEncoding;
    } else if (keyword === 'element') {
      if (words.length !== 3) fail("expected 'element <name> <count>'", lineNumber, lineStart);
      const countText = words[2];
      const count = /^\d{1,10}$/.test(countText) ? Number(countText) : Number.NaN;
      if (!(count <= MAXIMUM_ELEMENT_COUNT)) {
        fail(`element count '${countText}' is not a whole number up to ${MAXIMUM_ELEMENT_COUNT}`, lineNumber, lineStart, words[1]);
      }
      elements.push({ name: words[1], count, properties: [], rowByteSize: 0, headerLine: lineNumber });
    } else if (keyword === 'property') {
      const element = elements[elements.length - 1];
      if (element === undefined) fail("'property' line before any 'element' line", lineNumber, lineStart);
      let property: PlyProperty;
      if (words[1] === 'list') {
        if (words.length !== 5) fail("expected 'property list <countType> <itemType> <name>'", lineNumber, lineStart);
        const countType = lookUpPlyScalarType(words[2]);
        const itemType = lookUpPlyScalarType(words[3]);
        if (countType === undefined || !countType.integer) {
          fail(`unsupported list count type '${words[2]}': expected an integer PLY type`, lineNumber, lineStart, words[4]);
        }
        if (itemType === undefined) fail(`unsupported property type '${words[3]}'`, lineNumber, lineStart, words[4]);
        property = { name: words[4], type: itemType as PlyScalarTypeInfo, listCountType: countType, rowByteOffset: -1 };
        element.rowByteSize = undefined;
      } else {
        if (words.length !== 3) fail("expected 'property <type> <name>'", lineNumber, lineStart);
        const type = lookUpPlyScalarType(words[1]);
        if (type === undefined) {
          fail(
            `unsupported property type '${words[1]}': expected char/uchar/short/ushort/int/uint/float/double or an int8…float64 alias`,
            lineNumber,
            lineStart,
            words[2],
          );
        }
        const scalarType = type as PlyScalarTypeInfo;
        property = { name: words[2], type: scalarType, rowByteOffset: element.rowByteSize ?? -1 };
        if (element.rowByteSize !== undefined) element.rowByteSize += scalarType.byteSize;
      }
      if (element.properties.some((existing) => existing.name === property.name)) {
        fail(`duplicate property '${property.name}' in element '${element.name}'`, lineNumber, lineStart, property.name);
      }
      element.properties.push(property);
    } else if (line.trim() === '') {
      // Tolerate blank header lines.
    } else {
      fail(`unexpected header line starting with '${keyword.slice(0, 40)}'`, lineNumber, lineStart);
    }
    lineStart = nextLineStart;
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let index = start; index < end; index += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(index, Math.min(end, index + 8192)) as unknown as number[]);
  }
  return text;
}
