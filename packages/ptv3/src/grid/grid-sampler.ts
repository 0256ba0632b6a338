import { PointTransformerInputError } from '../errors/point-transformer-error.js';
import { argsortCodes } from '../serialization/code-sort.js';

/** Result of {@link sampleGrid}: one entry per occupied voxel. */
export interface GridSample {
  /** Occupied voxels. */
  voxelCount: number;
  /** `voxelCount*3` integer voxel coordinates, shifted so the minimum along every axis is 0. */
  gridCoordinates: Int32Array;
  /** `voxelCount*3` mean position of each voxel's points, in metres. */
  meanPositions: Float32Array;
  /** `voxelCount*3` mean colour of each voxel's points, 0…255, or undefined without colours. */
  meanColors?: Float32Array;
  /** For every input point, the index of its voxel. */
  inputToVoxel: Int32Array;
  /** Voxel edge length in metres. */
  gridSize: number;
}

const TWO_POW_16 = 65536;
const TWO_POW_32 = 4294967296;

/**
 * Grid sampling (PTv3 / Pointcept `GridSample`): voxel = floor(position / gridSize), shifted to start at
 * 0. Voxels are numbered in ascending (x, y, z) lexicographic order of their grid coordinates and every
 * reduction is a float64 mean, so the result does not depend on the order of the input points (up to
 * float64 summation rounding, far below float32 resolution).
 * @param positions `pointCount*3` x y z in metres.
 * @param colors optional `pointCount*3` r g b, 0…255.
 * @param gridSize voxel edge length in metres (> 0).
 */
export function sampleGrid(positions: Float32Array, colors: Uint8Array | undefined, gridSize: number): GridSample {
  if (!(gridSize > 0)) throw new PointTransformerInputError('gridSize', -1, 'a positive voxel size in metres');
  if (positions.length === 0 || positions.length % 3 !== 0) {
    throw new PointTransformerInputError('positions', -1, `a non-empty length divisible by 3 (got ${positions.length})`);
  }
  const pointCount = positions.length / 3;
  if (colors && colors.length !== positions.length) {
    throw new PointTransformerInputError('colors', -1, `length ${positions.length} (3 per point), got ${colors.length}`);
  }
  const cells = new Int32Array(positions.length);
  const minimum = [Infinity, Infinity, Infinity];
  for (let index = 0; index < positions.length; index++) {
    const value = positions[index];
    if (!Number.isFinite(value)) throw new PointTransformerInputError('positions', index, 'a finite coordinate');
    const cell = Math.floor(value / gridSize);
    cells[index] = cell;
    const axis = index % 3;
    if (cell < minimum[axis]) minimum[axis] = cell;
  }
  const keys = new Float64Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const x = cells[3 * point] - minimum[0];
    const y = cells[3 * point + 1] - minimum[1];
    const z = cells[3 * point + 2] - minimum[2];
    if (x >= TWO_POW_16 || y >= TWO_POW_16 || z >= TWO_POW_16) {
      throw new PointTransformerInputError('positions', 3 * point, `an extent below ${TWO_POW_16} voxels of ${gridSize} m per axis`);
    }
    cells[3 * point] = x;
    cells[3 * point + 1] = y;
    cells[3 * point + 2] = z;
    keys[point] = x * TWO_POW_32 + y * TWO_POW_16 + z;
  }
  const sorted = argsortCodes(keys);
  const inputToVoxel = new Int32Array(pointCount);
  let voxelCount = 0;
  for (let position = 0; position < pointCount; position++) {
    if (position > 0 && keys[sorted[position]] !== keys[sorted[position - 1]]) voxelCount++;
    inputToVoxel[sorted[position]] = voxelCount;
  }
  voxelCount++;
  const gridCoordinates = new Int32Array(voxelCount * 3);
  const positionSums = new Float64Array(voxelCount * 3);
  const colorSums = colors ? new Float64Array(voxelCount * 3) : undefined;
  const counts = new Int32Array(voxelCount);
  for (let point = 0; point < pointCount; point++) {
    const voxel = inputToVoxel[point];
    counts[voxel]++;
    for (let axis = 0; axis < 3; axis++) {
      gridCoordinates[3 * voxel + axis] = cells[3 * point + axis];
      positionSums[3 * voxel + axis] += positions[3 * point + axis];
      if (colorSums && colors) colorSums[3 * voxel + axis] += colors[3 * point + axis];
    }
  }
  const meanPositions = new Float32Array(voxelCount * 3);
  const meanColors = colorSums ? new Float32Array(voxelCount * 3) : undefined;
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    for (let axis = 0; axis < 3; axis++) {
      meanPositions[3 * voxel + axis] = positionSums[3 * voxel + axis] / counts[voxel];
      if (meanColors && colorSums) meanColors[3 * voxel + axis] = colorSums[3 * voxel + axis] / counts[voxel];
    }
  }
  return { voxelCount, gridCoordinates, meanPositions, meanColors, inputToVoxel, gridSize };
}
