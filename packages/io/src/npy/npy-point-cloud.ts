import type { ByteStreamReader } from '../core/byte-stream-reader.js';
import { allocateArray, guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { parseNpyHeader, type NpyHeader } from './npy-reader.js';

/**
 * Reads a point cloud stored as a 2-D float `.npy` array `[pointCount, columns]`:
 *
 * | columns | meaning |
 * |---|---|
 * | 3 | x y z (metres) |
 * | 4 | x y z intensity |
 * | 6 | x y z r g b |
 * | 7+ | x y z r g b, then extra columns as `attributes.column_6`, `column_7`, … (float32) |
 *
 * Colours are 0..255 (VoteNet, mmdetection3d) or 0..1 (Open3D exports): when every colour value is
 * at most 1 they are scaled by 255. Colours are rounded to the nearest integer. Rows are decoded with a DataView
 * straight from the bytes into the cloud's arrays (no copy of the data first).
 *
 * @param bytes - Contents of the `.npy` file.
 * @param options - `fileName` for error messages.
 * @throws {@link PointCloudFormatError} for a non-float dtype, a shape other than `[n, 3|4|6|7+]`,
 *   a non-finite coordinate, or a colour outside 0..255.
 */
export async function readNpyPointCloud(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return guardAllocations({ format: 'npy', fileName: options.fileName }, () => readNpyPointCloudSync(bytes, options));
}

/** Synchronous body of {@link readNpyPointCloud}; same contract. */
export function readNpyPointCloudSync(bytes: Uint8Array, options: ReaderOptions = {}): PointCloud {
  const header = parseNpyHeader(bytes, options.fileName);
  const decoder = new NpyPointDecoder(header, bytes.length, options.fileName);
  decoder.decode(bytes.subarray(header.dataStart, header.dataStart + header.byteLength), header.shape[0]);
  return decoder.finish();
}

/**
 * Reads a point-cloud `.npy` from a stream: the header is buffered and parsed, then rows are decoded as the chunks
 * arrive, straight into the cloud's arrays.
 * @throws {PointCloudFormatError} as {@link readNpyPointCloud} does, and for a stream that ends before the last row.
 */
export async function readNpyPointCloudStream(reader: ByteStreamReader, fileName: string | undefined): Promise<PointCloud> {
  const start = await reader.peek(12);
  const headerLength = start.length >= 12 ? (start[6] === 1 ? start[8] | (start[9] << 8) : new DataView(start.buffer, start.byteOffset, 12).getUint32(8, true)) : 0;
  const prefix = await reader.peek(Math.min(reader.totalBytes, (start[6] === 1 ? 10 : 12) + headerLength));
  const header = parseNpyHeader(prefix, fileName, reader.totalBytes);
  const decoder = new NpyPointDecoder(header, reader.totalBytes, fileName);
  reader.consume(header.dataStart);
  const rowBytes = header.shape[1] * header.elementSize;
  const decoded = await reader.readRecords(rowBytes, header.shape[0], (rows, _first, count) => decoder.decode(rows, count));
  if (decoded < header.shape[0]) {
    throw new PointCloudFormatError({
      format: 'npy',
      fileName,
      byteOffset: reader.position,
      field: 'shape',
      message: `truncated: shape (${header.shape.join(', ')}) needs ${header.byteLength} data bytes, the stream ended within row ${decoded}`,
    });
  }
  return decoder.finish();
}

/** Decodes rows of a float `[pointCount, columns]` array, run by run and in order, into the final arrays. */
class NpyPointDecoder {
  private readonly pointCount: number;
  private readonly columnCount: number;
  private readonly positions: Float32Array;
  private readonly intensity?: Float32Array;
  private readonly colors?: Uint8Array;
  private readonly extra: Float32Array[] = [];
  /** Whether a colour above 1 was seen: colours are 0..255, else 0..1 scaled by 255. */
  private colorAboveOne = false;
  private decodedCount = 0;

  constructor(
    private readonly header: NpyHeader,
    totalBytes: number,
    private readonly fileName: string | undefined,
  ) {
    const fail = (message: string, field?: string): never => {
      throw new PointCloudFormatError({ format: 'npy', fileName, field, message });
    };
    const { dtype, shape } = header;
    if (dtype !== 'float32' && dtype !== 'float64') fail(`point arrays must be float32 or float64, got ${dtype}`, 'descr');
    const [pointCount, columnCount] = shape;
    if (shape.length !== 2 || pointCount === undefined || columnCount === undefined || columnCount < 3 || columnCount === 5) {
      fail(`expected shape (N, 3), (N, 4), (N, 6) or (N, 7+), got (${shape.join(', ')})`, 'shape');
    }
    // Each column beyond the sixth becomes an attribute array even when there are no rows: one row must fit the bytes.
    const rowBytes = columnCount * header.elementSize;
    if (rowBytes > totalBytes) {
      fail(`shape (${shape.join(', ')}): one row of ${columnCount} ${dtype} values needs ${rowBytes} bytes, the file has ${totalBytes}`, 'shape');
    }
    this.pointCount = pointCount;
    this.columnCount = columnCount;
    const context = { format: 'npy', fileName };
    this.positions = allocateArray(Float32Array, pointCount * 3, { ...context, field: 'positions' });
    if (columnCount === 4) this.intensity = allocateArray(Float32Array, pointCount, { ...context, field: 'intensity' });
    if (columnCount >= 6) this.colors = allocateArray(Uint8Array, pointCount * 3, { ...context, field: 'rgb' });
    for (let column = 6; column < columnCount; column++) this.extra.push(allocateArray(Float32Array, pointCount, { ...context, field: `column_${column}` }));
  }

  /** Decodes the next `count` rows, which lie back to back at the start of `rows`. */
  decode(rows: Uint8Array, count: number): void {
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    const size = this.header.elementSize;
    const read = size === 4 ? (offset: number) => view.getFloat32(offset, true) : (offset: number) => view.getFloat64(offset, true);
    const { columnCount, positions, colors, intensity } = this;
    const rowBytes = columnCount * size;
    for (let local = 0; local < count; local++) {
      const row = this.decodedCount + local;
      const base = local * rowBytes;
      for (let axis = 0; axis < 3; axis++) {
        const value = read(base + axis * size);
        if (!Number.isFinite(value)) this.fail(`point ${row} has a non-finite ${'xyz'[axis]} coordinate (${value}); NaN/Inf are not allowed in NPY point arrays`, 'xyz'[axis]);
        positions[row * 3 + axis] = value;
      }
      if (intensity !== undefined) intensity[row] = read(base + 3 * size);
      if (colors !== undefined) {
        for (let channel = 0; channel < 3; channel++) {
          const value = read(base + (3 + channel) * size);
          if (!(value >= 0 && value <= 255)) this.fail(`point ${row} has colour channel ${channel} = ${value}, expected 0..255 or 0..1`, 'rgb');
          if (value > 1 && !this.colorAboveOne) {
            // The colours stored so far were all ≤ 1 and scaled by 255 (s = round(255 v)); on the 0..255 scale they
            // are round(v), which is exactly s ≥ 128 ? 1 : 0.
            this.colorAboveOne = true;
            for (let index = 0; index < row * 3 + channel; index++) colors[index] = colors[index] >= 128 ? 1 : 0;
          }
          colors[row * 3 + channel] = Math.round(value * (this.colorAboveOne ? 1 : 255));
        }
      }
      for (let column = 6; column < columnCount; column++) this.extra[column - 6][row] = read(base + column * size);
    }
    this.decodedCount += count;
  }

  private fail(message: string, field: string): never {
    throw new PointCloudFormatError({ format: 'npy', fileName: this.fileName, field, message });
  }

  finish(): PointCloud {
    const cloud: PointCloud = { pointCount: this.pointCount, positions: this.positions, metadata: { format: 'npy' } };
    if (this.intensity !== undefined) cloud.intensity = this.intensity;
    if (this.colors !== undefined) cloud.colors = this.colors;
    if (this.extra.length > 0) {
      const attributes: Record<string, PointAttributeArray> = {};
      this.extra.forEach((values, index) => (attributes[`column_${index + 6}`] = values));
      cloud.attributes = attributes;
    }
    return cloud;
  }
}
