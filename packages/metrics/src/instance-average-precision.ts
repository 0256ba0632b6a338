import { assertSameLength, MetricsInputError } from './metrics-error.js';

/** One predicted instance. */
export interface PredictedInstance {
  /** 1 for every point of the instance, 0 elsewhere; length = the scene's point count. */
  mask: Uint8Array;
  /** Predicted semantic class id. */
  classId: number;
  /** Confidence used to rank predictions (any scale; higher is more confident). */
  confidence: number;
}

/** Ground truth and predictions of one scene for {@link evaluateInstanceAveragePrecision}. */
export interface InstanceEvaluationScene {
  /** True instance id per point; 0 = unannotated (void). */
  truthInstance: ArrayLike<number>;
  /** True semantic class id per point, same length. */
  truthSemantic: ArrayLike<number>;
  /** Predicted instances. */
  predictions: readonly PredictedInstance[];
}

/** Options of {@link evaluateInstanceAveragePrecision}. */
export interface InstanceAveragePrecisionOptions {
  /** Classes evaluated (ScanNet: the 18 instance classes). Points of any other class are void. */
  classIds: readonly number[];
  /**
   * Ground-truth instances and predictions with fewer points are left out (ScanNet: 100 mesh vertices).
   * Default 100.
   */
  minRegionSize?: number;
}

/** AP per class and averaged, from {@link evaluateInstanceAveragePrecision}. */
export interface InstanceAveragePrecision {
  /** mAP averaged over IoU thresholds 0.50, 0.55, …, 0.95 and over classes (NaN classes skipped). 0..1. */
  averagePrecision: number;
  /** mAP at IoU > 0.5. */
  averagePrecision50: number;
  /** mAP at IoU > 0.25. */
  averagePrecision25: number;
  /** Per class: AP over 0.50:0.95, AP50, AP25; NaN where the class has neither ground truth nor matchable predictions. */
  perClass: Map<number, { averagePrecision: number; averagePrecision50: number; averagePrecision25: number }>;
}

/** ScanNet's thresholds: 0.50, 0.55, …, 0.90, then 0.25 (0.95 is excluded by `np.arange(0.5, 0.95, 0.05)`). */
const OVERLAPS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.25];

interface TruthInstance {
  pointCount: number;
  classId: number;
  /** Matched predictions in prediction order, with their intersection. */
  matches: { prediction: number; intersection: number }[];
}

interface PredictionRecord {
  pointCount: number;
  confidence: number;
  voidIntersection: number;
  /** Matched ground truth (same class) with intersection. */
  matches: { truth: number; intersection: number }[];
}

interface SceneMatches {
  truths: TruthInstance[];
  predictions: PredictionRecord[];
  /** Prediction records per class id. */
  predictionsByClass: Map<number, number[]>;
  truthsByClass: Map<number, number[]>;
}

/**
 * Instance segmentation AP as ScanNet's `evaluate_semantic_instance.py` computes it: ground-truth instances
 * are the (instance id, class) pairs of `truth*`; predictions smaller than `minRegionSize` are dropped;
 * per class and threshold, every ground-truth instance in turn takes the first not-yet-used prediction (in
 * input order) whose IoU exceeds the threshold, further such predictions becoming false positives ranked
 * at the lower of the two confidences; unmatched predictions are false positives unless more than the
 * threshold of their points are void or belong to too-small ground truth; precision/recall are taken at
 * each distinct confidence and integrated with ScanNet's step rule. Classes without ground truth and
 * without predictions give NaN and are skipped in the means; a class with ground truth but no prediction
 * scores 0.
 */
export function evaluateInstanceAveragePrecision(
  scenes: readonly InstanceEvaluationScene[],
  options: InstanceAveragePrecisionOptions,
): InstanceAveragePrecision {
  const minRegionSize = options.minRegionSize ?? 100;
  const validClasses = new Set(options.classIds);
  const matchesPerScene = scenes.map((scene, sceneIndex) => matchScene(scene, sceneIndex, validClasses, minRegionSize));
  const table = options.classIds.map((classId) =>
    OVERLAPS.map((overlap) => computeClassAveragePrecision(matchesPerScene, classId, overlap, minRegionSize)),
  );
  const perClass = new Map<number, { averagePrecision: number; averagePrecision50: number; averagePrecision25: number }>();
  const allBut25: number[] = [];
  const at50: number[] = [];
  const at25: number[] = [];
  options.classIds.forEach((classId, classSlot) => {
    const row = table[classSlot];
    const strict = row.slice(0, OVERLAPS.length - 1);
    perClass.set(classId, {
      averagePrecision: strict.reduce((sum, value) => sum + value, 0) / strict.length,
      averagePrecision50: row[0],
      averagePrecision25: row[OVERLAPS.length - 1],
    });
    allBut25.push(...strict);
    at50.push(row[0]);
    at25.push(row[OVERLAPS.length - 1]);
  });
  return {
    averagePrecision: nanMean(allBut25),
    averagePrecision50: nanMean(at50),
    averagePrecision25: nanMean(at25),
    perClass,
  };
}

function nanMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    sum += value;
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

function matchScene(scene: InstanceEvaluationScene, sceneIndex: number, validClasses: Set<number>, minRegionSize: number): SceneMatches {
  const source = `scenes[${sceneIndex}]`;
  assertSameLength(scene.truthSemantic, scene.truthInstance, `${source}.truthSemantic`, `${source}.truthInstance`);
  const pointCount = scene.truthInstance.length;
  // Ground-truth instance slot per point, -1 for void (unannotated or a class that is not evaluated).
  const truthSlot = new Int32Array(pointCount).fill(-1);
  const slotOfKey = new Map<string, number>();
  const truths: TruthInstance[] = [];
  const truthsByClass = new Map<number, number[]>();
  for (let point = 0; point < pointCount; point++) {
    const instance = scene.truthInstance[point];
    const classId = scene.truthSemantic[point];
    if (instance === 0 || !validClasses.has(classId)) continue;
    const key = `${instance}:${classId}`;
    let slot = slotOfKey.get(key);
    if (slot === undefined) {
      slot = truths.length;
      slotOfKey.set(key, slot);
      truths.push({ pointCount: 0, classId, matches: [] });
      const list = truthsByClass.get(classId) ?? [];
      list.push(slot);
      truthsByClass.set(classId, list);
    }
    truths[slot].pointCount++;
    truthSlot[point] = slot;
  }
  const predictions: PredictionRecord[] = [];
  const predictionsByClass = new Map<number, number[]>();
  scene.predictions.forEach((prediction, predictionIndex) => {
    if (prediction.mask.length !== pointCount) {
      throw new MetricsInputError(`${source}.predictions[${predictionIndex}].mask`, 'length', `${pointCount} entries`, `${prediction.mask.length}`);
    }
    if (!Number.isFinite(prediction.confidence)) {
      throw new MetricsInputError(`${source}.predictions[${predictionIndex}].confidence`, '', 'a finite number', String(prediction.confidence));
    }
    if (!validClasses.has(prediction.classId)) return;
    let size = 0;
    let voidIntersection = 0;
    const intersections = new Map<number, number>();
    for (let point = 0; point < pointCount; point++) {
      if (prediction.mask[point] === 0) continue;
      size++;
      const slot = truthSlot[point];
      if (slot === -1) voidIntersection++;
      else if (truths[slot].classId === prediction.classId) intersections.set(slot, (intersections.get(slot) ?? 0) + 1);
    }
    if (size < minRegionSize || size === 0) return;
    const record = predictions.length;
    const matches = [...intersections.entries()].sort((a, b) => a[0] - b[0]).map(([truth, intersection]) => ({ truth, intersection }));
    predictions.push({ pointCount: size, confidence: prediction.confidence, voidIntersection, matches });
    for (const match of matches) truths[match.truth].matches.push({ prediction: record, intersection: match.intersection });
    const list = predictionsByClass.get(prediction.classId) ?? [];
    list.push(record);
    predictionsByClass.set(prediction.classId, list);
  });
  return { truths, predictions, predictionsByClass, truthsByClass };
}

function computeClassAveragePrecision(scenes: readonly SceneMatches[], classId: number, overlap: number, minRegionSize: number): number {
  const labels: number[] = [];
  const scores: number[] = [];
  let hardFalseNegatives = 0;
  let hasTruth = false;
  let hasPrediction = false;
  for (const scene of scenes) {
    const predictionIds = scene.predictionsByClass.get(classId) ?? [];
    const truthIds = (scene.truthsByClass.get(classId) ?? []).filter((slot) => scene.truths[slot].pointCount >= minRegionSize);
    if (truthIds.length > 0) hasTruth = true;
    if (predictionIds.length > 0) hasPrediction = true;
    const used = new Set<number>();
    const currentLabels: number[] = truthIds.map(() => 1);
    const currentScores: number[] = truthIds.map(() => Number.NEGATIVE_INFINITY);
    const currentMatched: boolean[] = truthIds.map(() => false);
    truthIds.forEach((truthId, truthPosition) => {
      const truth = scene.truths[truthId];
      let found = false;
      for (const match of truth.matches) {
        if (used.has(match.prediction)) continue;
        const prediction = scene.predictions[match.prediction];
        const iou = match.intersection / (truth.pointCount + prediction.pointCount - match.intersection);
        if (iou <= overlap) continue;
        if (currentMatched[truthPosition]) {
          // A second prediction on an already-matched object: the better score stays with the match, the
          // worse one becomes a false positive.
          const best = Math.max(currentScores[truthPosition], prediction.confidence);
          const worst = Math.min(currentScores[truthPosition], prediction.confidence);
          currentScores[truthPosition] = best;
          currentLabels.push(0);
          currentScores.push(worst);
          currentMatched.push(true);
        } else {
          found = true;
          currentMatched[truthPosition] = true;
          currentScores[truthPosition] = prediction.confidence;
          used.add(match.prediction);
        }
      }
      if (!found) hardFalseNegatives++;
    });
    for (let entry = 0; entry < currentLabels.length; entry++) {
      if (!currentMatched[entry]) continue;
      labels.push(currentLabels[entry]);
      scores.push(currentScores[entry]);
    }
    for (const predictionId of predictionIds) {
      const prediction = scene.predictions[predictionId];
      let found = false;
      for (const match of prediction.matches) {
        const truth = scene.truths[match.truth];
        if (match.intersection / (truth.pointCount + prediction.pointCount - match.intersection) > overlap) {
          found = true;
          break;
        }
      }
      if (found) continue;
      let ignored = prediction.voidIntersection;
      for (const match of prediction.matches) {
        if (scene.truths[match.truth].pointCount < minRegionSize) ignored += match.intersection;
      }
      if (ignored / prediction.pointCount <= overlap) {
        labels.push(0);
        scores.push(prediction.confidence);
      }
    }
  }
  if (hasTruth && hasPrediction) return integratePrecisionRecall(labels, scores, hardFalseNegatives);
  if (hasTruth) return 0;
  return Number.NaN;
}

/** ScanNet's precision/recall integration over distinct confidence values. */
function integratePrecisionRecall(labels: readonly number[], scores: readonly number[], hardFalseNegatives: number): number {
  const order = scores.map((_, position) => position).sort((a, b) => scores[a] - scores[b]);
  const exampleCount = order.length;
  const cumulative = new Float64Array(exampleCount);
  let running = 0;
  order.forEach((position, rank) => {
    running += labels[position];
    cumulative[rank] = running;
  });
  const trueCount = exampleCount > 0 ? cumulative[exampleCount - 1] : 0;
  // First index of each distinct score in ascending order.
  const uniqueStarts: number[] = [];
  for (let rank = 0; rank < exampleCount; rank++) {
    if (rank === 0 || scores[order[rank]] !== scores[order[rank - 1]]) uniqueStarts.push(rank);
  }
  const precision = new Float64Array(uniqueStarts.length + 1);
  const recall = new Float64Array(uniqueStarts.length + 1);
  uniqueStarts.forEach((start, slot) => {
    const before = start === 0 ? 0 : cumulative[start - 1];
    const truePositives = trueCount - before;
    const falsePositives = exampleCount - start - truePositives;
    const falseNegatives = before + hardFalseNegatives;
    precision[slot] = truePositives / (truePositives + falsePositives);
    recall[slot] = truePositives / (truePositives + falseNegatives);
  });
  precision[uniqueStarts.length] = 1;
  recall[uniqueStarts.length] = 0;
  // Step widths: convolution of [r0, r0, r1, …, rn, 0] with [-0.5, 0, 0.5] ('valid').
  const padded = [recall[0], ...recall, 0];
  let area = 0;
  for (let slot = 0; slot < precision.length; slot++) {
    area += precision[slot] * (0.5 * padded[slot] - 0.5 * padded[slot + 2]);
  }
  return area;
}
