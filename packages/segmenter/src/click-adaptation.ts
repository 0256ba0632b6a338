import { clickLabel } from './click.js';
import { clampedLogit, superpointMeans, type PooledClickMasks, type SuperpointIndex } from './click-constraints.js';

/** Newton iterations of one object's fit; the problem is small (channels + 1 unknowns) and strictly convex. */
const NEWTON_ITERATIONS = 8;
/** A Newton step shorter than this (Euclidean, standardised units) ends the fit early. */
const NEWTON_TOLERANCE = 1e-5;

/**
 * Mean finest-level backbone features of every superpoint, standardised per channel over the superpoints
 * (zero mean, unit variance), `[superpointCount, channels]`: the inputs of the online click adaptation.
 * Built once per scene.
 *
 * @param voxelFeatures Raw finest-level features (the mask head's input F^L before its projection), `[voxelCount, channels]`.
 * @param channels Channels per voxel.
 * @param pointToVoxel Finest voxel of every point.
 * @param superpoints The scene's superpoints over the same points.
 */
export function superpointFeatures(voxelFeatures: Float32Array, channels: number, pointToVoxel: Int32Array, superpoints: SuperpointIndex): Float32Array {
  if (pointToVoxel.length !== superpoints.labels.length) {
    throw new RangeError(`superpointFeatures: ${pointToVoxel.length} points in pointToVoxel but ${superpoints.labels.length} superpoint labels`);
  }
  const { count } = superpoints;
  // The means rounded to float32: the standardisation below reads them at that precision.
  const features = Float32Array.from(superpointMeans(voxelFeatures, channels, pointToVoxel, superpoints));
  for (let channel = 0; channel < channels; channel++) {
    let sum = 0;
    let squares = 0;
    for (let superpoint = 0; superpoint < count; superpoint++) {
      const value = features[superpoint * channels + channel];
      sum += value;
      squares += value * value;
    }
    const mean = count > 0 ? sum / count : 0;
    const deviation = Math.sqrt(Math.max(count > 0 ? squares / count - mean * mean : 0, 0));
    const scale = deviation > 1e-12 ? 1 / deviation : 0;
    for (let superpoint = 0; superpoint < count; superpoint++) {
      const entry = superpoint * channels + channel;
      features[entry] = (features[entry] - mean) * scale;
    }
  }
  return features;
}

/** Input of {@link adaptClickProbabilities}. */
export interface ClickAdaptationInput extends PooledClickMasks {
  /** {@link superpointFeatures} of the scene, `[superpointCount, channels]`. */
  features: Float32Array;
  /** Channels per superpoint feature. */
  channels: number;
  /** L2 penalty λ on the correction's weights and bias, against the mean cross-entropy of the labelled superpoints; > 0. */
  regularization: number;
}

/** Result of {@link adaptClickProbabilities}. */
export interface ClickAdaptationResult {
  /** The adapted probabilities, same layout as the input (a new array). */
  probabilities: Float32Array;
  /** objectIds whose columns were adapted (objects with a labelled superpoint on each side). */
  adaptedObjects: number[];
}

/**
 * Online click adaptation: every object with at least two clicks gets a linear correction of its mask logits
 * over the superpoint features, fitted to the superpoints the clicks labelled, and applied to every superpoint.
 * The mask head's logits are linear in the finest features (Eq. 5, M^i = F^L φm(Q^i)ᵀ), so the correction is a
 * per-object update of the mask kernel φm(Q^i) learned from the user's clicks — the feature-refinement idea of
 * f-BRS (Sofiiuk et al., CVPR 2020) in its cheapest, convex form: logistic regression with an L2 penalty,
 * solved by Newton's method. The penalty is weighed against the *mean* loss of the labelled superpoints, so the
 * correction does not grow with every click the scene collects.
 *
 * For object k, a superpoint clicked for k alone is a positive sample whose base logit is the object's logit
 * there *without* the clicks inside it (the largest of k's other click columns), so the fit learns what the
 * model missed before the click rather than what the click's own query already fixed; a superpoint clicked for
 * other labels only (other objects, background) is a negative sample with k's logit as it is. Superpoints with
 * clicks of several labels are left out. An object without a positive and a negative sample is not adapted.
 * The fitted correction f·w + b is added to the logit of every column of the object.
 */
export function adaptClickProbabilities(input: ClickAdaptationInput): ClickAdaptationResult {
  const { clicks, clickSuperpoints, probabilities, features, channels, regularization } = input;
  const clickCount = clicks.length;
  const superpointCount = probabilities.length / Math.max(clickCount, 1);
  if (!(regularization > 0) || !Number.isFinite(regularization)) {
    throw new RangeError(`adaptClickProbabilities: regularization must be a finite number > 0, got ${regularization}`);
  }
  if (clickCount > 0 && features.length !== superpointCount * channels) {
    throw new RangeError(`adaptClickProbabilities: ${features.length} feature values for ${superpointCount} superpoints × ${channels} channels`);
  }
  const result = Float32Array.from(probabilities);
  const labelOf = (click: number) => clickLabel(clicks[click]);
  // Labelled superpoints: the one label of their clicks, or −1 where clicks disagree.
  const superpointLabels = new Map<number, number>();
  const columnsByObject = new Map<number, number[]>();
  for (let click = 0; click < clickCount; click++) {
    const superpoint = clickSuperpoints[click];
    const label = labelOf(click);
    const previous = superpointLabels.get(superpoint);
    superpointLabels.set(superpoint, previous === undefined || previous === label ? label : -1);
    if (label > 0) {
      const columns = columnsByObject.get(label);
      if (columns) columns.push(click);
      else columnsByObject.set(label, [click]);
    }
  }
  const adaptedObjects: number[] = [];
  for (const [objectId, columns] of columnsByObject) {
    if (columns.length < 2) continue;
    const samples: { superpoint: number; base: number; target: number }[] = [];
    for (const [superpoint, label] of superpointLabels) {
      if (label < 0) continue;
      let best = -Infinity;
      for (const click of columns) {
        if (label === objectId && clickSuperpoints[click] === superpoint) continue;
        best = Math.max(best, probabilities[superpoint * clickCount + click]);
      }
      if (best === -Infinity) continue;
      samples.push({ superpoint, base: clampedLogit(best), target: label === objectId ? 1 : 0 });
    }
    if (!samples.some((sample) => sample.target === 1) || !samples.some((sample) => sample.target === 0)) continue;
    const parameters = fitLogisticCorrection(samples, features, channels, regularization);
    adaptedObjects.push(objectId);
    for (let superpoint = 0; superpoint < superpointCount; superpoint++) {
      let shift = parameters[channels];
      const row = superpoint * channels;
      for (let channel = 0; channel < channels; channel++) shift += features[row + channel] * parameters[channel];
      for (const click of columns) {
        const entry = superpoint * clickCount + click;
        result[entry] = 1 / (1 + Math.exp(-(clampedLogit(probabilities[entry]) + shift)));
      }
    }
  }
  adaptedObjects.sort((a, b) => a - b);
  return { probabilities: result, adaptedObjects };
}

/**
 * argmin over θ = (w, b) of (1/n) Σ_i BCE(σ(base_i + f_i·w + b), target_i) + λ/2 ‖θ‖² over the n samples, by
 * Newton's method (Cholesky solves of the `(channels + 1)²` Hessian).
 */
function fitLogisticCorrection(
  samples: readonly { superpoint: number; base: number; target: number }[],
  features: Float32Array,
  channels: number,
  regularization: number,
): Float64Array {
  const dimension = channels + 1;
  const parameters = new Float64Array(dimension);
  const gradient = new Float64Array(dimension);
  const hessian = new Float64Array(dimension * dimension);
  const input = new Float64Array(dimension);
  const weight = 1 / samples.length;
  for (let iteration = 0; iteration < NEWTON_ITERATIONS; iteration++) {
    for (let index = 0; index < dimension; index++) gradient[index] = regularization * parameters[index];
    hessian.fill(0);
    for (let index = 0; index < dimension; index++) hessian[index * dimension + index] = regularization;
    for (const sample of samples) {
      const row = sample.superpoint * channels;
      for (let channel = 0; channel < channels; channel++) input[channel] = features[row + channel];
      input[channels] = 1;
      let value = sample.base;
      for (let index = 0; index < dimension; index++) value += input[index] * parameters[index];
      const probability = 1 / (1 + Math.exp(-value));
      const residual = weight * (probability - sample.target);
      const curvature = weight * probability * (1 - probability);
      for (let row = 0; row < dimension; row++) {
        gradient[row] += residual * input[row];
        const scaled = curvature * input[row];
        for (let column = 0; column <= row; column++) hessian[row * dimension + column] += scaled * input[column];
      }
    }
    const step = solveSymmetricPositiveDefinite(hessian, gradient, dimension);
    let length = 0;
    for (let index = 0; index < dimension; index++) {
      parameters[index] -= step[index];
      length += step[index] * step[index];
    }
    if (Math.sqrt(length) < NEWTON_TOLERANCE) break;
  }
  return parameters;
}

/** x with A x = b for a symmetric positive definite A given by its lower triangle (row-major), by Cholesky. */
function solveSymmetricPositiveDefinite(matrix: Float64Array, vector: Float64Array, dimension: number): Float64Array {
  const lower = new Float64Array(dimension * dimension);
  for (let row = 0; row < dimension; row++) {
    for (let column = 0; column <= row; column++) {
      let sum = matrix[row * dimension + column];
      for (let inner = 0; inner < column; inner++) sum -= lower[row * dimension + inner] * lower[column * dimension + inner];
      lower[row * dimension + column] = row === column ? Math.sqrt(Math.max(sum, 1e-12)) : sum / lower[column * dimension + column];
    }
  }
  const solution = new Float64Array(dimension);
  for (let row = 0; row < dimension; row++) {
    let sum = vector[row];
    for (let inner = 0; inner < row; inner++) sum -= lower[row * dimension + inner] * solution[inner];
    solution[row] = sum / lower[row * dimension + row];
  }
  for (let row = dimension - 1; row >= 0; row--) {
    let sum = solution[row];
    for (let inner = row + 1; inner < dimension; inner++) sum -= lower[inner * dimension + row] * solution[inner];
    solution[row] = sum / lower[row * dimension + row];
  }
  return solution;
}
