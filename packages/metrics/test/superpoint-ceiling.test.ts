import { describe, expect, it } from 'vitest';
import { MetricsInputError, computeObjectIou, measureSuperpointCeiling } from '../src/index.js';

describe('measureSuperpointCeiling', () => {
  it('finds the best union of whole superpoints, and the purity, on a hand-made scene', () => {
    // Ten points. Superpoint 0 = points 0–3 (object 1 ×3, object 2 ×1); superpoint 1 = points 4–5 (object 1, unannotated);
    // superpoint 2 = points 6–9 (object 2 ×4).
    const superpoints = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
    const instance = [1, 1, 1, 2, 1, 0, 2, 2, 2, 2];
    const report = measureSuperpointCeiling(superpoints, instance);
    // Object 1 (4 points): superpoint 0 alone gives 3 / 5; with superpoint 1, 4 / 6 — the best.
    // Object 2 (5 points): superpoint 2 gives 4 / 5; adding superpoint 0 gives 5 / 8.
    expect(report.objects).toEqual([
      { objectId: 1, points: 4, ceiling: 4 / 6 },
      { objectId: 2, points: 5, ceiling: 4 / 5 },
    ]);
    expect(report.meanCeiling).toBeCloseTo((4 / 6 + 4 / 5) / 2, 12);
    // Annotated points 9; each superpoint's majority: 3 + 1 + 4.
    expect(report.purity).toBeCloseTo(8 / 9, 12);
    expect(report.annotatedPoints).toBe(9);
    expect(report.superpointCount).toBe(3);
    expect(report.meanSuperpointSize).toBeCloseTo(10 / 3, 12);
    // The ceiling is reached by an actual labelling: object 1 on superpoints 0 and 1.
    const labelling = superpoints.map((superpoint) => (superpoint <= 1 ? 1 : 0));
    expect(computeObjectIou(labelling, instance, 1)).toBeCloseTo(4 / 6, 12);
  });

  it('equals the best of every union of superpoints (exhaustive search over 2^9 unions, 20 random scenes)', () => {
    let state = 7;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const superpoints = Array.from({ length: 60 }, () => Math.floor(random() * 9));
      const instance = Array.from({ length: 60 }, () => Math.floor(random() * 4));
      const report = measureSuperpointCeiling(superpoints, instance);
      for (const { objectId, ceiling } of report.objects) {
        let best = 0;
        for (let mask = 1; mask < 1 << 9; mask++) {
          const labelling = superpoints.map((superpoint) => ((mask >> superpoint) & 1 ? objectId : 0));
          best = Math.max(best, computeObjectIou(labelling, instance, objectId));
        }
        expect(ceiling).toBeCloseTo(best, 12);
      }
      expect(report.objects.length).toBeGreaterThan(0);
    }
  });

  it('is 1 everywhere when the superpoints are the instances, and leaves out small objects', () => {
    const instance = [3, 3, 3, 5, 5, 0, 0, 9];
    const report = measureSuperpointCeiling(instance, instance, { minimumObjectPoints: 2 });
    expect(report.objects.map((entry) => [entry.objectId, entry.ceiling])).toEqual([[3, 1], [5, 1]]);
    expect(report.purity).toBe(1);
  });

  it('refuses arrays of different lengths, bad labels and a bad minimum, naming the field', () => {
    expect(() => measureSuperpointCeiling([0, 1], [1])).toThrow(MetricsInputError);
    expect(() => measureSuperpointCeiling([0, -1], [1, 1])).toThrow(/superpointLabels \(\[1\]\): expected an integer ≥ 0, received -1/);
    expect(() => measureSuperpointCeiling([0, 0.5], [1, 1])).toThrow(/\[1\]/);
    expect(() => measureSuperpointCeiling([0], [1], { minimumObjectPoints: 0 })).toThrow(/minimumObjectPoints/);
  });
});
