import { SamplingInputError } from './sampling-error.js';
import { describeValue, validatePositions } from './input-validation.js';

/** Options of {@link downsampleVoxelGrid}. */
export interface VoxelGridOptions {
  /** Per-point colours, interleaved r g b (0..255), length `3 · pointCount`; averaged per voxel into `meanColors`. */
  colors?: Uint8Array;
  /** Compute `meanPositions` (and `meanColors` when `colors` is given). Default false. */
  computeMeans?: boolean;
  /**
   * Grid origin in metres. Cell `(i, j, k)` covers `origin + [i, i+1) · voxelSize` per axis. Default: the
   * per-axis minimum of `positions`, so all cell coordinates are ≥ 0. With an explicit origin, coordinates
   * of points below it are negative.
   */
  origin?: [number, number, number];
}

/** Result of {@link downsampleVoxelGrid}. Voxels are numbered in order of first encounter. */
export interface VoxelGridResult {
  /** Number of occupied voxels. */
  voxelCount: number;
  /** One representative input point per voxel: the first point (lowest index) that fell into it. [voxelCount] */
  keptIndices: Int32Array;
  /** Voxel index of every input point. [pointCount] */
  pointToVoxel: Int32Array;
  /** Integer cell coordinates of each voxel relative to the origin (default: the minimum corner). [voxelCount, 3] */
  gridCoordinates: Int32Array;
  /** Mean position of each voxel's points in metres, when `computeMeans` is set. [voxelCount, 3] */
  meanPositions?: Float32Array;
  /** Mean colour of each voxel's points (rounded to nearest), when `computeMeans` is set and `colors` given. [voxelCount, 3] */
  meanColors?: Uint8Array;
}

const MAX_CELL = 2 ** 31 - 1;

/**
 * Voxel-grid downsampling: buckets points into cubic cells of edge `voxelSize` and reports one voxel per
 * occupied cell. Cell coordinates are `floor((p - origin) / voxelSize)` per axis. Occupied cells are found
 * with an open-addressing hash table over the integer cell coordinates (typed arrays, linear probing),
 * so the cost is O(pointCount) regardless of the grid's extent.
 *
 * @param positions - Interleaved x y z in metres, length `3 · pointCount`.
 * @param voxelSize - Voxel edge length in metres, finite and > 0.
 * @param options - See {@link VoxelGridOptions}.
 * @throws SamplingInputError on malformed positions, a non-positive voxel size, mismatched colours, or a
 *   grid whose cell coordinates would not fit in 32-bit integers.
 * @example
 * const { keptIndices, pointToVoxel } = downsampleVoxelGrid(positions, 0.02);
 */
export function downsampleVoxelGrid(
  positions: Float32Array,
  voxelSize: number,
  options: VoxelGridOptions = {},
): VoxelGridResult {
  const pointCount = validatePositions(positions);
  if (typeof voxelSize !== 'number' || !Number.isFinite(voxelSize) || voxelSize <= 0) {
    throw new SamplingInputError('voxelSize', 'a finite voxel edge length in metres > 0', describeValue(voxelSize));
  }
  const colors = options.colors;
  if (colors !== undefined && (!(colors instanceof Uint8Array) || colors.length !== pointCount * 3)) {
    throw new SamplingInputError('options.colors', `a Uint8Array of length ${pointCount * 3} (r g b per point)`, describeValue(colors));
  }
  let originX: number;
  let originY: number;
  let originZ: number;
  if (options.origin !== undefined) {
    const origin = options.origin;
    if (!Array.isArray(origin) || origin.length !== 3 || !origin.every((value) => Number.isFinite(value))) {
      throw new SamplingInputError('options.origin', 'an array of 3 finite numbers (metres)', describeValue(origin));
    }
    [originX, originY, originZ] = origin;
  } else {
    originX = Infinity;
    originY = Infinity;
    originZ = Infinity;
    for (let offset = 0; offset < positions.length; offset += 3) {
      if (positions[offset] < originX) originX = positions[offset];
      if (positions[offset + 1] < originY) originY = positions[offset + 1];
      if (positions[offset + 2] < originZ) originZ = positions[offset + 2];
    }
  }

  const pointToVoxel = new Int32Array(pointCount);
  const keptIndices = new Int32Array(pointCount);
  const cellsByVoxel = new Int32Array(pointCount * 3); // [voxelCount ≤ pointCount, 3]
  // Open-addressing table of voxel index + 1 (0 marks an empty slot, so the zero-filled allocation needs
  // no initialisation pass), power-of-two size, load factor ≤ 0.5, linear probing. Cells are compared
  // against `cellsByVoxel`, which is filled in first-encounter order and becomes `gridCoordinates`.
  let tableSize = 16;
  while (tableSize < pointCount * 2) tableSize *= 2;
  const mask = tableSize - 1;
  const table = new Int32Array(tableSize);
  let voxelCount = 0;
  for (let point = 0, offset = 0; point < pointCount; point++, offset += 3) {
    const cellX = Math.floor((positions[offset] - originX) / voxelSize);
    const cellY = Math.floor((positions[offset + 1] - originY) / voxelSize);
    const cellZ = Math.floor((positions[offset + 2] - originZ) / voxelSize);
    if (
      cellX > MAX_CELL || cellX < -MAX_CELL ||
      cellY > MAX_CELL || cellY < -MAX_CELL ||
      cellZ > MAX_CELL || cellZ < -MAX_CELL
    ) {
      throw new SamplingInputError('voxelSize', `a voxel size large enough for 32-bit cell coordinates (point ${point} is ${Math.max(Math.abs(cellX), Math.abs(cellY), Math.abs(cellZ))} cells from the origin)`, String(voxelSize));
    }
    let slot = hashCell(cellX, cellY, cellZ) & mask;
    for (;;) {
      const stored = table[slot];
      if (stored === 0) {
        table[slot] = voxelCount + 1;
        keptIndices[voxelCount] = point;
        const cellOffset = voxelCount * 3;
        cellsByVoxel[cellOffset] = cellX;
        cellsByVoxel[cellOffset + 1] = cellY;
        cellsByVoxel[cellOffset + 2] = cellZ;
        pointToVoxel[point] = voxelCount;
        voxelCount++;
        break;
      }
      const cellOffset = (stored - 1) * 3;
      if (cellsByVoxel[cellOffset] === cellX && cellsByVoxel[cellOffset + 1] === cellY && cellsByVoxel[cellOffset + 2] === cellZ) {
        pointToVoxel[point] = stored - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }

  // [voxelCount, 3]. Views avoid a copy when most of the buffer is used; a mostly empty buffer is copied
  // so that it can be freed.
  const gridCoordinates = trimmed(cellsByVoxel, voxelCount * 3);
  const result: VoxelGridResult = {
    voxelCount,
    keptIndices: trimmed(keptIndices, voxelCount),
    pointToVoxel,
    gridCoordinates,
  };
  if (options.computeMeans === true) {
    const counts = new Float64Array(voxelCount);
    const sums = new Float64Array(voxelCount * 3);
    for (let point = 0; point < pointCount; point++) counts[pointToVoxel[point]]++;
    accumulate(positions, pointToVoxel, sums);
    const meanPositions = new Float32Array(voxelCount * 3); // [voxelCount, 3]
    for (let offset = 0; offset < meanPositions.length; offset++) meanPositions[offset] = sums[offset] / counts[(offset / 3) | 0];
    result.meanPositions = meanPositions;
    if (colors !== undefined) {
      sums.fill(0);
      accumulate(colors, pointToVoxel, sums);
      const meanColors = new Uint8Array(voxelCount * 3); // [voxelCount, 3]
      for (let offset = 0; offset < meanColors.length; offset++) meanColors[offset] = Math.round(sums[offset] / counts[(offset / 3) | 0]);
      result.meanColors = meanColors;
    }
  }
  return result;
}

function trimmed(values: Int32Array, length: number): Int32Array {
  return length * 4 >= values.length * 3 ? values.subarray(0, length) : values.slice(0, length);
}

function accumulate(values: Float32Array | Uint8Array, pointToVoxel: Int32Array, sums: Float64Array): void {
  for (let point = 0, offset = 0; point < pointToVoxel.length; point++, offset += 3) {
    const target = pointToVoxel[point] * 3;
    sums[target] += values[offset];
    sums[target + 1] += values[offset + 1];
    sums[target + 2] += values[offset + 2];
  }
}

/** 32-bit hash of an integer cell (multiplicative mixing + murmur3 finaliser). */
function hashCell(cellX: number, cellY: number, cellZ: number): number {
  let hash = Math.imul(cellX, 0x9e3779b1) ^ Math.imul(cellY, 0x85ebca77) ^ Math.imul(cellZ, 0xc2b2ae3d);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash;
}
