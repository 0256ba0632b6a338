import type { PointAttributeArray } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { DecodedVertices } from './ply-decoded-vertices.js';
import type { PlyElement, PlyHeader, PlyProperty } from './ply-header.js';
import { HOST_IS_LITTLE_ENDIAN, plyScalarReader, type PlyScalarTypeInfo } from './ply-property-types.js';
import { copyStridedBytes } from './ply-byte-copy.js';

/**
 * Walks a binary PLY body (either byte order): checks that every element's rows fit the bytes before reading them,
 * and returns the vertex element's scalar columns (gathered lazily, so fast paths can copy rows in place instead).
 *
 * @throws {PointCloudFormatError} for a body shorter than the header's counts, a negative list length or
 *   unexpected bytes after the last element.
 */
export function decodeBinaryBody(
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
                  copyStridedBytes(block, element.properties[propertyIndex].rowByteOffset, stride, target, 0, byteCount, element.count, byteCount)
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
                copyStridedBytes(compact, compactOffsets[propertyIndex], compactStride, target, 0, byteCount, element.count, byteCount)
            : undefined,
        native: true,
        locate: (rowIndex) => ({ byteOffset: rowStarts[rowIndex] }),
      };
    }
  }
  checkTrailingBytes(bytes, offset, fileName);
  return decoded as DecodedVertices;
}

/** The error for a row of a list element that runs past the end of the input. */
export function truncatedRow(fileName: string | undefined, element: PlyElement, rowIndex: number, offset: number): PointCloudFormatError {
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

/** Reads a list count of an integer PLY type. */
export function readInteger(view: DataView, offset: number, type: PlyScalarTypeInfo, littleEndian: boolean): number {
  return plyScalarReader(type, littleEndian)(view, offset);
}

/** An array whose entries are computed on first access (list properties stay `undefined`). */
function lazyColumns(properties: PlyProperty[], gather: (property: PlyProperty) => PointAttributeArray): (ArrayLike<number> | undefined)[] {
  const cache = new Array<PointAttributeArray | undefined>(properties.length);
  return new Proxy(cache, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const index = Number(key);
        const property = properties[index];
        if (property === undefined || property.listCountType !== undefined) return undefined;
        target[index] ??= gather(property);
        return target[index];
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
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
