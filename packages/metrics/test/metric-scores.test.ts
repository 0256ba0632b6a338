import { describe, expect, it } from 'vitest';
import {
  computeObjectIou,
  computeSceneIou,
  computeSemanticScores,
  evaluateInstanceAveragePrecision,
  MetricsInputError,
} from '../src/index.js';
import type { PredictedInstance } from '../src/index.js';

function maskOf(pointCount: number, points: number[]): Uint8Array {
  const mask = new Uint8Array(pointCount);
  for (const point of points) mask[point] = 1;
  return mask;
}

describe('computeObjectIou / computeSceneIou', () => {
  const truth = Int32Array.from([1, 1, 1, 0, 2]);
  const predicted = Int32Array.from([1, 1, 0, 1, 2]);

  it('matches hand counts', () => {
    // Object 1: intersection {0,1} = 2, union {0,1,2,3} = 4.
    expect(computeObjectIou(predicted, truth, 1)).toBe(0.5);
    expect(computeObjectIou(predicted, truth, 2)).toBe(1);
    const scene = computeSceneIou(predicted, truth);
    expect(scene.meanIou).toBe(0.75);
    expect([...scene.objectIous.entries()]).toEqual([[1, 0.5], [2, 1]]);
  });

  it('scores an empty prediction 0 and an absent object 0', () => {
    const empty = new Int32Array(5);
    expect(computeSceneIou(empty, truth).meanIou).toBe(0);
    expect(computeObjectIou(empty, truth, 7)).toBe(0);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => computeObjectIou(new Int32Array(4), truth, 1)).toThrow(MetricsInputError);
  });
});

describe('computeSemanticScores', () => {
  it('matches hand counts and ignores unannotated points', () => {
    const truth = Int32Array.from([1, 1, 2, 2, 0]);
    const predicted = Int32Array.from([1, 2, 2, 2, 1]);
    const scores = computeSemanticScores(predicted, truth);
    // Class 1: TP 1, FN 1, FP 0 → IoU 1/2, acc 1/2. Class 2: TP 2, FP 1 (point 1), FN 0 → IoU 2/3, acc 1.
    expect(scores.perClass.get(1)).toEqual({ iou: 0.5, accuracy: 0.5, truthCount: 2 });
    expect(scores.perClass.get(2)!.iou).toBeCloseTo(2 / 3, 12);
    expect(scores.meanIou).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(scores.meanAccuracy).toBe(0.75);
    expect(scores.overallAccuracy).toBe(0.75);
  });

  it('leaves classes without true points out of the means', () => {
    const scores = computeSemanticScores(Int32Array.from([3, 1]), Int32Array.from([1, 1]), { classIds: [1, 3] });
    expect(scores.perClass.get(3)!.iou).toBeNaN();
    expect(scores.meanIou).toBe(0.5);
    expect(scores.meanAccuracy).toBe(0.5);
  });
});

describe('evaluateInstanceAveragePrecision (ScanNet rules)', () => {
  // Eight points: object A = points 0-3, object B = points 4-7, both class 1.
  const truthInstance = Int32Array.from([1, 1, 1, 1, 2, 2, 2, 2]);
  const truthSemantic = Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
  const evaluate = (predictions: PredictedInstance[], classIds = [1]) =>
    evaluateInstanceAveragePrecision([{ truthInstance, truthSemantic, predictions }], { classIds, minRegionSize: 1 });

  it('gives 1 for perfect predictions', () => {
    const result = evaluate([
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.9 },
      { mask: maskOf(8, [4, 5, 6, 7]), classId: 1, confidence: 0.8 },
    ]);
    expect(result.averagePrecision).toBeCloseTo(1, 12);
    expect(result.averagePrecision50).toBeCloseTo(1, 12);
    expect(result.averagePrecision25).toBeCloseTo(1, 12);
  });

  it('counts an unmatched ground truth as a missed recall (AP 0.5 with one of two found)', () => {
    // Curve: (recall 0.5, precision 1) and the artificial (0, 1); step widths 0.25 + 0.25.
    const result = evaluate([{ mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.9 }]);
    expect(result.averagePrecision50).toBeCloseTo(0.5, 12);
    expect(result.averagePrecision).toBeCloseTo(0.5, 12);
  });

  it('ranks a more confident false positive first (ScanNet step integration gives 0.125)', () => {
    // Pred 2 covers 1 point of B: IoU 1/4, not above 0.25, so it is a false positive at every threshold.
    // Ascending scores [0.5 TP, 0.9 FP]: at 0.5 tp=1 fp=1 fn=1 → (p .5, r .5); at 0.9 tp=0 → (0, 0);
    // artificial (1, 0). Padded recall [.5 .5 0 0 0] → widths [.25 .25 0] → AP = .5·.25 = 0.125.
    const result = evaluate([
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.5 },
      { mask: maskOf(8, [4]), classId: 1, confidence: 0.9 },
    ]);
    expect(result.averagePrecision50).toBeCloseTo(0.125, 12);
    expect(result.averagePrecision25).toBeCloseTo(0.125, 12);
  });

  it('treats tied confidences as one operating point', () => {
    // Both at 0.7: tp=1 fp=1 fn=1 → (0.5, 0.5), then (1, 0): widths [.25 .25] → 0.125 + 0.25.
    const tied = evaluate([
      { mask: maskOf(8, [4]), classId: 1, confidence: 0.7 },
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.7 },
    ]);
    expect(tied.averagePrecision50).toBeCloseTo(0.375, 12);
    const swapped = evaluate([
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.7 },
      { mask: maskOf(8, [4]), classId: 1, confidence: 0.7 },
    ]);
    expect(swapped.averagePrecision50).toBeCloseTo(0.375, 12);
  });

  it('lets a duplicate with lower confidence cost nothing', () => {
    const result = evaluate([
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.9 },
      { mask: maskOf(8, [0, 1, 2, 3]), classId: 1, confidence: 0.6 },
      { mask: maskOf(8, [4, 5, 6, 7]), classId: 1, confidence: 0.8 },
    ]);
    expect(result.averagePrecision50).toBeCloseTo(1, 12);
  });

  it('scores 0 for a class with ground truth and no prediction; NaN classes are skipped', () => {
    const result = evaluate([], [1, 2]);
    expect(result.perClass.get(1)!.averagePrecision50).toBe(0);
    expect(result.perClass.get(2)!.averagePrecision50).toBeNaN();
    expect(result.averagePrecision50).toBe(0);
  });

  it('uses the threshold strictly and averages 0.50:0.95', () => {
    // Prediction = A plus 2 points of B: IoU with A = 4/6 ≈ 0.667 → true positive for 0.50..0.65, not 0.70+.
    const result = evaluate([{ mask: maskOf(8, [0, 1, 2, 3, 4, 5]), classId: 1, confidence: 1 }]);
    // Above the threshold: one TP, B missed → AP 0.5 (4 thresholds); below: the prediction is a false
    // positive and both objects are missed → AP 0 (5 thresholds).
    expect(result.averagePrecision50).toBeCloseTo(0.5, 12);
    expect(result.averagePrecision).toBeCloseTo((4 * 0.5) / 9, 12);
  });

  it('ignores predictions that mostly cover void points', () => {
    const instance = Int32Array.from([1, 1, 0, 0, 0]);
    const semantic = Int32Array.from([1, 1, 0, 0, 0]);
    const result = evaluateInstanceAveragePrecision(
      [{ truthInstance: instance, truthSemantic: semantic, predictions: [
        { mask: maskOf(5, [0, 1]), classId: 1, confidence: 0.5 },
        { mask: maskOf(5, [2, 3, 4]), classId: 1, confidence: 0.9 },
      ] }],
      { classIds: [1], minRegionSize: 1 },
    );
    expect(result.averagePrecision50).toBeCloseTo(1, 12);
  });
});
