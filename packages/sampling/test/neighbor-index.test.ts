import { describe, expect, it } from 'vitest';
import { NeighborIndex, SamplingInputError } from '../src/index.js';
import { makeRandomCloud, squaredDistance } from './test-clouds.js';

/** Brute force: all points sorted by (squared distance, index). */
function bruteForceOrder(positions: Float32Array, x: number, y: number, z: number): Array<{ index: number; squared: number }> {
  const all = [];
  for (let index = 0; index < positions.length / 3; index++) all.push({ index, squared: squaredDistance(positions, index, x, y, z) });
  return all.sort((a, b) => a.squared - b.squared || a.index - b.index);
}

describe('NeighborIndex', () => {
  const positions = makeRandomCloud(3000, 31);
  const index = new NeighborIndex(positions);
  const queries = makeRandomCloud(200, 32, [5, 4, 3]);

  it.each([1, 5, 16, 40])('knn (k = %i) equals brute force, sorted ascending', (k) => {
    const { indices, distances } = index.knn(queries, k);
    expect(indices.length).toBe(200 * k);
    for (let query = 0; query < 200; query++) {
      const expected = bruteForceOrder(positions, queries[query * 3], queries[query * 3 + 1], queries[query * 3 + 2]).slice(0, k);
      expect(Array.from(indices.subarray(query * k, (query + 1) * k))).toEqual(expected.map((entry) => entry.index));
      for (let rank = 0; rank < k; rank++) {
        expect(distances[query * k + rank]).toBe(Math.fround(Math.sqrt(expected[rank].squared)));
      }
    }
    expect(index.pointCount).toBe(3000);
  });

  it('breaks ties by lower index, including heavily duplicated points', () => {
    const duplicated = new Float32Array(600);
    for (let point = 0; point < 200; point++) duplicated.set([point % 4, 0, 0], point * 3);
    const duplicatedIndex = new NeighborIndex(duplicated);
    const { indices, distances } = duplicatedIndex.knn(new Float32Array([0.1, 0, 0]), 60);
    const expected = bruteForceOrder(duplicated, 0.1, 0, 0).slice(0, 60);
    expect(Array.from(indices)).toEqual(expected.map((entry) => entry.index));
    expect(distances[49]).toBeCloseTo(0.1, 6);
    expect(distances[50]).toBeCloseTo(0.9, 6);
  });

  it('nearest equals brute force', () => {
    for (let query = 0; query < 200; query++) {
      const [x, y, z] = [queries[query * 3], queries[query * 3 + 1], queries[query * 3 + 2]];
      const expected = bruteForceOrder(positions, x, y, z)[0];
      const result = index.nearest(x, y, z);
      expect(result.index).toBe(expected.index);
      expect(result.distance).toBe(Math.sqrt(expected.squared));
    }
  });

  it('radius returns exactly the points within the radius, sorted by distance', () => {
    for (const radius of [0, 0.05, 0.3, 1]) {
      for (let query = 0; query < 50; query++) {
        const [x, y, z] = [queries[query * 3], queries[query * 3 + 1], queries[query * 3 + 2]];
        const expected = bruteForceOrder(positions, x, y, z).filter((entry) => entry.squared <= radius * radius);
        expect(Array.from(index.radius(x, y, z, radius))).toEqual(expected.map((entry) => entry.index));
      }
    }
    // A query on an indexed point with radius 0 finds that point.
    expect(Array.from(index.radius(positions[30], positions[31], positions[32], 0))).toContain(10);
  });

  it('works for tiny clouds (below one leaf) and k = pointCount', () => {
    const tiny = makeRandomCloud(5, 2);
    const tinyIndex = new NeighborIndex(tiny);
    const { indices } = tinyIndex.knn(tiny, 5);
    for (let query = 0; query < 5; query++) {
      expect(indices[query * 5]).toBe(query);
      expect(new Set(indices.subarray(query * 5, query * 5 + 5)).size).toBe(5);
    }
    expect(tinyIndex.knn(tiny, 0).indices.length).toBe(0);
  });

  it('knnInLeafOrder gives every indexed point the neighbours of knn(positions, k), in leaf order', () => {
    // A random cloud, and a quantised one full of duplicates and distance ties.
    const quantised = makeRandomCloud(2000, 33).map((value) => Math.round(value * 8) / 8);
    for (const cloud of [positions, quantised]) {
      const cloudIndex = new NeighborIndex(cloud);
      const pointCount = cloud.length / 3;
      for (const k of [1, 11, 17]) {
        const expected = cloudIndex.knn(cloud, k);
        const { order, neighborSlots, distances } = cloudIndex.knnInLeafOrder(k);
        // order is a permutation of the points.
        expect(new Set(order).size).toBe(pointCount);
        let mismatches = 0;
        for (let slot = 0; slot < pointCount; slot++) {
          const point = order[slot];
          for (let rank = 0; rank < k; rank++) {
            if (order[neighborSlots[slot * k + rank]] !== expected.indices[point * k + rank]) mismatches++;
            if (distances[slot * k + rank] !== expected.distances[point * k + rank]) mismatches++;
          }
        }
        expect(mismatches).toBe(0);
      }
    }
    // Nearby slots hold nearby points: consecutive slots are far closer than consecutive input points.
    const { order } = index.knnInLeafOrder(1);
    let slotSteps = 0;
    let inputSteps = 0;
    for (let slot = 1; slot < 3000; slot++) {
      slotSteps += Math.sqrt(squaredDistance(positions, order[slot], positions[order[slot - 1] * 3], positions[order[slot - 1] * 3 + 1], positions[order[slot - 1] * 3 + 2]));
      inputSteps += Math.sqrt(squaredDistance(positions, slot, positions[slot * 3 - 3], positions[slot * 3 - 2], positions[slot * 3 - 1]));
    }
    expect(slotSteps).toBeLessThan(inputSteps / 4);
    expect(() => index.knnInLeafOrder(3001)).toThrow(/k/);
    expect(() => index.knnInLeafOrder(1.5)).toThrow(SamplingInputError);
    expect(new NeighborIndex(new Float32Array(0)).knnInLeafOrder(0).order.length).toBe(0);
  });

  it('rejects k > pointCount, malformed queries and an empty index for nearest', () => {
    expect(() => index.knn(queries, 3001)).toThrow(/k/);
    expect(() => index.knn(new Float32Array(4), 1)).toThrow(/queries/);
    expect(() => index.radius(0, 0, 0, -1)).toThrow(/radius/);
    expect(() => index.nearest(Number.NaN, 0, 0)).toThrow(SamplingInputError);
    const empty = new NeighborIndex(new Float32Array(0));
    expect(() => empty.nearest(0, 0, 0)).toThrow(SamplingInputError);
    expect(() => empty.knn(new Float32Array(3), 1)).toThrow(SamplingInputError);
    expect(empty.radius(0, 0, 0, 1).length).toBe(0);
  });
});
