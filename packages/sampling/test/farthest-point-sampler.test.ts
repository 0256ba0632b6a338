import { describe, expect, it } from 'vitest';
import { sampleFarthestPoints, SamplingInputError } from '../src/index.js';
import { farthestPointBucketKernel, farthestPointKernel } from '../src/farthest-point-sampler.js';
import { makeRandomCloud, squaredDistance } from './test-clouds.js';

/** Brute-force O(n·m²) FPS: recomputes every candidate's distance to every selected point each round. */
function referenceFarthestPoints(positions: Float32Array, candidates: number[], sampleCount: number, start: number): number[] {
  const selected = [start];
  while (selected.length < Math.min(sampleCount, candidates.length)) {
    let best = -1;
    let bestDistance = -1;
    for (const candidate of candidates) {
      if (selected.includes(candidate)) continue;
      let minimum = Infinity;
      for (const chosen of selected) {
        minimum = Math.min(minimum, squaredDistance(positions, candidate, positions[chosen * 3], positions[chosen * 3 + 1], positions[chosen * 3 + 2]));
      }
      if (minimum > bestDistance) {
        bestDistance = minimum;
        best = candidate;
      }
    }
    selected.push(best);
  }
  return selected;
}

describe('sampleFarthestPoints', () => {
  it.each([1, 2, 3])('matches brute-force FPS exactly on random cloud %i', (seed) => {
    const positions = makeRandomCloud(600, seed);
    const candidates = [...Array(600).keys()];
    const result = sampleFarthestPoints(positions, 64, { startIndex: 17 });
    expect(Array.from(result)).toEqual(referenceFarthestPoints(positions, candidates, 64, 17));
  });

  it('the spatially pruned path (large clouds) matches brute force, with and without a subset', () => {
    const positions = makeRandomCloud(4000, 41);
    const result = sampleFarthestPoints(positions, 120, { startIndex: 1234 });
    expect(Array.from(result)).toEqual(referenceFarthestPoints(positions, [...Array(4000).keys()], 120, 1234));
    const subsetList = [...Array(4000).keys()].filter((index) => index % 5 !== 0).reverse();
    const subsetResult = sampleFarthestPoints(positions, 80, { subset: Int32Array.from(subsetList), startIndex: subsetList[0] });
    expect(Array.from(subsetResult)).toEqual(referenceFarthestPoints(positions, subsetList, 80, subsetList[0]));
  });

  it('pruned and plain kernels agree on a quantised cloud full of ties and duplicates', () => {
    // Coordinates on a 10 cm lattice with many repeated points: distances tie often.
    const positions = makeRandomCloud(6000, 42).map((value) => Math.round(value * 10) / 10);
    const pruned = farthestPointBucketKernel(positions, 6000, 6000, 17);
    const plain = farthestPointKernel(positions, 6000, 6000, 17);
    expect(Array.from(pruned)).toEqual(Array.from(plain));
    expect(new Set(pruned).size).toBe(6000);
    expect(Array.from(sampleFarthestPoints(positions, 120, { startIndex: 17 }))).toEqual(referenceFarthestPoints(positions, [...Array(6000).keys()], 120, 17));
  });

  it('starts at point 0 by default and at a seeded random point with a seed', () => {
    const positions = makeRandomCloud(300, 4);
    expect(sampleFarthestPoints(positions, 5)[0]).toBe(0);
    const first = sampleFarthestPoints(positions, 30, { seed: 99 });
    const second = sampleFarthestPoints(positions, 30, { seed: 99 });
    expect(Array.from(first)).toEqual(Array.from(second));
    expect(Array.from(first)).toEqual(referenceFarthestPoints(positions, [...Array(300).keys()], 30, first[0]));
    const starts = new Set([1, 2, 3, 4, 5, 6].map((seed) => sampleFarthestPoints(positions, 1, { seed })[0]));
    expect(starts.size).toBeGreaterThan(1);
  });

  it('with a subset, samples only those points and matches brute force', () => {
    const positions = makeRandomCloud(800, 5);
    const subsetList = [...Array(800).keys()].filter((index) => index % 3 === 1);
    const subset = Int32Array.from(subsetList);
    const result = sampleFarthestPoints(positions, 40, { subset, startIndex: subsetList[10] });
    for (const index of result) expect(index % 3).toBe(1);
    expect(Array.from(result)).toEqual(referenceFarthestPoints(positions, subsetList, 40, subsetList[10]));
    expect(() => sampleFarthestPoints(positions, 5, { subset, startIndex: 0 })).toThrow(SamplingInputError);
  });

  it('returns every point, distinct and in FPS order, when sampleCount exceeds what is available', () => {
    const positions = makeRandomCloud(50, 6);
    const result = sampleFarthestPoints(positions, 500, { startIndex: 3 });
    expect(result.length).toBe(50);
    expect(new Set(result).size).toBe(50);
    expect(Array.from(result)).toEqual(referenceFarthestPoints(positions, [...Array(50).keys()], 50, 3));
    const subset = Int32Array.from([4, 9, 2]);
    expect(Array.from(sampleFarthestPoints(positions, 10, { subset })).sort()).toEqual([2, 4, 9]);
  });

  it('never repeats an index when points coincide', () => {
    const positions = new Float32Array([0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
    const result = sampleFarthestPoints(positions, 5);
    expect(Array.from(result)).toEqual([0, 2, 1, 3, 4]);
  });

  it('handles empty input and zero samples', () => {
    expect(sampleFarthestPoints(new Float32Array(0), 10).length).toBe(0);
    expect(sampleFarthestPoints(makeRandomCloud(10, 1), 0).length).toBe(0);
  });

  it('rejects malformed input with a typed error naming the argument', () => {
    expect(() => sampleFarthestPoints(new Float32Array(7), 1)).toThrow(/positions.*multiple of 3/);
    const withNaN = makeRandomCloud(4, 1);
    withNaN[5] = Number.NaN;
    expect(() => sampleFarthestPoints(withNaN, 1)).toThrow(/positions\[5\]/);
    expect(() => sampleFarthestPoints(makeRandomCloud(4, 1), -1)).toThrow(/sampleCount/);
    expect(() => sampleFarthestPoints(makeRandomCloud(4, 1), 2, { startIndex: 4 })).toThrow(/startIndex/);
    expect(() => sampleFarthestPoints(makeRandomCloud(4, 1), 2, { subset: Int32Array.from([1, 1]) })).toThrow(/subset\[1\]/);
    try {
      sampleFarthestPoints(new Float32Array(2), 1);
    } catch (error) {
      expect(error).toBeInstanceOf(SamplingInputError);
      expect((error as SamplingInputError).argument).toBe('positions');
    }
  });
});
