import { peekTextHeader, type ByteStreamReader } from '../core/byte-stream-reader.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { parsePlyHeader, type PlyElement, type PlyHeader } from './ply-header.js';
import { decodePly } from './ply-reader.js';
import { readInteger, truncatedRow } from './ply-binary-body.js';
import { PlyVertexDecoder } from './ply-vertex-decoder.js';

/** First guess at the header's size; doubled until `end_header` is in view. */
const INITIAL_HEADER_BYTES = 4096;
/** Headers are read up to this size; past it the header parser reports the missing `end_header`. */
const MAXIMUM_HEADER_BYTES = 64 * 2 ** 20;

/**
 * Reads a PLY file from a stream. Binary bodies whose vertex element has only scalar properties are decoded row
 * run by row run into the final arrays as the chunks arrive ({@link PlyVertexDecoder}); the other elements are
 * walked (lists included) so that a short or overlong body fails as it does in `readPly`. ASCII bodies and vertex
 * elements with list properties are collected and read whole.
 *
 * @throws {PointCloudFormatError} as `readPly` does, and for a stream that ends before the header's counts.
 */
export async function readPlyStream(reader: ByteStreamReader, fileName: string | undefined): Promise<PointCloud> {
  const header = await readHeader(reader, fileName);
  const vertexElement = header.elements.find((element) => element.name === 'vertex');
  if (header.encoding === 'ascii' || vertexElement === undefined || vertexElement.rowByteSize === undefined) {
    // Nothing is consumed yet, so the collected bytes are the whole file.
    return decodePly(await reader.readAll(), fileName);
  }
  const littleEndian = header.encoding === 'binary_little_endian';
  reader.consume(header.bodyByteOffset);
  let cloud: PointCloud | undefined;
  for (const element of header.elements) {
    if (element !== vertexElement) {
      await skipElement(reader, element, littleEndian, fileName);
      continue;
    }
    const start = reader.position;
    // Refuse a count the declared size cannot hold before allocating for it.
    const needed = element.count * element.rowByteSize!;
    if (needed > reader.totalBytes - start) {
      throw new PointCloudFormatError({
        format: 'ply',
        fileName,
        byteOffset: start,
        field: element.name,
        message: `truncated body: element '${element.name}' declares ${element.count} rows of ${element.rowByteSize} bytes (${needed} bytes) but only ${reader.totalBytes - start} bytes remain`,
      });
    }
    const decoder = new PlyVertexDecoder(header, element, littleEndian, start, fileName);
    const decoded = await reader.readRecords(element.rowByteSize!, element.count, (rows, _first, count) => decoder.decode(rows, count));
    if (decoded < element.count) throw truncated(fileName, element, start, reader.position);
    cloud = decoder.finish();
  }
  await checkTrailingBytes(reader, fileName);
  return cloud!;
}

/** Peeks (without consuming) until the header's `end_header` line is in view, and parses it. */
function readHeader(reader: ByteStreamReader, fileName: string | undefined): Promise<PlyHeader> {
  return peekTextHeader(
    reader,
    (lines) => parsePlyHeader(lines, fileName),
    (error) => error instanceof PointCloudFormatError && /missing 'end_header': the header runs to the end/.test(error.message),
    INITIAL_HEADER_BYTES,
    MAXIMUM_HEADER_BYTES,
  );
}

/** Skips the rows of an element that is not read, checking that the stream holds them. */
async function skipElement(reader: ByteStreamReader, element: PlyElement, littleEndian: boolean, fileName: string | undefined): Promise<void> {
  const start = reader.position;
  if (element.rowByteSize !== undefined) {
    const needed = element.count * element.rowByteSize;
    if ((await reader.skip(needed)) < needed) throw truncated(fileName, element, start, reader.position);
    return;
  }
  for (let rowIndex = 0; rowIndex < element.count; rowIndex++) {
    for (const property of element.properties) {
      const countType = property.listCountType;
      if (countType === undefined) {
        if ((await reader.skip(property.type.byteSize)) < property.type.byteSize) throw truncatedRow(fileName, element, rowIndex, reader.position);
        continue;
      }
      const countBytes = await reader.peek(countType.byteSize);
      if (countBytes.length < countType.byteSize) throw truncatedRow(fileName, element, rowIndex, reader.position);
      const itemCount = readInteger(new DataView(countBytes.buffer, countBytes.byteOffset, countBytes.byteLength), 0, countType, littleEndian);
      if (itemCount < 0) {
        throw new PointCloudFormatError({
          format: 'ply',
          fileName,
          byteOffset: reader.position,
          field: property.name,
          message: `negative list length ${itemCount} in row ${rowIndex} of element '${element.name}'`,
        });
      }
      reader.consume(countType.byteSize);
      const listBytes = itemCount * property.type.byteSize;
      if ((await reader.skip(listBytes)) < listBytes) throw truncatedRow(fileName, element, rowIndex, reader.position);
    }
  }
}

/** Binary bodies may end with line breaks, spaces or zero padding; anything else means the header undercounts. */
async function checkTrailingBytes(reader: ByteStreamReader, fileName: string | undefined): Promise<void> {
  const bodyEnd = reader.position;
  let unexpected = false;
  const trailing = await reader.readRest((bytes) => {
    for (let index = 0; index < bytes.length && !unexpected; index++) {
      const byte = bytes[index];
      if (byte !== 0 && byte !== 10 && byte !== 13 && byte !== 32) unexpected = true;
    }
  });
  if (unexpected) {
    throw new PointCloudFormatError({
      format: 'ply',
      fileName,
      byteOffset: bodyEnd,
      message: `${trailing} unexpected bytes after the last element: the header counts fewer rows than the body holds`,
    });
  }
}

function truncated(fileName: string | undefined, element: PlyElement, start: number, end: number): PointCloudFormatError {
  const needed = element.count * element.rowByteSize!;
  return new PointCloudFormatError({
    format: 'ply',
    fileName,
    byteOffset: start,
    field: element.name,
    message: `truncated body: element '${element.name}' declares ${element.count} rows of ${element.rowByteSize} bytes (${needed} bytes) but the stream ended ${end - start} bytes into them`,
  });
}
