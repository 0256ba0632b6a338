import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { parsePlyHeader, type PlyElement, type PlyHeader, type PlyProperty } from './ply-header.js';
import { assignPlyPropertyRoles } from './ply-property-roles.js';
import { HOST_IS_LITTLE_ENDIAN, type PlyScalarTypeInfo } from './ply-property-types.js';

/**
 * Reads a PLY file (ascii, binary_little_endian or binary_big_endian) into a {@link PointCloud}.
 *
 * Meshes are read as their vertices; face elements and list properties are skipped. Vertex properties map to
 * fields by name: x y z → positions (any scalar type, doubles included), red green blue → colors (uchar as is,
 * ushort scaled by 1/257, float/double 0..1 scaled by 255, or taken as 0..255 when any value exceeds 1),
 * nx ny nz → normals, intensity / scalar_intensity → intensity, instance-like names (`instance`, `instance_id`,
 * `objectId`, …) → instance, semantic-like names (`semantic`, `sem_label`, `class`, `label`, …) → semantic, and
 * every other scalar vertex property → `attributes[name]` in its own type.
 *
 * @throws {PointCloudFormatError} on bad magic, a missing `end_header`, unsupported types, counts larger than the
 *   bytes present, a truncated body, malformed ASCII values or non-finite positions (naming the byte offset or line).
 */
export async function readPly(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return decodePly(bytes, options.fileName);
}

/** Synchronous core of {@link readPly}. */
export function decodePly(bytes: Uint8Array, fileName?: string): PointCloud {
  const header = parsePlyHeader(bytes, fileName);
  const vertexElement = header.elements.find((element) => element.name === 'vertex');
  if (vertexElement === undefined) {
    throw new PointCloudFormatError({ format: 'ply', fileName, message: "no 'vertex' element in the header", field: 'vertex' });
  }
  const decoded =
    header.encoding === 'ascii'
      ? decodeAsciiBody(bytes, header, vertexElement, fileName)
      : decodeBinaryBody(bytes, header, vertexElement, header.encoding === 'binary_little_endian', fileName);
  return assemblePointCloud(decoded, vertexElement, header, fileName);
}

/** Scalar vertex columns, indexed like the vertex properties (`undefined` for list properties). */
interface DecodedVertices {
  /** Scalar columns (decoded lazily for binary bodies, so fast paths can skip them). */
  columns: (ArrayLike<number> | undefined)[];
  /**
   * Binary bodies in host byte order only: copies `byteCount` consecutive bytes of every row, starting at the
   * property's offset, into `target` (rows back to back). Lets x y z floats or r g b uchars land in place in one pass.
   */
  copyRowBytes?: (propertyIndex: number, byteCount: number, target: Uint8Array) => void;
  /** Whether the columns are already in the property's native typed array (binary) or Float64Array (ascii). */
  native: boolean;
  /** Where row `rowIndex`, property `propertyIndex` sits, for error messages. */
  locate: (rowIndex: number, propertyIndex: number) => { byteOffset?: number; line?: number };
}

// ---------------------------------------------------------------------------------------------------------------
// Binary bodies

function decodeBinaryBody(
  bytes: Uint8Array,
  header: PlyHeader,
  vertexElement: PlyElement,
  littleEndian: boolean,
  fileName: string | undefined,
): DecodedVertices {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = header.bodyByteOffset;
  let decoded: DecodedVertices | undefined;
  for (const element of header.elements) {
    const remaining = bytes.length - offset;
    if (element.rowByteSize !== undefined) {
      const needed = element.count * element.rowByteSize;
      if (needed > remaining) {
        throw new PointCloudFormatError({
          format: 'ply',
          fileName,
          byteOffset: offset,
          field: element.name,
          message: `truncated body: element '${element.name}' declares ${element.count} rows of ${element.rowByteSize} bytes (${needed} bytes) but only ${remaining} bytes remain`,
        });
      }
      if (element === vertexElement) {
        const block = bytes.subarray(offset, offset + needed);
        const stride = element.rowByteSize;
        const blockStart = offset;
        decoded = {
          columns: lazyColumns(element.properties, (property) =>
            gatherColumn(block, element.count, stride, property.rowByteOffset, property.type, littleEndian),
          ),
          copyRowBytes:
            littleEndian === HOST_IS_LITTLE_ENDIAN
              ? (propertyIndex, byteCount, target) =>
                  copyRowBytes(block, element.count, stride, element.properties[propertyIndex].rowByteOffset, byteCount, target)
              : undefined,
          native: true,
          locate: (rowIndex, propertyIndex) => ({
            byteOffset: blockStart + rowIndex * stride + element.properties[propertyIndex].rowByteOffset,
          }),
        };
      }
      offset += needed;
      continue;
    }
    // Elements with list properties: walk row by row.
    let minimumRowSize = 0;
    for (const property of element.properties) {
      minimumRowSize += property.listCountType !== undefined ? property.listCountType.byteSize : property.type.byteSize;
    }
    if (element.count * minimumRowSize > remaining) {
      throw new PointCloudFormatError({
        format: 'ply',
        fileName,
        byteOffset: offset,
        field: element.name,
        message: `truncated body: element '${element.name}' declares ${element.count} rows of at least ${minimumRowSize} bytes but only ${remaining} bytes remain`,
      });
    }
    const isVertex = element === vertexElement;
    // For a vertex element with list properties, copy its scalar bytes into a compact block to decode as usual.
    const scalarProperties = element.properties.filter((property) => property.listCountType === undefined);
    const compactStride = scalarProperties.reduce((sum, property) => sum + property.type.byteSize, 0);
    const compact = isVertex ? new Uint8Array(element.count * compactStride) : undefined;
    const rowStarts = isVertex ? new Float64Array(element.count) : undefined;
    for (let rowIndex = 0; rowIndex < element.count; rowIndex++) {
      if (rowStarts !== undefined) rowStarts[rowIndex] = offset;
      let compactOffset = rowIndex * compactStride;
      for (const property of element.properties) {
        const countType = property.listCountType;
        if (countType === undefined) {
          const size = property.type.byteSize;
          if (offset + size > bytes.length) throw truncatedRow(fileName, element, rowIndex, offset);
          if (compact !== undefined) {
            compact.set(bytes.subarray(offset, offset + size), compactOffset);
            compactOffset += size;
          }
          offset += size;
          continue;
        }
        if (offset + countType.byteSize > bytes.length) throw truncatedRow(fileName, element, rowIndex, offset);
        const itemCount = readInteger(view, offset, countType, littleEndian);
        if (itemCount < 0) {
          throw new PointCloudFormatError({
            format: 'ply',
            fileName,
            byteOffset: offset,
            field: property.name,
            message: `negative list length ${itemCount} in row ${rowIndex} of element '${element.name}'`,
          });
        }
        offset += countType.byteSize;
        const listBytes = itemCount * property.type.byteSize;
        if (offset + listBytes > bytes.length) throw truncatedRow(fileName, element, rowIndex, offset);
        offset += listBytes;
      }
    }
    if (isVertex && compact !== undefined && rowStarts !== undefined) {
      let compactOffset = 0;
      const compactOffsets = element.properties.map((property) => {
        if (property.listCountType !== undefined) return -1;
        const start = compactOffset;
        compactOffset += property.type.byteSize;
        return start;
      });
      const columns = element.properties.map((property, index) =>
        property.listCountType !== undefined
          ? undefined
          : gatherColumn(compact, element.count, compactStride, compactOffsets[index], property.type, littleEndian),
      );
      decoded = {
        columns,
        copyRowBytes:
          littleEndian === HOST_IS_LITTLE_ENDIAN
            ? (propertyIndex, byteCount, target) =>
                copyRowBytes(compact, element.count, compactStride, compactOffsets[propertyIndex], byteCount, target)
            : undefined,
        native: true,
        locate: (rowIndex) => ({ byteOffset: rowStarts[rowIndex] }),
      };
    }
  }
  checkTrailingBytes(bytes, offset, fileName);
  return decoded as DecodedVertices;
}

function truncatedRow(fileName: string | undefined, element: PlyElement, rowIndex: number, offset: number): PointCloudFormatError {
  return new PointCloudFormatError({
    format: 'ply',
    fileName,
    byteOffset: offset,
    field: element.name,
    message: `truncated body: row ${rowIndex} of ${element.count} of element '${element.name}' runs past the end of the input`,
  });
}

/** Binary bodies may end with line breaks, spaces or zero padding; anything else means the header undercounts. */
function checkTrailingBytes(bytes: Uint8Array, offset: number, fileName: string | undefined): void {
  for (let index = offset; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte !== 0 && byte !== 10 && byte !== 13 && byte !== 32) {
      throw new PointCloudFormatError({
        format: 'ply',
        fileName,
        byteOffset: offset,
        message: `${bytes.length - offset} unexpected bytes after the last element: the header counts fewer rows than the body holds`,
      });
    }
  }
}

function readInteger(view: DataView, offset: number, type: PlyScalarTypeInfo, littleEndian: boolean): number {
  switch (type.name) {
    case 'char':
      return view.getInt8(offset);
    case 'uchar':
      return view.getUint8(offset);
    case 'short':
      return view.getInt16(offset, littleEndian);
    case 'ushort':
      return view.getUint16(offset, littleEndian);
    case 'int':
      return view.getInt32(offset, littleEndian);
    default:
      return view.getUint32(offset, littleEndian);
  }
}

/** An array whose entries are computed on first access (list properties stay `undefined`). */
function lazyColumns(properties: PlyProperty[], gather: (property: PlyProperty) => PointAttributeArray): (ArrayLike<number> | undefined)[] {
  const cache: (PointAttributeArray | undefined)[] = new Array(properties.length);
  return new Proxy(cache, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const index = Number(key);
        const property = properties[index];
        if (property === undefined || property.listCountType !== undefined) return undefined;
        target[index] ??= gather(property);
        return target[index];
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/** Copies `byteCount` bytes from each of `count` rows of `stride` bytes (from `rowByteOffset`) into `target`, back to back. */
function copyRowBytes(block: Uint8Array, count: number, stride: number, rowByteOffset: number, byteCount: number, target: Uint8Array): void {
  let source = rowByteOffset;
  if (byteCount === 12) {
    for (let index = 0, written = 0; index < count; index++, source += stride, written += 12) {
      target[written] = block[source];
      target[written + 1] = block[source + 1];
      target[written + 2] = block[source + 2];
      target[written + 3] = block[source + 3];
      target[written + 4] = block[source + 4];
      target[written + 5] = block[source + 5];
      target[written + 6] = block[source + 6];
      target[written + 7] = block[source + 7];
      target[written + 8] = block[source + 8];
      target[written + 9] = block[source + 9];
      target[written + 10] = block[source + 10];
      target[written + 11] = block[source + 11];
    }
  } else if (byteCount === 3) {
    for (let index = 0, written = 0; index < count; index++, source += stride, written += 3) {
      target[written] = block[source];
      target[written + 1] = block[source + 1];
      target[written + 2] = block[source + 2];
    }
  } else {
    for (let index = 0, written = 0; index < count; index++, source += stride, written += byteCount) {
      for (let byte = 0; byte < byteCount; byte++) target[written + byte] = block[source + byte];
    }
  }
}

/**
 * Copies one property out of `count` rows of `stride` bytes into its own typed array. Works byte-wise into a fresh,
 * aligned buffer (swapping bytes for the other endianness), so no DataView call and no alignment condition is
 * needed; the loops only ever see Uint8Arrays, which keeps them monomorphic.
 */
function gatherColumn(
  block: Uint8Array,
  count: number,
  stride: number,
  rowByteOffset: number,
  type: PlyScalarTypeInfo,
  littleEndian: boolean,
): PointAttributeArray {
  const size = type.byteSize;
  const column = new type.arrayConstructor(count);
  const target = new Uint8Array(column.buffer);
  const swap = littleEndian !== HOST_IS_LITTLE_ENDIAN;
  let source = rowByteOffset;
  if (size === 1) {
    for (let index = 0; index < count; index++, source += stride) target[index] = block[source];
  } else if (size === 2) {
    const first = swap ? 1 : 0;
    const second = swap ? 0 : 1;
    for (let index = 0, written = 0; index < count; index++, source += stride, written += 2) {
      target[written + first] = block[source];
      target[written + second] = block[source + 1];
    }
  } else if (size === 4) {
    if (swap) {
      for (let index = 0, written = 0; index < count; index++, source += stride, written += 4) {
        target[written + 3] = block[source];
        target[written + 2] = block[source + 1];
        target[written + 1] = block[source + 2];
        target[written] = block[source + 3];
      }
    } else {
      for (let index = 0, written = 0; index < count; index++, source += stride, written += 4) {
        target[written] = block[source];
        target[written + 1] = block[source + 1];
        target[written + 2] = block[source + 2];
        target[written + 3] = block[source + 3];
      }
    }
  } else {
    for (let index = 0, written = 0; index < count; index++, source += stride, written += 8) {
      for (let byte = 0; byte < 8; byte++) target[written + (swap ? 7 - byte : byte)] = block[source + byte];
    }
  }
  return column;
}

// ---------------------------------------------------------------------------------------------------------------
// ASCII bodies

const SPACE = 32;
/** 10^0 … 10^22, all exact doubles. */
const POWERS_OF_TEN = [1];
for (let exponent = 1; exponent <= 22; exponent++) POWERS_OF_TEN.push(POWERS_OF_TEN[exponent - 1] * 10);
const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

function decodeAsciiBody(
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
      columns = element.properties.map((property) => (property.listCountType === undefined ? new Float64Array(element.count) : undefined));
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

// ---------------------------------------------------------------------------------------------------------------
// Columns → PointCloud

function assemblePointCloud(
  decoded: DecodedVertices,
  vertexElement: PlyElement,
  header: PlyHeader,
  fileName: string | undefined,
): PointCloud {
  const pointCount = vertexElement.count;
  const properties = vertexElement.properties;
  const scalarIndices: number[] = [];
  properties.forEach((property, index) => {
    if (property.listCountType === undefined) scalarIndices.push(index);
  });
  const roles = assignPlyPropertyRoles(scalarIndices.map((index) => properties[index].name));
  const propertyIndexOf = (roleIndex: number): number => scalarIndices[roleIndex];
  const columnOf = (roleIndex: number): ArrayLike<number> => decoded.columns[propertyIndexOf(roleIndex)] as ArrayLike<number>;
  /** Whether three roles are adjacent scalar properties (so adjacent bytes of a row) of one type. */
  const consecutiveOfType = (roleIndices: readonly number[], typeName: string): boolean =>
    roleIndices[1] === roleIndices[0] + 1 &&
    roleIndices[2] === roleIndices[0] + 2 &&
    roleIndices.every((roleIndex) => properties[propertyIndexOf(roleIndex)].type.name === typeName);
  const fail = (message: string, rowIndex: number | undefined, roleIndex: number | undefined, field?: string): never => {
    const where = rowIndex !== undefined && roleIndex !== undefined ? decoded.locate(rowIndex, propertyIndexOf(roleIndex)) : {};
    throw new PointCloudFormatError({ format: 'ply', fileName, field, message, ...where });
  };

  for (let axis = 0; axis < 3; axis++) {
    if (roles.position[axis] === -1) {
      fail(`the vertex element has no '${'xyz'[axis]}' property`, undefined, undefined, 'xyz'[axis]);
    }
  }
  const positions = new Float32Array(pointCount * 3);
  if (consecutiveOfType(roles.position, 'float') && decoded.copyRowBytes !== undefined) {
    // Fast path: float x y z side by side in host byte order land in place.
    decoded.copyRowBytes(propertyIndexOf(roles.position[0]), 12, new Uint8Array(positions.buffer));
  } else {
    for (let axis = 0; axis < 3; axis++) {
      const column = columnOf(roles.position[axis]);
      for (let index = 0, target = axis; index < pointCount; index++, target += 3) positions[target] = column[index];
    }
  }
  // x - x is NaN exactly for NaN and ±Infinity (doubles beyond the float32 range overflow to Infinity here).
  for (let index = 0; index < positions.length; index++) {
    const value = positions[index];
    if (value - value !== 0) {
      const axis = index % 3;
      fail(
        `non-finite position ${'xyz'[axis]} = ${columnOf(roles.position[axis])[(index - axis) / 3]} at vertex ${(index - axis) / 3}: expected a finite float32`,
        (index - axis) / 3,
        roles.position[axis],
        'xyz'[axis],
      );
    }
  }

  const cloud: PointCloud = { pointCount, positions };
  const attributeRoleIndices = [...roles.attributes];
  if (roles.color !== undefined && consecutiveOfType(roles.color, 'uchar') && decoded.copyRowBytes !== undefined) {
    cloud.colors = new Uint8Array(pointCount * 3);
    decoded.copyRowBytes(propertyIndexOf(roles.color[0]), 3, cloud.colors);
  } else if (roles.color !== undefined) {
    cloud.colors = convertColors(roles.color.map(columnOf), roles.color.map((roleIndex) => properties[propertyIndexOf(roleIndex)].type), pointCount);
  }
  if (roles.normal !== undefined) {
    const normals = new Float32Array(pointCount * 3);
    for (let axis = 0; axis < 3; axis++) {
      const column = columnOf(roles.normal[axis]);
      for (let index = 0, target = axis; index < pointCount; index++, target += 3) normals[target] = column[index];
    }
    cloud.normals = normals;
  }
  if (roles.intensity !== -1) cloud.intensity = Float32Array.from(columnOf(roles.intensity));
  for (const role of ['instance', 'semantic'] as const) {
    const roleIndex = roles[role];
    if (roleIndex === -1) continue;
    const labels = convertLabels(columnOf(roleIndex), pointCount);
    // Labels that do not fit an Int32 (NaN, fractions, packed uint32) stay available under their own name.
    if (labels === undefined) attributeRoleIndices.push(roleIndex);
    else cloud[role] = labels;
  }
  if (attributeRoleIndices.length > 0) {
    attributeRoleIndices.sort((first, second) => first - second);
    const attributes: Record<string, PointAttributeArray> = {};
    for (const roleIndex of attributeRoleIndices) {
      const property = properties[propertyIndexOf(roleIndex)];
      const column = columnOf(roleIndex);
      attributes[property.name] = decoded.native
        ? (column as PointAttributeArray)
        : new property.type.arrayConstructor(column as Float64Array);
    }
    cloud.attributes = attributes;
  }
  cloud.metadata = { format: 'ply' };
  if (header.comments.length > 0) cloud.metadata.comments = header.comments;
  return cloud;
}

function convertColors(columns: ArrayLike<number>[], types: PlyScalarTypeInfo[], pointCount: number): Uint8Array {
  const colors = new Uint8Array(pointCount * 3);
  for (let channel = 0; channel < 3; channel++) {
    const column = columns[channel];
    const type = types[channel];
    let scale = 1;
    if (type.name === 'ushort') scale = 1 / 257;
    else if (!type.integer) {
      let maximum = 0;
      for (let index = 0; index < pointCount; index++) if (column[index] > maximum) maximum = column[index];
      scale = maximum <= 1 ? 255 : 1;
    }
    // Uint8Array assignment wraps; clamp first. NaN clamps to 0.
    for (let index = 0, target = channel; index < pointCount; index++, target += 3) {
      const value = Math.round(column[index] * scale);
      colors[target] = value > 255 ? 255 : value > 0 ? value : 0;
    }
  }
  return colors;
}

function convertLabels(column: ArrayLike<number>, pointCount: number): Int32Array | undefined {
  if (column instanceof Int32Array) return column;
  const labels = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    const value = column[index];
    if (!Number.isInteger(value) || value > 2147483647 || value < -2147483648) return undefined;
    labels[index] = value;
  }
  return labels;
}
