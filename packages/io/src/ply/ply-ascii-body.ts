import { allocateArray } from '../core/point-cloud-allocation.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { DecodedVertices } from './ply-decoded-vertices.js';
import type { PlyElement, PlyHeader, PlyProperty } from './ply-header.js';
import type { PlyScalarTypeInfo } from './ply-property-types.js';

const SPACE = 32;
/** 10^0 … 10^22, all exact doubles. */
const POWERS_OF_TEN = [1];
for (let exponent = 1; exponent <= 22; exponent++) POWERS_OF_TEN.push(POWERS_OF_TEN[exponent - 1] * 10);
const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * Parses an ASCII PLY body: every element's rows, one per line, with values checked against their property types.
 * Impossible counts (more values than the body has characters) are refused before anything is allocated.
 *
 * @returns The vertex element's columns as Float64Arrays.
 * @throws {PointCloudFormatError} naming the line for a missing, extra or malformed value or a truncated body.
 */
export function decodeAsciiBody(
  bytes: Uint8Array,
  header: PlyHeader,
  vertexElement: PlyElement,
  fileName: string | undefined,
): DecodedVertices {
  const text = new TextDecoder('latin1').decode(bytes.subarray(header.bodyByteOffset));
  const length = text.length;
  // Each value needs at least one character and one separator: reject impossible counts before allocating.
  let minimumCharacters = 0;
  for (const element of header.elements) minimumCharacters += element.count * 2 * element.properties.length;
  if (minimumCharacters - 1 > length) {
    throw new PointCloudFormatError({
      format: 'ply',
      fileName,
      byteOffset: header.bodyByteOffset,
      line: header.headerLineCount + 1,
      message: `the header declares more values (${minimumCharacters / 2}) than the ${length}-byte body can hold`,
    });
  }
  let position = 0;
  let line = header.headerLineCount + 1;
  let columns: (Float64Array | undefined)[] = [];
  let vertexLines = new Int32Array(0);
  const fail = (message: string, field?: string): never => {
    throw new PointCloudFormatError({ format: 'ply', fileName, line, field, message });
  };
  /** Reads and checks the next whitespace-separated value on the current line. */
  const readNumber = (type: PlyScalarTypeInfo, propertyName: string): number => {
    let code = text.charCodeAt(position);
    while (code === SPACE || code === TAB || code === CARRIAGE_RETURN) code = text.charCodeAt(++position);
    if (position >= length || code === LINE_FEED) {
      fail(`expected a value for property '${propertyName}' before the end of the line`, propertyName);
    }
    const start = position;
    // Fast path (Clinger): [-]digits[.digits] with a mantissa below 2^53 is exactly mantissa / 10^fractionDigits,
    // the same double Number() returns. Anything else (exponents, long mantissas, nan/inf) falls through.
    let negative = false;
    if (code === 45) {
      negative = true;
      code = text.charCodeAt(++position);
    }
    let mantissa = 0;
    let digitCount = 0;
    let fractionDigits = 0;
    while (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digitCount++;
      code = text.charCodeAt(++position);
    }
    if (code === 46) {
      code = text.charCodeAt(++position);
      while (code >= 48 && code <= 57) {
        mantissa = mantissa * 10 + (code - 48);
        digitCount++;
        fractionDigits++;
        code = text.charCodeAt(++position);
      }
    }
    if (
      digitCount > 0 &&
      mantissa < 9007199254740992 &&
      fractionDigits <= 22 &&
      (position >= length || code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === LINE_FEED)
    ) {
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
      const value = negative ? -magnitude : magnitude;
      if (type.integer && !(Number.isInteger(value) && value >= type.minimum && value <= type.maximum)) {
        fail(`'${text.slice(start, position).slice(0, 40)}' is not a ${type.name} (property '${propertyName}')`, propertyName);
      }
      return value;
    }
    while (position < length && code !== SPACE && code !== TAB && code !== CARRIAGE_RETURN && code !== LINE_FEED) {
      code = text.charCodeAt(++position);
    }
    const token = text.slice(start, position);
    let value = Number(token);
    if (Number.isNaN(value)) value = parseSpecialNumber(token);
    if (Number.isNaN(value) && !/^[-+]?nan/i.test(token)) {
      fail(`'${token.slice(0, 40)}' is not a number (property '${propertyName}')`, propertyName);
    }
    if (type.integer && !(Number.isInteger(value) && value >= type.minimum && value <= type.maximum)) {
      fail(`'${token.slice(0, 40)}' is not a ${type.name} (property '${propertyName}')`, propertyName);
    }
    return value;
  };
  for (const element of header.elements) {
    if (element.properties.length === 0) continue;
    const isVertex = element === vertexElement;
    if (isVertex) {
      columns = element.properties.map((property) =>
        property.listCountType === undefined ? allocateArray(Float64Array, element.count, { format: 'ply', fileName, field: property.name }) : undefined,
      );
      vertexLines = new Int32Array(element.count);
    }
    const properties: PlyProperty[] = element.properties;
    const propertyCount = properties.length;
    for (let rowIndex = 0; rowIndex < element.count; rowIndex++) {
      // Skip blank lines and leading blanks.
      let code = text.charCodeAt(position);
      while (code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === LINE_FEED) {
        if (code === LINE_FEED) line++;
        code = text.charCodeAt(++position);
      }
      if (position >= length) {
        fail(`truncated body: element '${element.name}' declares ${element.count} rows but the input ends after ${rowIndex}`, element.name);
      }
      if (isVertex) vertexLines[rowIndex] = line;
      for (let propertyIndex = 0; propertyIndex < propertyCount; propertyIndex++) {
        const property = properties[propertyIndex];
        if (property.listCountType !== undefined) {
          const itemCount = readNumber(property.listCountType, property.name);
          if (itemCount < 0) fail(`negative list length ${itemCount}`, property.name);
          for (let item = 0; item < itemCount; item++) readNumber(property.type, property.name);
          continue;
        }
        const value = readNumber(property.type, property.name);
        if (isVertex) (columns[propertyIndex] as Float64Array)[rowIndex] = value;
      }
      code = text.charCodeAt(position);
      while (code === SPACE || code === TAB || code === CARRIAGE_RETURN) code = text.charCodeAt(++position);
      if (position < length && code !== LINE_FEED) {
        fail(`more values than the ${propertyCount} properties of element '${element.name}'`, element.name);
      }
    }
  }
  let code = text.charCodeAt(position);
  while (code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === LINE_FEED) {
    if (code === LINE_FEED) line++;
    code = text.charCodeAt(++position);
  }
  if (position < length) fail('unexpected data after the last element: the header counts fewer rows than the body holds');
  const lines = vertexLines;
  return { columns, native: false, locate: (rowIndex) => ({ line: lines[rowIndex] }) };
}

function parseSpecialNumber(token: string): number {
  switch (token.toLowerCase()) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return Number.NaN;
  }
}
