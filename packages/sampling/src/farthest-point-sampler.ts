import { SamplingInputError } from './sampling-error.js';
import { describeValue, validateCount, validatePositions } from './input-validation.js';
import { createRandom } from './random-generator.js';

/** Options of {@link sampleFarthestPoints}. */
export interface FarthestPointOptions {
  /**
   * Point index (into `positions`) of the first sample. With `subset` it must be one of the subset's
   * indices. Default: a seeded random choice when `seed` is given, otherwise the first available point.
   */
  startIndex?: number;
  /** Seed for choosing a random first sample when `startIndex` is not given. */
  seed?: number;
  /** Restricts sampling to these point indices (distinct, each in [0, pointCount)). */
  subset?: Int32Array;
}

/**
 * Exact farthest point sampling (FPS): repeatedly picks the point whose squared Euclidean distance to
 * the already selected set is largest; ties go to the lowest position in the candidate list.
 * O(candidateCount · sampleCount) time, O(candidateCount) memory.
 *
 * @param positions - Interleaved x y z in metres, length `3 · pointCount`.
 * @param sampleCount - Number of samples wanted; when larger than the number of candidates, every
 *   candidate is returned, in FPS order.
 * @param options - See {@link FarthestPointOptions}.
 * @returns Point indices into `positions`, in selection order, all distinct.
 * @throws SamplingInputError on malformed positions, a negative or fractional count, or bad options.
 * @example
 * const indices = sampleFarthestPoints(positions, 4096, { seed: 7 });
 */
export function sampleFarthestPoints(
  positions: Float32Array,
  sampleCount: number,
  options: FarthestPointOptions = {},
): Int32Array {
  const pointCount = validatePositions(positions);
  validateCount(sampleCount, 'sampleCount');
  const subset = options.subset;
  let candidateCount = pointCount;
  if (subset !== undefined) {
    candidateCount = validateSubset(subset, pointCount);
  }
  const outputCount = Math.min(sampleCount, candidateCount);
  const result = new Int32Array(outputCount);
  if (outputCount === 0) return result;

  // Start position within the candidate list.
  let startPosition = 0;
  if (options.startIndex !== undefined) {
    const startIndex = options.startIndex;
    if (!Number.isInteger(startIndex) || startIndex < 0 || startIndex >= pointCount) {
      throw new SamplingInputError('options.startIndex', `an integer point index in [0, ${pointCount})`, describeValue(startIndex));
    }
    if (subset === undefined) {
      startPosition = startIndex;
    } else {
      startPosition = subset.indexOf(startIndex);
      if (startPosition < 0) {
        throw new SamplingInputError('options.startIndex', 'a point index contained in options.subset', String(startIndex));
      }
    }
  } else if (options.seed !== undefined) {
    startPosition = createRandom(options.seed).nextInt(candidateCount);
  }

  // Gather candidates into one interleaved Float64Array: contiguous, no index indirection in the hot loop.
  const coordinates = new Float64Array(candidateCount * 3); // [candidateCount, 3]
  if (subset === undefined) {
    for (let offset = 0; offset < coordinates.length; offset++) coordinates[offset] = positions[offset];
  } else {
    for (let position = 0; position < candidateCount; position++) {
      const source = subset[position] * 3;
      coordinates[position * 3] = positions[source];
      coordinates[position * 3 + 1] = positions[source + 1];
      coordinates[position * 3 + 2] = positions[source + 2];
    }
  }
  const selectedPositions = farthestPointKernel(coordinates, candidateCount, outputCount, startPosition);
  if (subset === undefined) return selectedPositions;
  for (let sample = 0; sample < outputCount; sample++) result[sample] = subset[selectedPositions[sample]];
  return result;
}

/**
 * The FPS hot loop over interleaved float64 coordinates. `minimumDistances` holds each candidate's
 * squared distance to the selected set; selected candidates are marked -1 so duplicates of a selected
 * point (distance 0) still win over them and the output never repeats an index.
 */
function farthestPointKernel(
  coordinates: Float64Array,
  candidateCount: number,
  outputCount: number,
  startPosition: number,
): Int32Array {
  const selected = new Int32Array(outputCount);
  const minimumDistances = new Float64Array(candidateCount).fill(Infinity);
  let current = startPosition;
  selected[0] = current;
  minimumDistances[current] = -1;
  for (let sample = 1; sample < outputCount; sample++) {
    const x = coordinates[current * 3];
    const y = coordinates[current * 3 + 1];
    const z = coordinates[current * 3 + 2];
    let bestDistance = -1;
    let bestPosition = 0;
    for (let position = 0, offset = 0; position < candidateCount; position++, offset += 3) {
      const dx = coordinates[offset] - x;
      const dy = coordinates[offset + 1] - y;
      const dz = coordinates[offset + 2] - z;
      const distance = dx * dx + dy * dy + dz * dz;
      let minimum = minimumDistances[position];
      if (distance < minimum) {
        minimum = distance;
        minimumDistances[position] = distance;
      }
      if (minimum > bestDistance) {
        bestDistance = minimum;
        bestPosition = position;
      }
    }
    current = bestPosition;
    selected[sample] = current;
    minimumDistances[current] = -1;
  }
  return selected;
}

function validateSubset(subset: Int32Array, pointCount: number): number {
  if (!(subset instanceof Int32Array)) {
    throw new SamplingInputError('options.subset', 'an Int32Array of point indices', describeValue(subset));
  }
  const seen = new Uint8Array(pointCount);
  for (let position = 0; position < subset.length; position++) {
    const index = subset[position];
    if (index < 0 || index >= pointCount) {
      throw new SamplingInputError(`options.subset[${position}]`, `a point index in [0, ${pointCount})`, String(index));
    }
    if (seen[index] === 1) {
      throw new SamplingInputError(`options.subset[${position}]`, 'distinct point indices', `duplicate ${index}`);
    }
    seen[index] = 1;
  }
  return subset.length;
}
