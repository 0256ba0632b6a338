import { describe, expect, it } from 'vitest';
import { estimateCalibrationNoise, MetricsInputError, type ClassPrediction } from '../src/index.js';

/** `count` predictions over three classes, each showing class 0 with confidence `confidence`. */
function predictionsAt(confidence: number, count: number): ClassPrediction[] {
  const rest = (1 - confidence) / 2;
  return Array.from({ length: count }, () => ({ trueClass: 1, probabilities: [confidence, rest, rest] }));
}

/** Exact binomial probability that k of n fair-coin draws lie in [low, high]. */
function binomialShare(n: number, low: number, high: number): number {
  let logChoose = 0; // log C(n, 0)
  let share = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log((n - k + 1) / k);
    if (k >= low && k <= high) share += Math.exp(logChoose - n * Math.log(2));
  }
  return share;
}

describe('estimateCalibrationNoise', () => {
  it('is zero for a head that is always right and sure of it, whatever the true classes given', () => {
    const noise = estimateCalibrationNoise(predictionsAt(1, 50));
    expect(noise).toEqual({ median: 0, lower: 0, upper: 0, shareAtMostThreshold: 1, threshold: 0.08 });
  });

  it('matches the binomial law when every confidence falls in one bin', () => {
    // 100 objects shown at 0.5: the ECE of a draw is |k/100 − 0.5| for k ~ Binomial(100, 0.5), so
    // ECE ≤ 0.085 exactly when 42 ≤ k ≤ 58 (a threshold between two attainable values, clear of rounding).
    const noise = estimateCalibrationNoise(predictionsAt(0.5, 100), { draws: 4000, seed: 3, threshold: 0.085 });
    expect(Math.abs(noise.shareAtMostThreshold - binomialShare(100, 42, 58))).toBeLessThan(0.02);
    // The median of |k − 50| is 3 or 4 (P(|k − 50| ≤ 3) = 0.52), so the median ECE is 0.03 or 0.04.
    expect([0.03, 0.04]).toContain(Number(noise.median.toFixed(2)));
    expect(noise.lower).toBeLessThanOrEqual(noise.median);
    expect(noise.upper).toBeGreaterThanOrEqual(noise.median);
  });

  it('shrinks as the set grows, and is deterministic for a seed', () => {
    const spread = (count: number) => Array.from({ length: count }, (_, index) => predictionsAt(0.2 + (0.7 * (index % 10)) / 10, 1)[0]);
    const small = estimateCalibrationNoise(spread(90), { seed: 5 });
    const large = estimateCalibrationNoise(spread(9000), { seed: 5, draws: 200 });
    expect(large.median).toBeLessThan(small.median / 4);
    expect(estimateCalibrationNoise(spread(90), { seed: 5 })).toEqual(small);
    expect(estimateCalibrationNoise(spread(90), { seed: 6 }).median).not.toBe(small.median);
  });

  it('names a bad option or an empty set', () => {
    expect(() => estimateCalibrationNoise([])).toThrow(MetricsInputError);
    expect(() => estimateCalibrationNoise(predictionsAt(0.5, 3), { draws: 0 })).toThrow(/draws/);
    expect(() => estimateCalibrationNoise(predictionsAt(0.5, 3), { binCount: 0 })).toThrow(/binCount/);
  });
});
