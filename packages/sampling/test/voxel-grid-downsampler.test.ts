import { describe, expect, it } from 'vitest';
import { downsampleVoxelGrid, SamplingInputError, transferLabels } from '../src/index.js';
import { makeRandomCloud } from './test-clouds.js';

/** Map-based reference: string keys of floor((p - origin) / size), voxels numbered by first encounter. */
function referenceVoxelGrid(positions: Float32Array, voxelSize: number, origin?: number[]) {
  const pointCount = positions.length / 3;
  const minimum = origin ?? [0, 1, 2].map((axis) => {
    let value = Infinity;
    for (let point = 0; point < pointCount; point++) value = Math.min(value, positions[point * 3 + axis]);
    return value;
  });
  const voxels = new Map<string, { id: number; first: number; cell: number[]; members: number[] }>();
  const pointToVoxel: number[] = [];
  for (let point = 0; point < pointCount; point++) {
    const cell = [0, 1, 2].map((axis) => Math.floor((positions[point * 3 + axis] - minimum[axis]) / voxelSize));
    const key = cell.join(',');
    let voxel = voxels.get(key);
    if (voxel === undefined) {
      voxel = { id: voxels.size, first: point, cell, members: [] };
      voxels.set(key, voxel);
    }
    voxel.members.push(point);
    pointToVoxel.push(voxel.id);
  }
  return { voxels: [...voxels.values()], pointToVoxel };
}

describe('downsampleVoxelGrid', () => {
  it.each([0.05, 0.2, 1.3])('matches a Map-based reference (voxel %f m): counts, inverse map, coordinates, means', (voxelSize) => {
    const positions = makeRandomCloud(5000, 21);
    const colors = new Uint8Array(5000 * 3).map((_, offset) => (offset * 37) % 256);
    const result = downsampleVoxelGrid(positions, voxelSize, { computeMeans: true, colors });
    const reference = referenceVoxelGrid(positions, voxelSize);
    expect(result.voxelCount).toBe(reference.voxels.length);
    expect(Array.from(result.pointToVoxel)).toEqual(reference.pointToVoxel);
    expect(Array.from(result.keptIndices)).toEqual(reference.voxels.map((voxel) => voxel.first));
    expect(Array.from(result.gridCoordinates)).toEqual(reference.voxels.flatMap((voxel) => voxel.cell));
    for (const voxel of reference.voxels) {
      for (let axis = 0; axis < 3; axis++) {
        const meanPosition = voxel.members.reduce((sum, point) => sum + positions[point * 3 + axis], 0) / voxel.members.length;
        expect(result.meanPositions![voxel.id * 3 + axis]).toBeCloseTo(meanPosition, 5);
        const meanColor = voxel.members.reduce((sum, point) => sum + colors[point * 3 + axis], 0) / voxel.members.length;
        expect(Math.abs(result.meanColors![voxel.id * 3 + axis] - meanColor)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('every point lies inside its voxel cell and coordinates are >= 0 relative to the minimum', () => {
    const positions = makeRandomCloud(3000, 8);
    const voxelSize = 0.1;
    const { pointToVoxel, gridCoordinates } = downsampleVoxelGrid(positions, voxelSize);
    const minimum = [Infinity, Infinity, Infinity];
    for (let point = 0; point < 3000; point++) for (let axis = 0; axis < 3; axis++) minimum[axis] = Math.min(minimum[axis], positions[point * 3 + axis]);
    for (let point = 0; point < 3000; point++) {
      for (let axis = 0; axis < 3; axis++) {
        const cell = gridCoordinates[pointToVoxel[point] * 3 + axis];
        expect(cell).toBeGreaterThanOrEqual(0);
        const relative = positions[point * 3 + axis] - minimum[axis];
        expect(relative).toBeGreaterThanOrEqual(cell * voxelSize - 1e-9);
        expect(relative).toBeLessThan((cell + 1) * voxelSize + 1e-9);
      }
    }
  });

  it('honours an explicit origin (negative cells below it) and omits means unless asked', () => {
    const positions = makeRandomCloud(2000, 9);
    const origin: [number, number, number] = [0.5, 1, 0.7];
    const result = downsampleVoxelGrid(positions, 0.25, { origin });
    const reference = referenceVoxelGrid(positions, 0.25, origin);
    expect(Array.from(result.gridCoordinates)).toEqual(reference.voxels.flatMap((voxel) => voxel.cell));
    expect(result.gridCoordinates.some((value) => value < 0)).toBe(true);
    expect(result.meanPositions).toBeUndefined();
    expect(result.meanColors).toBeUndefined();
  });

  it('handles duplicates, a single point, far-apart clusters and an empty cloud', () => {
    const duplicates = new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(downsampleVoxelGrid(duplicates, 0.01).voxelCount).toBe(1);
    const far = new Float32Array([0, 0, 0, 1e5, -1e5, 3e4, 0.001, 0, 0]);
    const farResult = downsampleVoxelGrid(far, 0.01);
    expect(farResult.voxelCount).toBe(2);
    expect(Array.from(farResult.pointToVoxel)).toEqual([0, 1, 0]);
    const empty = downsampleVoxelGrid(new Float32Array(0), 0.1, { computeMeans: true });
    expect(empty.voxelCount).toBe(0);
    expect(empty.keptIndices.length).toBe(0);
  });

  it('rejects a non-positive voxel size, mismatched colours and a grid too fine for int32 cells', () => {
    const positions = makeRandomCloud(10, 1);
    expect(() => downsampleVoxelGrid(positions, 0)).toThrow(/voxelSize/);
    expect(() => downsampleVoxelGrid(positions, Number.NaN)).toThrow(SamplingInputError);
    expect(() => downsampleVoxelGrid(positions, 0.1, { colors: new Uint8Array(5) })).toThrow(/options\.colors/);
    expect(() => downsampleVoxelGrid(new Float32Array([0, 0, 0, 1e6, 0, 0]), 1e-6)).toThrow(/32-bit/);
    expect(() => downsampleVoxelGrid(new Float32Array(5), 0.1)).toThrow(/positions/);
  });
});

describe('transferLabels', () => {
  it('gives every original point the label of its voxel', () => {
    const positions = makeRandomCloud(4000, 12);
    const { pointToVoxel, voxelCount, gridCoordinates } = downsampleVoxelGrid(positions, 0.3);
    // Label voxels by a function of their cell so the expected per-point label is known independently.
    const voxelLabels = new Int32Array(voxelCount).map((_, voxel) => gridCoordinates[voxel * 3] * 100 + gridCoordinates[voxel * 3 + 2]);
    const labels = transferLabels(pointToVoxel, voxelLabels);
    let minimumX = Infinity;
    let minimumZ = Infinity;
    for (let point = 0; point < 4000; point++) {
      minimumX = Math.min(minimumX, positions[point * 3]);
      minimumZ = Math.min(minimumZ, positions[point * 3 + 2]);
    }
    for (let point = 0; point < 4000; point++) {
      const expected = Math.floor((positions[point * 3] - minimumX) / 0.3) * 100 + Math.floor((positions[point * 3 + 2] - minimumZ) / 0.3);
      expect(labels[point]).toBe(expected);
    }
  });

  it('rejects voxel indices out of range', () => {
    expect(() => transferLabels(Int32Array.from([0, 3]), Int32Array.from([1, 2]))).toThrow(/pointToVoxel\[1\]/);
    expect(() => transferLabels(Int32Array.from([-1]), Int32Array.from([1]))).toThrow(SamplingInputError);
  });
});
