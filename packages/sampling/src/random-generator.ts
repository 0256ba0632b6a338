import { SamplingInputError } from './sampling-error.js';
import { describeValue, validateFinite } from './input-validation.js';

/**
 * A deterministic pseudo-random generator. The same seed gives the same sequence on every platform,
 * because every step uses 32-bit integer arithmetic (`Math.imul`, shifts) only.
 */
export interface SeededRandom {
  /** Returns a float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Returns an integer in [0, maxExclusive); `maxExclusive` must be an integer in [1, 2^32]. */
  nextInt(maxExclusive: number): number;
  /** Shuffles `array` in place (Fisher–Yates), consuming `array.length - 1` draws. */
  shuffle<T>(array: T[] | Int32Array): void;
  /** Returns an independent generator seeded from this one's next output (advances this one by one draw). */
  fork(): SeededRandom;
  /** Returns the next raw unsigned 32-bit output. */
  nextUint32(): number;
}

const TWO_POW_32 = 4294967296;

/** Folds any finite number into a 32-bit unsigned seed (integers below 2^32 map to themselves). */
export function normalizeSeed(seed: number, argument = 'seed'): number {
  validateFinite(seed, argument);
  const integer = Math.floor(seed);
  const fraction = seed - integer;
  const low = integer >>> 0;
  const high = Math.floor(integer / TWO_POW_32) >>> 0;
  // Mix the high word and any fractional part in so that distinct seeds rarely collide.
  return (low ^ Math.imul(high, 0x9e3779b1) ^ Math.imul(Math.floor(fraction * TWO_POW_32) >>> 0, 0x85ebca77)) >>> 0;
}

/** Derives a seed for a sub-stream (e.g. per instance) from a base seed and a salt, by SplitMix32 mixing. */
export function deriveSeed(seed: number, salt: number): number {
  let z = (seed + Math.imul(salt >>> 0, 0x9e3779b9) + 0x6d2b79f5) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

class Mulberry32Random implements SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextUint32(): number {
    // mulberry32 (Tommy Ettinger): one 32-bit state, full period 2^32.
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  nextInt(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
      throw new SamplingInputError('maxExclusive', 'an integer in [1, 2^32]', describeValue(maxExclusive));
    }
    // Multiply-shift: floor(u * max / 2^32) is exact in doubles for max <= 2^32; bias is < max / 2^32.
    return Math.floor((this.nextUint32() * maxExclusive) / TWO_POW_32);
  }

  shuffle<T>(array: T[] | Int32Array): void {
    for (let index = array.length - 1; index > 0; index--) {
      const other = this.nextInt(index + 1);
      const value = array[index];
      array[index] = array[other];
      (array as T[])[other] = value as T;
    }
  }

  fork(): SeededRandom {
    return new Mulberry32Random(deriveSeed(this.nextUint32(), 0x5eed));
  }
}

/**
 * Creates a seeded pseudo-random generator (mulberry32). Deterministic across platforms.
 *
 * @param seed - Any finite number; integers in [0, 2^32) are used as is, others are folded to 32 bits.
 * @example
 * const random = createRandom(42);
 * random.next(); // float in [0, 1)
 * random.nextInt(10); // integer in [0, 10)
 */
export function createRandom(seed: number): SeededRandom {
  return new Mulberry32Random(normalizeSeed(seed));
}
