import { createRandom } from '@pointclick/sampling';
import { describe, expect, it } from 'vitest';
import { augmentScene, generateIndoorScene, NYU40_CLASS_MAP, preprocessScene, toLabeledScene, type AugmentationOptions } from '../src/index.js';

const scene = preprocessScene(toLabeledScene('synthetic-5', generateIndoorScene({ seed: 5, pointCount: 20_000 }), NYU40_CLASS_MAP), { voxelSize: 0.05 });
const BUDGET = 6000;

/** The augmented scene and the next value of the stream afterwards (which tells how much was drawn). */
function augmented(seed: number, options: AugmentationOptions) {
  const random = createRandom(seed);
  const result = augmentScene(scene, random, { pointBudget: BUDGET, ...options });
  return { result, next: random.next() };
}

function distance(positions: Float32Array, first: number, second: number): number {
  return Math.hypot(positions[first * 3] - positions[second * 3], positions[first * 3 + 1] - positions[second * 3 + 1], positions[first * 3 + 2] - positions[second * 3 + 2]);
}

describe('augmentScene: the optional augmentations (Pointcept ScanNet recipe)', () => {
  it('draws nothing and changes nothing when they are off, whether left out or set to their off values', () => {
    const plain = augmented(3, {});
    const off = augmented(3, { tiltRange: 0, elasticDistortion: [], colorChannelShiftRange: 0, autoContrastProbability: 0 });
    expect(off.result.positions).toEqual(plain.result.positions);
    expect(off.result.colors).toEqual(plain.result.colors);
    expect(off.next).toBe(plain.next);
    // And on, they draw more: the stream has moved on.
    expect(augmented(3, { elasticDistortion: [[0.2, 0.4]] }).next).not.toBe(plain.next);
  });

  it('elastic distortion moves points smoothly: neighbours move alike, the points as a whole by about the magnitude', () => {
    const plain = augmented(4, {}).result;
    const { result: bent } = augmented(4, { elasticDistortion: [[0.8, 1.6]] });
    // Drawn after the per-point draws, so the points before it are the plain ones: the difference is the field.
    const displacement = Float64Array.from(bent.positions, (value, index) => value - plain.positions[index]);
    const pointCount = bent.pointCount;
    let squares = 0;
    for (const value of displacement) squares += value * value;
    const rms = Math.sqrt(squares / displacement.length);
    expect(rms).toBeGreaterThan(0.02);
    expect(rms).toBeLessThan(0.5);
    // Pairs of points within 5 cm of each other: their displacements differ by far less than the displacements.
    let pairs = 0;
    let differenceSquares = 0;
    for (let first = 0; first < pointCount && pairs < 2000; first += 7) {
      for (let second = first + 1; second < Math.min(pointCount, first + 200); second++) {
        if (distance(plain.positions, first, second) > 0.05) continue;
        for (let axis = 0; axis < 3; axis++) differenceSquares += (displacement[first * 3 + axis] - displacement[second * 3 + axis]) ** 2;
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(100);
    expect(Math.sqrt(differenceSquares / (pairs * 3))).toBeLessThan(rms / 5);
    // Labels and colours untouched; the same seed gives the same field.
    expect(bent.instance).toEqual(plain.instance);
    expect(bent.colors).toEqual(plain.colors);
    expect(augmented(4, { elasticDistortion: [[0.8, 1.6]] }).result.positions).toEqual(bent.positions);
  });

  it('a tilt is a rigid rotation through the centroid, by no more than its range', () => {
    // Without jitter: the tilt's draws come before the per-point ones, so the jitter would differ between the two.
    const plain = augmented(5, { jitterDeviation: 0 }).result;
    const range = 0.05;
    const { result: tilted } = augmented(5, { jitterDeviation: 0, tiltRange: range });
    const pointCount = tilted.pointCount;
    const centroid = (positions: Float32Array) => [0, 1, 2].map((axis) => {
      let sum = 0;
      for (let point = 0; point < pointCount; point++) sum += positions[point * 3 + axis];
      return sum / pointCount;
    });
    const [before, after] = [centroid(plain.positions), centroid(tilted.positions)];
    for (let axis = 0; axis < 3; axis++) expect(after[axis]).toBeCloseTo(before[axis], 3);
    let largestChange = 0;
    for (let first = 0; first < pointCount; first += 97) {
      const second = (first * 31 + 11) % pointCount;
      const [plainDistance, tiltedDistance] = [distance(plain.positions, first, second), distance(tilted.positions, first, second)];
      expect(Math.abs(tiltedDistance - plainDistance)).toBeLessThan(1e-4 * Math.max(1, plainDistance));
      // The angle each point turned through about the centroid: no more than the two tilts together.
      const radius = Math.hypot(...[0, 1, 2].map((axis) => plain.positions[first * 3 + axis] - before[axis]));
      if (radius < 0.5) continue;
      const moved = Math.hypot(...[0, 1, 2].map((axis) => tilted.positions[first * 3 + axis] - after[axis] - (plain.positions[first * 3 + axis] - before[axis])));
      largestChange = Math.max(largestChange, moved / radius);
    }
    expect(largestChange).toBeGreaterThan(1e-3);
    expect(largestChange).toBeLessThanOrEqual(2 * Math.SQRT2 * Math.sin(range / 2) + 1e-4);
  });

  it('a colour shift per channel moves each channel by its own constant within the range', () => {
    const options = { colorBrightnessRange: 0, colorNoiseDeviation: 0 };
    const plain = augmented(6, options).result;
    const range = 30;
    const { result: shifted } = augmented(6, { ...options, colorChannelShiftRange: range });
    const shifts: number[] = [];
    for (let channel = 0; channel < 3; channel++) {
      const differences = new Set<number>();
      for (let point = 0; point < shifted.pointCount; point++) {
        const source = shifted.sourceIndices[point];
        const original = scene.colors[source * 3 + channel];
        const value = shifted.colors[point * 3 + channel];
        if (value === 0 || value === 255) continue; // clamped
        differences.add(value - original);
      }
      // One shift, rounded: two neighbouring integers at most.
      expect(Math.max(...differences) - Math.min(...differences)).toBeLessThanOrEqual(1);
      const shift = Math.min(...differences);
      expect(Math.abs(shift)).toBeLessThanOrEqual(range);
      shifts.push(shift);
    }
    expect(new Set(shifts).size).toBeGreaterThan(1);
    expect(plain.colors).not.toEqual(shifted.colors);
  });

  it('auto-contrast (probability 1) stretches every channel towards 0..255 and keeps the order of its values', () => {
    const plain = augmented(8, {}).result;
    const { result: stretched } = augmented(8, { autoContrastProbability: 1 });
    let widened = 0;
    for (let channel = 0; channel < 3; channel++) {
      const values = (colors: Uint8Array) => Array.from({ length: colors.length / 3 }, (_, point) => colors[point * 3 + channel]);
      const [before, after] = [values(plain.colors), values(stretched.colors)];
      expect(Math.min(...after)).toBeLessThanOrEqual(Math.min(...before));
      expect(Math.max(...after)).toBeGreaterThanOrEqual(Math.max(...before));
      if (Math.max(...after) - Math.min(...after) > Math.max(...before) - Math.min(...before)) widened++;
      for (let point = 1; point < before.length; point += 13) {
        if (before[point] > before[point - 1]) expect(after[point]).toBeGreaterThanOrEqual(after[point - 1]);
      }
    }
    expect(widened).toBeGreaterThan(0);
  });

  it('rejects a bad option with a RangeError naming it', () => {
    const random = createRandom(1);
    expect(() => augmentScene(scene, random, { tiltRange: -0.1 })).toThrow(/tiltRange/);
    expect(() => augmentScene(scene, random, { colorChannelShiftRange: 300 })).toThrow(/colorChannelShiftRange/);
    expect(() => augmentScene(scene, random, { autoContrastProbability: 1.5 })).toThrow(/autoContrastProbability/);
    expect(() => augmentScene(scene, random, { elasticDistortion: [[0.2, 0]] })).toThrow(/elasticDistortion\[0\]/);
    expect(() => augmentScene(scene, random, { elasticDistortion: [[0.2, 0.4], [Number.NaN, 1]] })).toThrow(/elasticDistortion\[1\]/);
  });
});
