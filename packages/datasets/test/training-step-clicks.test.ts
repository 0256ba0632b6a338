import { createRandom } from '@pointclick/sampling';
import { describe, expect, it } from 'vitest';
import { augmentScene, drawTrainingStep, generateIndoorScene, NYU40_CLASS_MAP, preprocessScene, toLabeledScene } from '../src/index.js';

const scene = preprocessScene(toLabeledScene('synthetic-5', generateIndoorScene({ seed: 5, pointCount: 20_000 }), NYU40_CLASS_MAP), { voxelSize: 0.05 });

describe('preprocessScene', () => {
  it('voxelises, centres and caches FPS candidates on their instances', () => {
    expect(scene.pointCount).toBeGreaterThan(1000);
    expect(scene.pointCount).toBeLessThan(20_000);
    let minimumZ = Infinity;
    for (let point = 0; point < scene.pointCount; point++) minimumZ = Math.min(minimumZ, scene.positions[point * 3 + 2]);
    expect(minimumZ).toBeCloseTo(0, 5);
    for (const [id, candidates] of scene.clickCandidates) {
      expect(candidates.length).toBeGreaterThanOrEqual(1);
      expect(candidates.length).toBeLessThanOrEqual(15);
      for (const index of candidates) expect(scene.instance[index]).toBe(id);
    }
  });
});

describe('drawTrainingStep', () => {
  it('draws 30–50 clicks, 1–15 per instance, each on its instance; background clicks off the targets', () => {
    const random = createRandom(3);
    let stepsWithBackground = 0;
    for (let step = 0; step < 40; step++) {
      const { clicks, targetInstanceIds } = drawTrainingStep(scene, random);
      const objectClicks = clicks.filter((click) => click.instanceId !== 0);
      const background = clicks.filter((click) => click.instanceId === 0);
      expect(objectClicks.length).toBeGreaterThanOrEqual(30);
      expect(objectClicks.length).toBeLessThanOrEqual(50);
      const perInstance = new Map<number, number>();
      for (const click of objectClicks) {
        expect(scene.instance[click.pointIndex]).toBe(click.instanceId);
        perInstance.set(click.instanceId, (perInstance.get(click.instanceId) ?? 0) + 1);
      }
      for (const count of perInstance.values()) expect(count >= 1 && count <= 15).toBe(true);
      expect([...perInstance.keys()].sort((a, b) => a - b)).toEqual(targetInstanceIds);
      if (background.length > 0) stepsWithBackground++;
      for (const click of background) expect(targetInstanceIds).not.toContain(scene.instance[click.pointIndex]);
      expect(background.length).toBeLessThanOrEqual(5);
    }
    // Default share 0.5 over 40 steps: P(outside 8..32) is below 1e-4.
    expect(stepsWithBackground).toBeGreaterThanOrEqual(8);
    expect(stepsWithBackground).toBeLessThanOrEqual(32);
  });

  it('honours configured click counts', () => {
    const { clicks } = drawTrainingStep(scene, createRandom(9), { minClicks: 5, maxClicks: 5, backgroundStepShare: 0 });
    expect(clicks.length).toBe(5);
  });
});

describe('augmentScene and drawTrainingStep', () => {
  it('crops to a point budget, keeps labels with their points and keeps distances up to scale', () => {
    const augmented = augmentScene(scene, createRandom(4), { pointBudget: 2000, jitterDeviation: 0, scaleRange: [1, 1] });
    expect(augmented.pointCount).toBe(2000);
    const [first, second] = [augmented.sourceIndices[0], augmented.sourceIndices[1999]];
    const distance = (positions: Float32Array, a: number, b: number) =>
      Math.hypot(positions[a * 3] - positions[b * 3], positions[a * 3 + 1] - positions[b * 3 + 1], positions[a * 3 + 2] - positions[b * 3 + 2]);
    expect(distance(augmented.positions, 0, 1999)).toBeCloseTo(distance(scene.positions, first, second), 4);
    for (let point = 0; point < augmented.pointCount; point++) {
      expect(augmented.instance[point]).toBe(scene.instance[augmented.sourceIndices[point]]);
    }
    for (const [id, candidates] of augmented.clickCandidates) for (const index of candidates) expect(augmented.instance[index]).toBe(id);
  });

  it('is deterministic for a seed and clicks lie on their instances', () => {
    const sample = (seed: number) => {
      const random = createRandom(seed);
      const augmented = augmentScene(scene, random, { pointBudget: 3000 });
      return { scene: augmented, step: drawTrainingStep(augmented, random) };
    };
    for (let seed = 0; seed < 3; seed++) {
      const a = sample(seed);
      const b = sample(seed);
      expect(a.scene.positions).toEqual(b.scene.positions);
      expect(a.step).toEqual(b.step);
      expect(a.step.clicks.length).toBeGreaterThan(0);
      for (const click of a.step.clicks) if (click.instanceId !== 0) expect(a.scene.instance[click.pointIndex]).toBe(click.instanceId);
    }
    expect(sample(0).step).not.toEqual(sample(1).step);
  });
});
