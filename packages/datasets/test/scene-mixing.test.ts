import { createRandom } from '@pointclick/sampling';
import { describe, expect, it } from 'vitest';
import { augmentScene, generateIndoorScene, mixScenes, NYU40_CLASS_MAP, preprocessScene, toLabeledScene, type AugmentedScene } from '../src/index.js';

const first = preprocessScene(toLabeledScene('synthetic-5', generateIndoorScene({ seed: 5, pointCount: 20_000 }), NYU40_CLASS_MAP), { voxelSize: 0.05 });
const second = preprocessScene(toLabeledScene('synthetic-6', generateIndoorScene({ seed: 6, pointCount: 20_000 }), NYU40_CLASS_MAP), { voxelSize: 0.05 });

/** The x/y bounding-box centre of points [start, end) of a scene. */
function boxCentre(positions: Float32Array, start: number, end: number): [number, number] {
  const axis = (offset: number) => {
    let minimum = Infinity, maximum = -Infinity;
    for (let point = start; point < end; point++) {
      minimum = Math.min(minimum, positions[point * 3 + offset]);
      maximum = Math.max(maximum, positions[point * 3 + offset]);
    }
    return (minimum + maximum) / 2;
  };
  return [axis(0), axis(1)];
}

describe('mixScenes (Mix3D)', () => {
  const random = createRandom(11);
  const a: AugmentedScene = augmentScene(first, random, { pointBudget: 2000 });
  const b: AugmentedScene = augmentScene(second, random, { pointBudget: 1500 });
  const mixed = mixScenes(a, b);

  it('overlays both scenes, each centred in x/y with its heights kept, first scene first', () => {
    expect(mixed.pointCount).toBe(a.pointCount + b.pointCount);
    expect(mixed.id).toBe(`${a.id}+${b.id}`);
    for (const [start, end] of [[0, a.pointCount], [a.pointCount, mixed.pointCount]]) {
      const [x, y] = boxCentre(mixed.positions, start, end);
      expect(Math.abs(x)).toBeLessThan(1e-5);
      expect(Math.abs(y)).toBeLessThan(1e-5);
    }
    const [ax, ay] = boxCentre(a.positions, 0, a.pointCount);
    for (const point of [0, 17, a.pointCount - 1]) {
      expect(mixed.positions[point * 3]).toBeCloseTo(a.positions[point * 3] - ax, 5);
      expect(mixed.positions[point * 3 + 1]).toBeCloseTo(a.positions[point * 3 + 1] - ay, 5);
      expect(mixed.positions[point * 3 + 2]).toBe(a.positions[point * 3 + 2]);
    }
    const last = b.pointCount - 1;
    expect(mixed.positions[(a.pointCount + last) * 3 + 2]).toBe(b.positions[last * 3 + 2]);
    expect(Array.from(mixed.colors.subarray(a.pointCount * 3, a.pointCount * 3 + 6))).toEqual(Array.from(b.colors.subarray(0, 6)));
    expect(Array.from(mixed.semantic.subarray(a.pointCount))).toEqual(Array.from(b.semantic));
    expect(Array.from(mixed.sourceIndices.subarray(a.pointCount))).toEqual(Array.from(b.sourceIndices));
  });

  it("shifts the second scene's instance ids past the first's, keeps 0 as no object, and carries its click candidates", () => {
    const largest = Math.max(...a.instance);
    const firstIds = new Set(mixed.instance.subarray(0, a.pointCount));
    const secondIds = new Set(mixed.instance.subarray(a.pointCount));
    for (const id of secondIds) if (id !== 0) expect(firstIds.has(id)).toBe(false);
    for (let point = 0; point < b.pointCount; point++) {
      expect(mixed.instance[a.pointCount + point]).toBe(b.instance[point] === 0 ? 0 : b.instance[point] + largest);
    }
    expect(mixed.clickCandidates.size).toBe(a.clickCandidates.size + b.clickCandidates.size);
    for (const [id, candidates] of mixed.clickCandidates) {
      expect(candidates.length).toBeGreaterThan(0);
      for (const index of candidates) expect(mixed.instance[index]).toBe(id);
    }
    for (const [id, candidates] of b.clickCandidates) expect(Array.from(mixed.clickCandidates.get(id + largest)!)).toEqual(Array.from(candidates, (index) => index + a.pointCount));
  });

  it('refuses scenes labelled with other class lists or preprocessed at other voxel sizes', () => {
    expect(() => mixScenes(a, { ...b, classNames: ['wall', 'floor'] })).toThrow(/different class lists/);
    expect(() => mixScenes(a, { ...b, voxelSize: 0.04 })).toThrow(/different voxel sizes/);
  });
});
