import { guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError, viewRecords } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { decompressLzf, LZF_MAXIMUM_EXPANSION } from './lzf-decompressor.js';
import { PcdAsciiParser } from './pcd-ascii-parser.js';
import { parsePcdHeader, type PcdHeader } from './pcd-header.js';
import { checkCoordinateFields, createBinarySource, createRowSource, PcdRecordDecoder, type PcdSource } from './pcd-record-decoder.js';

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
  checkCoordinateFields(header, fileName);
  if (header.dataKind === 'ascii') {
    PcdAsciiParser.checkBodyLength(header, bytes.length - header.dataByteOffset, fileName);
    // The ascii body is parsed in runs straight into arrays sized for every point (trimmed if some are dropped).
    const decoder = new PcdRecordDecoder(header, header.pointCount, fileName);
    const parser = new PcdAsciiParser(header, fileName, (source, count) => decoder.decodeRun(source, count));
    parser.push(new TextDecoder('latin1').decode(bytes.subarray(header.dataByteOffset)));
    parser.finish();
    return decoder.finish();
  }
  const source =
    header.dataKind === 'binary'
      ? createRowSource(viewRecords(bytes, header.dataByteOffset, header.pointCount, header.recordSize, { format: 'pcd', fileName, field: 'POINTS', part: 'binary data' }), header)
      : createCompressedSource(bytes, header, fileName);
  return decodeWholePcd(source, header, fileName);
}

/**
 * Decodes every record of a source holding the whole cloud: the kept records are counted first, so the arrays are
 * allocated at their final size.
 */
export function decodeWholePcd(source: PcdSource, header: PcdHeader, fileName: string | undefined): PointCloud {
  const fieldByName = checkCoordinateFields(header, fileName);
  const [readX, readY, readZ] = ['x', 'y', 'z'].map((name) => source.read(fieldByName.get(name)!, 0));
  let keptCount = 0;
  for (let record = 0; record < header.pointCount; record++) {
    if (Number.isFinite(readX(record)) && Number.isFinite(readY(record)) && Number.isFinite(readZ(record))) keptCount++;
  }
  const decoder = new PcdRecordDecoder(header, keptCount, fileName);
  decoder.decodeRun(source, header.pointCount);
  return decoder.finish();
}

/**
 * Checks the 8-byte size pair of a `binary_compressed` body (at `sizes`, the first bytes of the body) against the
 * header and the bytes the file holds; returns the compressed and uncompressed sizes.
 * @throws {PointCloudFormatError} for a size pair that is missing, runs past the file, expands beyond LZF's limit or
 *   disagrees with POINTS × the record size.
 */
export function checkCompressedSizes(sizes: Uint8Array, header: PcdHeader, fileLength: number, fileName: string | undefined): { compressedSize: number; uncompressedSize: number } {
  const { dataByteOffset, pointCount, recordSize } = header;
  if (sizes.length < 8) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: dataByteOffset,
      message: 'binary_compressed data truncated: the 8-byte compressed/uncompressed size pair is missing',
    });
  }
  const view = new DataView(sizes.buffer, sizes.byteOffset, 8);
  const compressedSize = view.getUint32(0, true);
  const uncompressedSize = view.getUint32(4, true);
  const compressedStart = dataByteOffset + 8;
  if (compressedStart + compressedSize > fileLength) {
    throw new PointCloudFormatError({
      format: 'pcd',
      fileName,
      byteOffset: fileLength,
      message: `binary_compressed data truncated: header declares ${compressedSize} compressed bytes, ${fileLength - compressedStart} present`,
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
  return { compressedSize, uncompressedSize };
}

/** A source over decompressed `binary_compressed` data: each field's values for all points are contiguous, fields in header order. */
export function createColumnSource(decompressed: Uint8Array, header: PcdHeader): PcdSource {
  const view = new DataView(decompressed.buffer, decompressed.byteOffset, decompressed.byteLength);
  return createBinarySource(view, (field, component) => [header.pointCount * field.recordOffset + component * field.size, field.size * field.count]);
}

function createCompressedSource(bytes: Uint8Array, header: PcdHeader, fileName: string | undefined): PcdSource {
  const { dataByteOffset } = header;
  const { compressedSize, uncompressedSize } = checkCompressedSizes(bytes.subarray(dataByteOffset, dataByteOffset + 8), header, bytes.length, fileName);
  const compressedStart = dataByteOffset + 8;
  const decompressed = decompressLzf(bytes.subarray(compressedStart, compressedStart + compressedSize), uncompressedSize, {
    format: 'pcd',
    fileName,
    byteOffset: compressedStart,
  });
  return createColumnSource(decompressed, header);
}
