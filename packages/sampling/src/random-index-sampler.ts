import { SamplingInputError } from './sampling-error.js';
import { validateCount } from './input-validation.js';
import { createRandom } from './random-generator.js';

/**
 * Draws `sampleCount` distinct indices from [0, count) uniformly without replacement, in random order
 * (a partial Fisher–Yates shuffle; a sparse map stands in for the identity array when `count` is much
 * larger than `sampleCount`, with identical output). When `sampleCount > count`, all `count` indices are
 * returned in random order.
 *
 * @param count - Size of the population (e.g. a point count).
 * @param sampleCount - Number of indices wanted.
 * @param seed - Seed of the generator; equal seeds give equal results.
 * @throws SamplingInputError when a count is negative or fractional, or the seed is not finite.
 */
export function sampleRandomIndices(count: number, sampleCount: number, seed: number): Int32Array {
  validateCount(count, 'count');
  validateCount(sampleCount, 'sampleCount');
  if (count > 2 ** 31 - 1) {
    throw new SamplingInputError('count', 'at most 2^31 - 1 (indices are Int32)', String(count));
  }
  const random = createRandom(seed);
  const outputCount = Math.min(count, sampleCount);
  const result = new Int32Array(outputCount);
  if (count <= 4 * outputCount || count <= 1 << 16) {
    const permutation = new Int32Array(count);
    for (let index = 0; index < count; index++) permutation[index] = index;
    for (let position = 0; position < outputCount; position++) {
      const other = position + random.nextInt(count - position);
      const value = permutation[other];
      permutation[other] = permutation[position];
      permutation[position] = value;
      result[position] = value;
    }
    return result;
  }
  const swapped = new Map<number, number>();
  for (let position = 0; position < outputCount; position++) {
    const other = position + random.nextInt(count - position);
    const value = swapped.get(other) ?? other;
    swapped.set(other, swapped.get(position) ?? position);
    result[position] = value;
  }
  return result;
}
