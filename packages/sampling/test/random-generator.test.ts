import { describe, expect, it } from 'vitest';
import { createRandom, sampleRandomIndices, SamplingInputError } from '../src/index.js';

describe('createRandom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRandom(123);
    const b = createRandom(123);
    const c = createRandom(124);
    const sequenceA = Array.from({ length: 20 }, () => a.next());
    const sequenceB = Array.from({ length: 20 }, () => b.next());
    const sequenceC = Array.from({ length: 20 }, () => c.next());
    expect(sequenceA).toEqual(sequenceB);
    expect(sequenceA).not.toEqual(sequenceC);
  });

  it('matches the published mulberry32 reference sequence', () => {
    // Reference implementation of mulberry32 (Tommy Ettinger), written out independently.
    function mulberry32(seed: number): () => number {
      let state = seed >>> 0;
      return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    const reference = mulberry32(42);
    const random = createRandom(42);
    for (let step = 0; step < 100; step++) expect(random.next()).toBe(reference());
  });

  it('next is in [0, 1) with a roughly uniform mean; nextInt covers its range', () => {
    const random = createRandom(7);
    let sum = 0;
    const counts = new Array(6).fill(0);
    for (let step = 0; step < 60_000; step++) {
      const value = random.next();
      if (!(value >= 0 && value < 1)) expect.fail(`next() returned ${value}`);
      sum += value;
      counts[random.nextInt(6)]++;
    }
    expect(Math.abs(sum / 60_000 - 0.5)).toBeLessThan(0.01);
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(() => random.nextInt(0)).toThrow(SamplingInputError);
    expect(() => random.nextInt(2.5)).toThrow(SamplingInputError);
  });

  it('shuffle permutes in place, deterministically, for arrays and Int32Array', () => {
    const array = Array.from({ length: 50 }, (_, index) => index);
    const typed = Int32Array.from(array);
    createRandom(5).shuffle(array);
    createRandom(5).shuffle(typed);
    expect(Array.from(typed)).toEqual(array);
    expect([...array].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(array).not.toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('fork gives an independent deterministic stream', () => {
    const forkA = createRandom(9).fork();
    const forkB = createRandom(9).fork();
    const parent = createRandom(9);
    const first = forkA.next();
    expect(forkB.next()).toBe(first);
    expect(parent.next()).not.toBe(first);
  });

  it('rejects non-finite seeds', () => {
    expect(() => createRandom(Number.NaN)).toThrow(SamplingInputError);
  });
});

describe('sampleRandomIndices', () => {
  it('draws distinct in-range indices, deterministically', () => {
    const a = sampleRandomIndices(1000, 200, 3);
    expect(a.length).toBe(200);
    expect(new Set(a).size).toBe(200);
    for (const index of a) expect(index >= 0 && index < 1000).toBe(true);
    expect(Array.from(sampleRandomIndices(1000, 200, 3))).toEqual(Array.from(a));
    expect(Array.from(sampleRandomIndices(1000, 200, 4))).not.toEqual(Array.from(a));
  });

  it('returns a permutation of everything when sampleCount exceeds count', () => {
    const all = sampleRandomIndices(10, 25, 1);
    expect(Array.from(all).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(sampleRandomIndices(0, 5, 1).length).toBe(0);
  });

  it('the sparse path (huge count) is distinct and in range', () => {
    const sample = sampleRandomIndices(50_000_000, 1000, 11);
    expect(new Set(sample).size).toBe(1000);
    for (const index of sample) expect(index >= 0 && index < 50_000_000).toBe(true);
  });

  it('is uniform: each index drawn about equally often', () => {
    const counts = new Array(20).fill(0);
    for (let seed = 0; seed < 4000; seed++) for (const index of sampleRandomIndices(20, 5, seed)) counts[index]++;
    // Expected 1000 each; a bias would show far beyond 5 standard deviations (~28).
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => sampleRandomIndices(-1, 1, 0)).toThrow(SamplingInputError);
    expect(() => sampleRandomIndices(10, 1.5, 0)).toThrow(/sampleCount/);
  });
});
