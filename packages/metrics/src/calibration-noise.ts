import { createRandom } from '@pointclick/sampling';
import { computeCalibration, findShownClass, type ClassPrediction } from './class-scores.js';
import { MetricsInputError } from './metrics-error.js';

/** Options of {@link estimateCalibrationNoise}. */
export interface CalibrationNoiseOptions {
  /** Confidence bins, as {@link computeCalibration} takes them. Default 15. */
  binCount?: number;
  /** Simulated outcomes. Default 2,000. */
  draws?: number;
  /** Seed of the simulation (deterministic for a seed). Default 1. */
  seed?: number;
  /** The share of draws with an ECE at or below this is reported (a goal). Default 0.08. */
  threshold?: number;
}

/** What a perfectly calibrated head with the same shown confidences would score, over simulated outcomes. */
export interface CalibrationNoise {
  /** Median expected calibration error (0…1). */
  median: number;
  /** 5th percentile of the expected calibration error. */
  lower: number;
  /** 95th percentile of the expected calibration error. */
  upper: number;
  /** Share of draws (0…1) whose expected calibration error is at most `threshold`. */
  shareAtMostThreshold: number;
  /** The threshold that share refers to. */
  threshold: number;
}

/**
 * The sampling noise of the expected calibration error on a finite set: keeping every prediction's shown class
 * and confidence, each object is drawn right with probability exactly its confidence (a head calibrated by
 * construction), and the ECE of every draw is computed with {@link computeCalibration}'s bins. On a hundred
 * objects over 15 bins a perfectly calibrated head scores an ECE of about 0.1, so an ECE must be read beside
 * this figure: a measured ECE inside the range says nothing about the calibration, and a goal below it cannot be
 * shown met on that set.
 *
 * @throws {@link MetricsInputError} for a bad option or prediction, or no predictions.
 */
export function estimateCalibrationNoise(predictions: readonly ClassPrediction[], options: CalibrationNoiseOptions = {}): CalibrationNoise {
  const { binCount = 15, draws = 2000, seed = 1, threshold = 0.08 } = options;
  if (!Number.isInteger(draws) || draws < 1) throw new MetricsInputError('draws', '', 'a positive integer', String(draws));
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new MetricsInputError('threshold', '', 'a finite number ≥ 0', String(threshold));
  if (predictions.length === 0) throw new MetricsInputError('predictions', '', 'at least one prediction', '0');
  computeCalibration(predictions, binCount); // validates the predictions and the bin count
  const shown = predictions.map((prediction) => findShownClass(prediction.probabilities));
  const random = createRandom(seed);
  const errors = new Float64Array(draws);
  for (let draw = 0; draw < draws; draw++) {
    const simulated = predictions.map((prediction, index) => {
      const right = random.next() < prediction.probabilities[shown[index]];
      // A wrong outcome needs a true class other than the shown one; which one does not change the ECE.
      return { probabilities: prediction.probabilities, trueClass: right ? shown[index] : (shown[index] + 1) % prediction.probabilities.length };
    });
    errors[draw] = computeCalibration(simulated, binCount).expectedCalibrationError;
  }
  errors.sort();
  const quantile = (fraction: number) => errors[Math.min(draws - 1, Math.floor(fraction * draws))];
  let atMost = 0;
  for (const error of errors) if (error <= threshold) atMost++;
  return { median: quantile(0.5), lower: quantile(0.05), upper: quantile(0.95), shareAtMostThreshold: atMost / draws, threshold };
}
