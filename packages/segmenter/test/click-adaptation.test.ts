import { describe, expect, it } from 'vitest';
import { adaptClickProbabilities, SuperpointIndex, superpointFeatures, type ClickAdaptationInput } from '../src/index.js';

/**
 * Eight superpoints in two feature clusters (channel 0 ≈ +1 for superpoints 0–3, ≈ −1 for 4–7; channel 1 noise).
 * Object 1 has clicks in superpoints 0 and 1, object 2 one click in superpoint 4, and the model gave object 1's
 * clicks high probabilities only at their own superpoints.
 */
function twoClusterScene(regularization = 1): ClickAdaptationInput {
  const features = new Float32Array([1, 0.1, 1.1, -0.2, 0.9, 0.3, 1, -0.1, -1, 0.2, -1.1, 0, -0.9, -0.3, -1, 0.1]);
  const clicks = [
    { objectId: 1, kind: 'object' as const },
    { objectId: 1, kind: 'object' as const },
    { objectId: 2, kind: 'object' as const },
  ];
  const probabilities = new Float32Array(8 * 3).fill(0.2);
  probabilities[0 * 3 + 0] = 0.95; // click 0 on its own superpoint
  probabilities[1 * 3 + 1] = 0.95; // click 1 on its own superpoint
  for (let superpoint = 4; superpoint < 8; superpoint++) probabilities[superpoint * 3 + 2] = 0.9;
  return { clicks, clickSuperpoints: new Int32Array([0, 1, 4]), probabilities, features, channels: 2, regularization };
}

describe('adaptClickProbabilities', () => {
  it('leaves every probability as it is while no object has two clicks', () => {
    const input = twoClusterScene();
    const single = { ...input, clicks: input.clicks.slice(1), clickSuperpoints: input.clickSuperpoints.slice(1) };
    const columns = 2;
    single.probabilities = new Float32Array(8 * columns).map((_, entry) => input.probabilities[Math.floor(entry / columns) * 3 + 1 + (entry % columns)]);
    const result = adaptClickProbabilities(single);
    expect(result.adaptedObjects).toEqual([]);
    expect(Array.from(result.probabilities)).toEqual(Array.from(single.probabilities));
  });

  it("raises the object's probability on unclicked superpoints like its clicked ones, lowers it on the other cluster", () => {
    const input = twoClusterScene();
    const { probabilities, adaptedObjects } = adaptClickProbabilities(input);
    expect(adaptedObjects).toEqual([1]);
    for (const superpoint of [2, 3]) {
      for (const click of [0, 1]) expect(probabilities[superpoint * 3 + click]).toBeGreaterThan(input.probabilities[superpoint * 3 + click]);
    }
    for (let superpoint = 4; superpoint < 8; superpoint++) {
      for (const click of [0, 1]) expect(probabilities[superpoint * 3 + click]).toBeLessThan(input.probabilities[superpoint * 3 + click]);
      // Object 2 has one click: its column is untouched.
      expect(probabilities[superpoint * 3 + 2]).toBe(input.probabilities[superpoint * 3 + 2]);
    }
    expect(input.probabilities[2 * 3]).toBeCloseTo(0.2, 6); // the input array is not modified
  });

  it('changes the probabilities less as the regularization grows', () => {
    const change = (regularization: number) => {
      const input = twoClusterScene(regularization);
      const { probabilities } = adaptClickProbabilities(input);
      return Math.abs(probabilities[2 * 3] - input.probabilities[2 * 3]);
    };
    expect(change(0.1)).toBeGreaterThan(change(1));
    expect(change(1)).toBeGreaterThan(change(10));
    expect(change(10)).toBeGreaterThan(0);
  });

  it('learns nothing from a superpoint clicked with two labels', () => {
    const input = twoClusterScene();
    // Object 2's click moves into superpoint 1, which object 1 also clicked: object 1 has no negative left.
    const { adaptedObjects } = adaptClickProbabilities({ ...input, clickSuperpoints: new Int32Array([0, 1, 1]) });
    expect(adaptedObjects).toEqual([]);
  });

  it('refuses a regularization that is not a finite number > 0 and features of the wrong size', () => {
    expect(() => adaptClickProbabilities(twoClusterScene(0))).toThrow(RangeError);
    expect(() => adaptClickProbabilities(twoClusterScene(Number.NaN))).toThrow(/regularization must be a finite number > 0/);
    expect(() => adaptClickProbabilities({ ...twoClusterScene(), features: new Float32Array(3) })).toThrow(/3 feature values for 8 superpoints × 2 channels/);
  });
});

describe('superpointFeatures', () => {
  it('averages the voxel features of every superpoint and standardises each channel over the superpoints', () => {
    // Five points in three voxels, three superpoints: {0, 1} → voxels 0, 1; {2} → voxel 2; {3, 4} → voxel 2.
    const voxelFeatures = new Float32Array([0, 10, 2, 10, 4, 40]);
    const pointToVoxel = new Int32Array([0, 1, 2, 2, 2]);
    const superpoints = new SuperpointIndex(new Int32Array([0, 0, 1, 2, 2]), 3);
    const features = superpointFeatures(voxelFeatures, 2, pointToVoxel, superpoints);
    // Channel 0 means 1, 4, 4 → standardised (x − 3) / √2; channel 1 means 10, 40, 40 → (x − 30) / √200.
    expect(Array.from(features, (value) => Number(value.toFixed(5)))).toEqual(
      [-2 / Math.SQRT2, -20 / Math.sqrt(200), 1 / Math.SQRT2, 10 / Math.sqrt(200), 1 / Math.SQRT2, 10 / Math.sqrt(200)].map((value) => Number(value.toFixed(5))),
    );
    expect(() => superpointFeatures(voxelFeatures, 2, new Int32Array(4), superpoints)).toThrow(/4 points in pointToVoxel but 5 superpoint labels/);
  });

  it('gives a constant channel zeros instead of dividing by zero', () => {
    const features = superpointFeatures(new Float32Array([5, 5]), 1, new Int32Array([0, 1]), new SuperpointIndex(new Int32Array([0, 1]), 2));
    expect(Array.from(features)).toEqual([0, 0]);
  });
});
