import type { Click } from './click.js';
import type { CorrectionReachSettings } from './segmenter-config.js';
import { SegmenterInputError } from './segmenter-errors.js';

/**
 * The first field of `settings` that is out of range, with what was expected; undefined when both are valid.
 * Shared by the checkpoint reader and `correctionReachDivisors`, which word their errors each their own way.
 */
export function findCorrectionReachProblem(settings: { factor?: unknown; limit?: unknown }): { field: 'factor' | 'limit'; value: unknown; expected: string } | undefined {
  const { factor, limit } = settings;
  if (!(typeof factor === 'number' && factor > 0 && Number.isFinite(factor))) return { field: 'factor', value: factor, expected: 'a finite number > 0' };
  if (limit !== undefined && !(typeof limit === 'number' && limit > 0 && Number.isFinite(limit))) return { field: 'limit', value: limit, expected: 'a finite number > 0, or absent' };
  return undefined;
}

/**
 * How far each click's geodesic prior reaches, as the divisor of its geodesic distances (`config.correctionReach`):
 * the k-th click of an object, counted in the order of `clicks`, gets factor^(k−1) but never farther from 1 than
 * `limit` (min(factor^(k−1), limit) for a factor ≥ 1, max(…) below 1), limit defaulting to the factor; an object's
 * first click and every background click get 1. A factor above 1 lets a later click's mask grow farther from it (a
 * second click says the object goes on beyond the mask), one below 1 keeps it closer.
 *
 * @returns One divisor per click, > 0 (all 1 without settings).
 */
export function correctionReachDivisors(clicks: readonly Pick<Click, 'objectId' | 'kind'>[], settings: CorrectionReachSettings | undefined): Float64Array {
  const divisors = new Float64Array(clicks.length).fill(1);
  if (!settings) return divisors;
  const problem = findCorrectionReachProblem(settings);
  if (problem) throw new SegmenterInputError(`segment: correctionReach.${problem.field} is ${String(problem.value)}; expected ${problem.expected}`);
  const limit = settings.limit ?? settings.factor;
  const seen = new Map<number, number>();
  clicks.forEach((click, index) => {
    if (click.kind === 'background') return;
    const earlier = seen.get(click.objectId) ?? 0;
    seen.set(click.objectId, earlier + 1);
    const divisor = settings.factor ** earlier;
    divisors[index] = earlier === 0 ? 1 : settings.factor >= 1 ? Math.min(divisor, limit) : Math.max(divisor, limit);
  });
  return divisors;
}

/**
 * The geodesic distances with each click's column divided by its divisor: the decoder's prior b − g·d then falls
 * by g/divisor per metre for that click, as if its gain were divided by it. A new array; `distances` is unchanged.
 *
 * @param distances `[voxelCount, clickCount]` row-major, metres.
 * @param divisors One per click, from {@link correctionReachDivisors}.
 * @returns `distances` itself when every divisor is 1, else a scaled copy.
 */
export function divideClickDistances(distances: Float32Array, divisors: Float64Array): Float32Array {
  const clickCount = divisors.length;
  if (distances.length % Math.max(1, clickCount) !== 0) {
    throw new SegmenterInputError(`divideClickDistances: ${distances.length} distances are not a whole number of rows of ${clickCount} clicks`);
  }
  if (divisors.every((divisor) => divisor === 1)) return distances;
  const scaled = new Float32Array(distances.length);
  for (let click = 0; click < clickCount; click++) {
    const scale = 1 / divisors[click];
    for (let entry = click; entry < distances.length; entry += clickCount) scaled[entry] = distances[entry] * scale;
  }
  return scaled;
}
