import { MetricsInputError } from './metrics-error.js';

/** One object's class prediction beside its true class. */
export interface ClassPrediction {
  /** True class index (for ScanNet, the NYU40 id that is also the checkpoint's class index). */
  trueClass: number;
  /**
   * Class probabilities by class index, as shown to the person (0…1, summing to 1). The shown class is
   * the most probable one (the lowest index among ties), its probability the shown confidence.
   */
  probabilities: ArrayLike<number>;
}

/** Options of {@link computeClassAccuracy}. */
export interface ClassAccuracyOptions {
  /** Ranks k at which top-k accuracy is reported. Default [1, 3]. */
  ranks?: readonly number[];
  /** Objects whose true class is listed are left out (for example wall, floor, ceiling). Default none. */
  excludeClasses?: readonly number[];
}

/** Top-k accuracy of a set of predictions. */
export interface ClassAccuracy {
  /** Objects scored (after `excludeClasses`). */
  count: number;
  /** Fraction (0…1) of objects whose true class is among the k most probable, by k; NaN when `count` is 0. */
  accuracyAt: Record<number, number>;
}

/** One row of {@link computeClassConfusion}: how the objects of one true class were classified. */
export interface ClassConfusionRow {
  /** True class index. */
  trueClass: number;
  /** Objects of this class. */
  count: number;
  /** Fraction (0…1) of them whose shown class is right. */
  accuracy: number;
  /** The wrong class they were most often shown as (the lowest index among ties); undefined when never wrong. */
  confusedWith?: number;
  /** How many of them were shown as `confusedWith` (0 when never wrong). */
  confusedCount: number;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lower edge of the confidence bin (inclusive, except the first bin, which also takes 0). */
  lower: number;
  /** Upper edge (inclusive). */
  upper: number;
  /** Predictions whose confidence falls in the bin. */
  count: number;
  /** Mean shown confidence in the bin (0…1); NaN when empty. */
  meanConfidence: number;
  /** Fraction of them that are right (0…1); NaN when empty. */
  accuracy: number;
}

/** Output of {@link computeCalibration}. */
export interface Calibration {
  /** Expected calibration error: Σ_bins (count / total) · |accuracy − meanConfidence| (0…1); NaN with no predictions. */
  expectedCalibrationError: number;
  /** Equal-width confidence bins over [0, 1]. */
  bins: ReliabilityBin[];
}

/** Options of {@link fitTemperature}. */
export interface TemperatureFitOptions {
  /** Smallest temperature searched. Default 0.05. */
  minimum?: number;
  /** Largest temperature searched. Default 20. */
  maximum?: number;
  /** Class bias (logits, one per class) added after the temperature, held fixed while fitting. Default none. */
  classBias?: ArrayLike<number>;
}

/** Probabilities below this are read as this before taking logarithms (a float32 softmax can round to 0). */
const PROBABILITY_FLOOR = 1e-12;

function checkPrediction(prediction: ClassPrediction, index: number, source: string): void {
  const { probabilities, trueClass } = prediction;
  if (!Number.isInteger(trueClass) || trueClass < 0 || trueClass >= probabilities.length) {
    throw new MetricsInputError(source, `[${index}].trueClass`, `a class index in [0, ${probabilities.length})`, String(trueClass));
  }
  for (let classIndex = 0; classIndex < probabilities.length; classIndex++) {
    const probability = probabilities[classIndex];
    if (!(probability >= 0 && probability <= 1)) {
      throw new MetricsInputError(source, `[${index}].probabilities[${classIndex}]`, 'a probability in [0, 1]', String(probability));
    }
  }
}

/** The shown class: the most probable, the lowest index among ties. */
export function findShownClass(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let classIndex = 1; classIndex < probabilities.length; classIndex++) if (probabilities[classIndex] > probabilities[best]) best = classIndex;
  return best;
}

/**
 * Rank of `classIndex` in the class list ordered by probability (0 = shown first): the classes more
 * probable than it, plus those as probable with a lower index (the order {@link findShownClass} breaks ties in).
 */
export function rankClass(probabilities: ArrayLike<number>, classIndex: number): number {
  const probability = probabilities[classIndex];
  let rank = 0;
  for (let other = 0; other < probabilities.length; other++) {
    if (probabilities[other] > probability || (probabilities[other] === probability && other < classIndex)) rank++;
  }
  return rank;
}

/**
 * Top-k class accuracy per object: an object counts as right at k when its true class is among the k most
 * probable classes.
 *
 * @throws {@link MetricsInputError} when a true class is outside the probability vector, a probability is
 *   outside [0, 1], or a rank is not a positive integer.
 */
export function computeClassAccuracy(predictions: readonly ClassPrediction[], options: ClassAccuracyOptions = {}): ClassAccuracy {
  const ranks = options.ranks ?? [1, 3];
  ranks.forEach((rank, slot) => {
    if (!Number.isInteger(rank) || rank < 1) throw new MetricsInputError('options.ranks', `[${slot}]`, 'a positive integer', String(rank));
  });
  const excluded = new Set(options.excludeClasses ?? []);
  const hits = new Map<number, number>(ranks.map((rank) => [rank, 0]));
  let count = 0;
  predictions.forEach((prediction, index) => {
    checkPrediction(prediction, index, 'predictions');
    if (excluded.has(prediction.trueClass)) return;
    count++;
    const rank = rankClass(prediction.probabilities, prediction.trueClass);
    for (const k of ranks) if (rank < k) hits.set(k, hits.get(k)! + 1);
  });
  return { count, accuracyAt: Object.fromEntries(ranks.map((k) => [k, count > 0 ? hits.get(k)! / count : Number.NaN])) };
}

/**
 * Per true class: how many objects, the fraction shown with the right class, and the wrong class shown
 * most often. Rows are ordered by count (largest first), then by class index.
 *
 * @throws {@link MetricsInputError} as {@link computeClassAccuracy}.
 */
export function computeClassConfusion(predictions: readonly ClassPrediction[]): ClassConfusionRow[] {
  const rows = new Map<number, { count: number; right: number; wrong: Map<number, number> }>();
  predictions.forEach((prediction, index) => {
    checkPrediction(prediction, index, 'predictions');
    let row = rows.get(prediction.trueClass);
    if (!row) rows.set(prediction.trueClass, (row = { count: 0, right: 0, wrong: new Map() }));
    row.count++;
    const shown = findShownClass(prediction.probabilities);
    if (shown === prediction.trueClass) row.right++;
    else row.wrong.set(shown, (row.wrong.get(shown) ?? 0) + 1);
  });
  return [...rows]
    .map(([trueClass, row]): ClassConfusionRow => {
      let confusedWith: number | undefined;
      let confusedCount = 0;
      for (const [shown, count] of row.wrong) {
        if (count > confusedCount || (count === confusedCount && shown < confusedWith!)) {
          confusedWith = shown;
          confusedCount = count;
        }
      }
      return { trueClass, count: row.count, accuracy: row.right / row.count, confusedWith, confusedCount };
    })
    .sort((a, b) => b.count - a.count || a.trueClass - b.trueClass);
}

/**
 * Expected calibration error of the shown confidence (the top class's probability) and the reliability
 * bins it is computed from: `binCount` equal-width bins over [0, 1], a confidence c going to bin
 * ⌈c·binCount⌉ − 1 (so each bin holds (lower, upper], the first also 0), as Guo et al. 2017 bin them.
 *
 * @throws {@link MetricsInputError} for a bin count that is not a positive integer, or a bad prediction.
 */
export function computeCalibration(predictions: readonly ClassPrediction[], binCount = 15): Calibration {
  if (!Number.isInteger(binCount) || binCount < 1) throw new MetricsInputError('binCount', '', 'a positive integer', String(binCount));
  const counts = new Float64Array(binCount);
  const confidenceSums = new Float64Array(binCount);
  const rightCounts = new Float64Array(binCount);
  predictions.forEach((prediction, index) => {
    checkPrediction(prediction, index, 'predictions');
    const shown = findShownClass(prediction.probabilities);
    const confidence = prediction.probabilities[shown];
    const bin = Math.min(binCount - 1, Math.max(0, Math.ceil(confidence * binCount) - 1));
    counts[bin]++;
    confidenceSums[bin] += confidence;
    if (shown === prediction.trueClass) rightCounts[bin]++;
  });
  let error = 0;
  const bins: ReliabilityBin[] = [];
  for (let bin = 0; bin < binCount; bin++) {
    const count = counts[bin];
    const meanConfidence = count > 0 ? confidenceSums[bin] / count : Number.NaN;
    const accuracy = count > 0 ? rightCounts[bin] / count : Number.NaN;
    if (count > 0) error += (count / predictions.length) * Math.abs(accuracy - meanConfidence);
    bins.push({ lower: bin / binCount, upper: (bin + 1) / binCount, count, meanConfidence, accuracy });
  }
  return { expectedCalibrationError: predictions.length > 0 ? error : Number.NaN, bins };
}

/**
 * The probabilities after temperature scaling and an optional class bias: softmax(log(p) / temperature + classBias),
 * which for probabilities p = softmax(z) equals softmax(z / temperature + classBias), the calibration the segmenter
 * applies to the class logits (`calibrateClassLogits` of `@pointclick/segmenter`).
 *
 * @param classBias - Logits added after the scaling, one per class (post-hoc logit adjustment); absent: none.
 */
export function scaleProbabilities(probabilities: ArrayLike<number>, temperature: number, classBias?: ArrayLike<number>): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new MetricsInputError('temperature', '', 'a finite number > 0', String(temperature));
  if (classBias !== undefined && classBias.length !== probabilities.length) {
    throw new MetricsInputError('classBias', 'length', `${probabilities.length} entries (one per class)`, String(classBias.length));
  }
  const scaled = new Float64Array(probabilities.length);
  let largest = -Infinity;
  for (let classIndex = 0; classIndex < probabilities.length; classIndex++) {
    scaled[classIndex] = Math.log(Math.max(probabilities[classIndex], PROBABILITY_FLOOR)) / temperature + (classBias?.[classIndex] ?? 0);
    largest = Math.max(largest, scaled[classIndex]);
  }
  let sum = 0;
  for (let classIndex = 0; classIndex < scaled.length; classIndex++) sum += scaled[classIndex] = Math.exp(scaled[classIndex] - largest);
  for (let classIndex = 0; classIndex < scaled.length; classIndex++) scaled[classIndex] /= sum;
  return scaled;
}

/** Mean negative log-likelihood of the true classes after scaling by `temperature` and adding `classBias` (if given). */
export function computeNegativeLogLikelihood(predictions: readonly ClassPrediction[], temperature: number, classBias?: ArrayLike<number>): number {
  let sum = 0;
  for (const prediction of predictions) sum -= Math.log(Math.max(scaleProbabilities(prediction.probabilities, temperature, classBias)[prediction.trueClass], PROBABILITY_FLOOR));
  return sum / predictions.length;
}

/**
 * Temperature scaling (Guo et al. 2017): the temperature T that minimises the negative log-likelihood of
 * the true classes under softmax(z / T + b), found by golden-section search over 1/T (the likelihood is convex
 * in 1/T). `predictions` hold the probabilities at temperature 1 without bias; b is `options.classBias` (fixed
 * first, the temperature fitted with it), or 0.
 *
 * @throws {@link MetricsInputError} with no predictions, a bad prediction, or a bad search range.
 */
export function fitTemperature(predictions: readonly ClassPrediction[], options: TemperatureFitOptions = {}): number {
  if (predictions.length === 0) throw new MetricsInputError('predictions', '', 'at least one prediction to fit a temperature on', 'none');
  predictions.forEach((prediction, index) => checkPrediction(prediction, index, 'predictions'));
  const minimum = options.minimum ?? 0.05;
  const maximum = options.maximum ?? 20;
  if (!(minimum > 0 && maximum > minimum && Number.isFinite(maximum))) {
    throw new MetricsInputError('options', 'minimum, maximum', 'finite temperatures with 0 < minimum < maximum', `${minimum}, ${maximum}`);
  }
  const lossAt = (inverse: number) => computeNegativeLogLikelihood(predictions, 1 / inverse, options.classBias);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = 1 / maximum;
  let high = 1 / minimum;
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let leftLoss = lossAt(left);
  let rightLoss = lossAt(right);
  while (high - low > 1e-5 * (1 + low)) {
    if (leftLoss <= rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - ratio * (high - low);
      leftLoss = lossAt(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + ratio * (high - low);
      rightLoss = lossAt(right);
    }
  }
  return 2 / (low + high);
}
