import { guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { readNpy } from './npy-reader.js';

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
 * at most 1 they are scaled by 255. Colours are rounded to the nearest integer.
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
  const fileName = options.fileName;
  const array = readNpy(bytes, { fileName });
  const fail = (message: string, field?: string): never => {
    throw new PointCloudFormatError({ format: 'npy', fileName, field, message });
  };
  if (array.dtype !== 'float32' && array.dtype !== 'float64') {
    fail(`point arrays must be float32 or float64, got ${array.dtype}`, 'descr');
  }
  const [pointCount, columnCount] = array.shape;
  if (array.shape.length !== 2 || pointCount === undefined || columnCount === undefined || columnCount < 3 || columnCount === 5) {
    fail(`expected shape (N, 3), (N, 4), (N, 6) or (N, 7+), got (${array.shape.join(', ')})`, 'shape');
  }
  // Each column beyond the sixth becomes an attribute array even when there are no rows: one row must fit the bytes.
  const rowBytes = columnCount * (array.dtype === 'float32' ? 4 : 8);
  if (rowBytes > bytes.length) {
    fail(`shape (${array.shape.join(', ')}): one row of ${columnCount} ${array.dtype} values needs ${rowBytes} bytes, the file has ${bytes.length}`, 'shape');
  }
  const values = array.data as Float32Array | Float64Array;
  const rows = pointCount;
  const columns = columnCount;
  const positions = new Float32Array(rows * 3);
  for (let row = 0; row < rows; row++) {
    for (let axis = 0; axis < 3; axis++) {
      const value = values[row * columns + axis];
      if (!Number.isFinite(value)) {
        fail(`point ${row} has a non-finite ${'xyz'[axis]} coordinate (${value}); NaN/Inf are not allowed in NPY point arrays`, 'xyz'[axis]);
      }
      positions[row * 3 + axis] = value;
    }
  }
  const cloud: PointCloud = { pointCount: rows, positions, metadata: { format: 'npy' } };
  if (columns === 4) {
    const intensity = new Float32Array(rows);
    for (let row = 0; row < rows; row++) intensity[row] = values[row * 4 + 3]!;
    cloud.intensity = intensity;
  }
  if (columns >= 6) {
    let maximum = 0;
    for (let row = 0; row < rows; row++) {
      for (let channel = 3; channel < 6; channel++) {
        const value = values[row * columns + channel];
        if (!(value >= 0 && value <= 255)) fail(`point ${row} has colour channel ${channel - 3} = ${value}, expected 0..255 or 0..1`, 'rgb');
        if (value > maximum) maximum = value;
      }
    }
    const scale = maximum <= 1 ? 255 : 1;
    const colors = new Uint8Array(rows * 3);
    for (let row = 0; row < rows; row++) {
      for (let channel = 0; channel < 3; channel++) colors[row * 3 + channel] = Math.round(values[row * columns + 3 + channel] * scale);
    }
    cloud.colors = colors;
  }
  if (columns > 6) {
    const attributes: Record<string, PointAttributeArray> = {};
    for (let column = 6; column < columns; column++) {
      const attribute = new Float32Array(rows);
      for (let row = 0; row < rows; row++) attribute[row] = values[row * columns + column]!;
      attributes[`column_${column}`] = attribute;
    }
    cloud.attributes = attributes;
  }
  return cloud;
}
