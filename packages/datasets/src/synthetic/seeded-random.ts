/**
 * Small seeded generator for the synthetic scenes (mulberry32 state update, 32-bit). Kept local so a scene for
 * a given seed never changes when another package changes its generator.
 */
export interface GeneratorRandom {
  /** Uniform number in [0, 1). */
  next(): number;
  /** Uniform number in [minimum, maximum). */
  uniform(minimum: number, maximum: number): number;
  /** Uniform integer in [0, count). */
  integer(count: number): number;
  /** Standard normal number (Box–Muller). */
  gaussian(): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with the given probability. */
  chance(probability: number): boolean;
}

/** Creates a {@link GeneratorRandom} from an integer seed; equal seeds give equal sequences. */
export function createSeededRandom(seed: number): GeneratorRandom {
  let state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (minimum, maximum) => minimum + (maximum - minimum) * next(),
    integer: (count) => Math.floor(next() * count),
    gaussian: () => {
      const first = 1 - next();
      const second = next();
      return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
    },
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (probability) => next() < probability,
  };
}
