import { SamplingInputError } from './sampling-error.js';
import { describeValue, validateCount, validatePositions } from './input-validation.js';
import { createRandom } from './random-generator.js';
import { measureBoundingBox, partitionIntoBuckets } from './spatial-partition.js';

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

  // Candidate coordinates, [candidateCount, 3]: the input itself, or the subset gathered contiguously.
  let candidates = positions;
  if (subset !== undefined) {
    candidates = new Float32Array(candidateCount * 3);
    for (let position = 0; position < candidateCount; position++) {
      const source = subset[position] * 3;
      candidates[position * 3] = positions[source];
      candidates[position * 3 + 1] = positions[source + 1];
      candidates[position * 3 + 2] = positions[source + 2];
    }
  }
  const selectedPositions =
    candidateCount > 4 * BUCKET_SIZE && outputCount > 8
      ? farthestPointBucketKernel(candidates, candidateCount, outputCount, startPosition)
      : farthestPointKernel(candidates, candidateCount, outputCount, startPosition);
  if (subset === undefined) return selectedPositions;
  for (let sample = 0; sample < outputCount; sample++) result[sample] = subset[selectedPositions[sample]];
  return result;
}

/** Points per spatial bucket of the pruned kernel. */
const BUCKET_SIZE = 128;

/**
 * The plain FPS loop over interleaved coordinates, O(candidateCount) per sample. `minimumDistances` holds each candidate's
 * squared distance to the selected set; selected candidates are marked -1 so duplicates of a selected
 * point (distance 0) still win over them and the output never repeats an index.
 */
export function farthestPointKernel(
  candidates: Float32Array,
  candidateCount: number,
  outputCount: number,
  startPosition: number,
): Int32Array {
  const coordinates = new Float64Array(candidateCount * 3); // [candidateCount, 3]
  for (let offset = 0; offset < coordinates.length; offset++) coordinates[offset] = candidates[offset];
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

/**
 * Exact FPS with spatial pruning; returns the same indices as {@link farthestPointKernel}.
 *
 * Candidates are split into buckets of ≤ BUCKET_SIZE nearby points (median splits), each with a bounding
 * box and the largest squared distance-to-selection among its points. A new sample at c can only lower a
 * point's distance if |p − c|² < its current distance, so a bucket whose box is at least its largest
 * distance away from c is skipped whole. Floating-point rounding is monotone, so the box bound computed
 * in float64 never exceeds a member's computed distance and skipping never changes the result. Within a
 * bucket, slots are sorted by candidate position, and across buckets ties compare candidate positions,
 * so ties resolve to the lowest position exactly as in the plain loop.
 */
export function farthestPointBucketKernel(
  candidates: Float32Array,
  candidateCount: number,
  outputCount: number,
  startPosition: number,
): Int32Array {
  const order = new Int32Array(candidateCount); // slot → candidate position
  for (let position = 0; position < candidateCount; position++) order[position] = position;
  const bucketEnds: number[] = [];
  partitionIntoBuckets(candidates, order, 0, candidateCount, BUCKET_SIZE, bucketEnds);
  const bucketCount = bucketEnds.length;
  const bucketStart = new Int32Array(bucketCount);
  const bucketEnd = Int32Array.from(bucketEnds);
  const boxes = new Float64Array(bucketCount * 6); // [bucketCount, 6]: min x y z, max x y z
  const bucketMaximum = new Float64Array(bucketCount).fill(Infinity);
  const bucketArgument = new Int32Array(bucketCount); // slot of the bucket's farthest point
  const bucketOfSlot = new Int32Array(candidateCount);
  const slotOfPosition = new Int32Array(candidateCount);
  const xs = new Float64Array(candidateCount);
  const ys = new Float64Array(candidateCount);
  const zs = new Float64Array(candidateCount);
  for (let bucket = 0, start = 0; bucket < bucketCount; bucket++) {
    const end = bucketEnd[bucket];
    bucketStart[bucket] = start;
    order.subarray(start, end).sort();
    bucketArgument[bucket] = start;
    for (let slot = start; slot < end; slot++) {
      const offset = order[slot] * 3;
      xs[slot] = candidates[offset];
      ys[slot] = candidates[offset + 1];
      zs[slot] = candidates[offset + 2];
      bucketOfSlot[slot] = bucket;
      slotOfPosition[order[slot]] = slot;
    }
    measureBoundingBox(candidates, order, start, end, boxes, bucket * 6);
    start = end;
  }

  const minimumDistances = new Float64Array(candidateCount).fill(Infinity);
  const selected = new Int32Array(outputCount);
  let current = slotOfPosition[startPosition];
  for (let sample = 0; ; ) {
    selected[sample] = order[current];
    minimumDistances[current] = -1;
    if (++sample === outputCount) break;
    const x = xs[current];
    const y = ys[current];
    const z = zs[current];
    const ownBucket = bucketOfSlot[current];
    let bestDistance = -1;
    let bestSlot = -1;
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      let bucketBest = bucketMaximum[bucket];
      if (bucket !== ownBucket) {
        const box = bucket * 6;
        const gapX = x < boxes[box] ? boxes[box] - x : x > boxes[box + 3] ? x - boxes[box + 3] : 0;
        const gapY = y < boxes[box + 1] ? boxes[box + 1] - y : y > boxes[box + 4] ? y - boxes[box + 4] : 0;
        const gapZ = z < boxes[box + 2] ? boxes[box + 2] - z : z > boxes[box + 5] ? z - boxes[box + 5] : 0;
        if (gapX * gapX + gapY * gapY + gapZ * gapZ >= bucketBest) {
          // Untouched bucket: its cached farthest point competes as is.
          const slot = bucketArgument[bucket];
          if (bucketBest > bestDistance || (bucketBest === bestDistance && order[slot] < order[bestSlot])) {
            bestDistance = bucketBest;
            bestSlot = slot;
          }
          continue;
        }
      }
      bucketBest = -2;
      let bucketSlot = bucketStart[bucket];
      for (let slot = bucketStart[bucket], end = bucketEnd[bucket]; slot < end; slot++) {
        const dx = xs[slot] - x;
        const dy = ys[slot] - y;
        const dz = zs[slot] - z;
        const distance = dx * dx + dy * dy + dz * dz;
        let minimum = minimumDistances[slot];
        if (distance < minimum) {
          minimum = distance;
          minimumDistances[slot] = distance;
        }
        if (minimum > bucketBest) {
          bucketBest = minimum;
          bucketSlot = slot;
        }
      }
      bucketMaximum[bucket] = bucketBest;
      bucketArgument[bucket] = bucketSlot;
      if (bucketBest > bestDistance || (bucketBest === bestDistance && order[bucketSlot] < order[bestSlot])) {
        bestDistance = bucketBest;
        bestSlot = bucketSlot;
      }
    }
    current = bestSlot;
  }
  return selected;
}
