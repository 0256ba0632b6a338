import { SamplingInputError } from './sampling-error.js';

/** Describes a value briefly for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  }
  if (Array.isArray(value)) return `Array of length ${value.length}`;
  return typeof value;
}

/**
 * Checks that `positions` is a Float32Array of interleaved xyz triples with finite values and returns the
 * point count.
 */
export function validatePositions(positions: Float32Array, argument = 'positions'): number {
  if (!(positions instanceof Float32Array)) {
    throw new SamplingInputError(argument, 'a Float32Array of interleaved x y z coordinates', describeValue(positions));
  }
  if (positions.length % 3 !== 0) {
    throw new SamplingInputError(argument, 'a length that is a multiple of 3 (x y z per point)', `length ${positions.length}`);
  }
  for (let offset = 0; offset < positions.length; offset++) {
    const value = positions[offset];
    // `value - value` is NaN for ±Infinity and NaN, 0 otherwise; cheaper than Number.isFinite in hot loops.
    if (value - value !== 0) {
      throw new SamplingInputError(`${argument}[${offset}]`, 'a finite coordinate in metres', String(value));
    }
  }
  return positions.length / 3;
}

/** Checks a non-negative integer count. */
export function validateCount(value: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SamplingInputError(argument, 'a non-negative integer', describeValue(value));
  }
  return value;
}

/** Checks a positive integer. */
export function validatePositiveInteger(value: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SamplingInputError(argument, 'a positive integer', describeValue(value));
  }
  return value;
}

/** Checks a finite number (a seed, a coordinate). */
export function validateFinite(value: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SamplingInputError(argument, 'a finite number', describeValue(value));
  }
  return value;
}
