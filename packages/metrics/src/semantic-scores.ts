import { assertSameLength, MetricsInputError } from './metrics-error.js';

/** Options of {@link computeSemanticScores}. */
export interface SemanticScoreOptions {
  /**
   * Classes to score. Points whose true class is not listed are ignored entirely (neither counted as
   * errors nor as hits). Defaults to every non-zero class present in the truth.
   */
  classIds?: readonly number[];
}

/** Per-class and averaged semantic segmentation scores. */
export interface SemanticScores {
  /** Mean over scored classes of IoU = TP / (TP + FP + FN), fraction in 0..1. */
  meanIou: number;
  /** Mean over scored classes of accuracy = TP / (TP + FN) (per-class recall), fraction in 0..1. */
  meanAccuracy: number;
  /** Fraction of non-ignored points whose predicted class is right. */
  overallAccuracy: number;
  /** Per class id: IoU and accuracy (NaN when the class has no true point and is therefore not averaged). */
  perClass: Map<number, { iou: number; accuracy: number; truthCount: number }>;
}

/**
 * Semantic mIoU and mACC over classes. Only points whose true class is among `classIds` are counted
 * (0 = unannotated is ignored unless listed). A class enters the means only when it has at least one true
 * point; a prediction of a class that is absent from the truth still costs the true class of those points
 * a false negative.
 *
 * @param predicted - Predicted class id per point.
 * @param truth - True class id per point, same length.
 */
export function computeSemanticScores(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  options: SemanticScoreOptions = {},
): SemanticScores {
  assertSameLength(predicted, truth);
  const classIds = options.classIds ?? [...new Set(Array.from(truth))].filter((label) => label !== 0).sort((a, b) => a - b);
  const slotOf = new Map<number, number>();
  classIds.forEach((id, slot) => {
    if (!Number.isInteger(id)) throw new MetricsInputError('options.classIds', `[${slot}]`, 'an integer class id', String(id));
    slotOf.set(id, slot);
  });
  const truePositives = new Float64Array(classIds.length);
  const falsePositives = new Float64Array(classIds.length);
  const truthCounts = new Float64Array(classIds.length);
  let counted = 0;
  let correct = 0;
  for (let point = 0; point < truth.length; point++) {
    const truthSlot = slotOf.get(truth[point]);
    if (truthSlot === undefined) continue;
    counted++;
    truthCounts[truthSlot]++;
    const predictedSlot = slotOf.get(predicted[point]);
    if (predictedSlot === truthSlot) {
      truePositives[truthSlot]++;
      correct++;
    } else if (predictedSlot !== undefined) {
      falsePositives[predictedSlot]++;
    }
  }
  const perClass = new Map<number, { iou: number; accuracy: number; truthCount: number }>();
  let iouSum = 0;
  let accuracySum = 0;
  let scored = 0;
  classIds.forEach((id, slot) => {
    const truthCount = truthCounts[slot];
    if (truthCount === 0) {
      perClass.set(id, { iou: Number.NaN, accuracy: Number.NaN, truthCount: 0 });
      return;
    }
    const iou = truePositives[slot] / (truthCount + falsePositives[slot]);
    const accuracy = truePositives[slot] / truthCount;
    perClass.set(id, { iou, accuracy, truthCount });
    iouSum += iou;
    accuracySum += accuracy;
    scored++;
  });
  return {
    meanIou: scored === 0 ? Number.NaN : iouSum / scored,
    meanAccuracy: scored === 0 ? Number.NaN : accuracySum / scored,
    overallAccuracy: counted === 0 ? Number.NaN : correct / counted,
    perClass,
  };
}
