import { describe, expect, it } from 'vitest';
import { evaluateInteractive, findErrorRegions, parseAgile3dLog, RegionDistanceIndex, simulateClicks } from '../src/index.js';
import type { EvaluationClick, EvaluationScene, SegmentFunction } from '../src/index.js';
import { bruteForceInteriorMost, makeBoxScene, seededUniform } from './test-scenes.js';

function randomCloud(pointCount: number, seed: number): Float32Array {
  const random = seededUniform(seed);
  return Float32Array.from({ length: pointCount * 3 }, () => random() * 2);
}

describe('RegionDistanceIndex', () => {
  it('finds the interior-most point exactly as brute force does on random regions', () => {
    const positions = randomCloud(400, 7);
    const index = new RegionDistanceIndex(positions);
    for (let trial = 0; trial < 20; trial++) {
      const random = seededUniform(100 + trial);
      // Regions of different shapes: a ball, a slab, random scatter.
      const centre = [random() * 2, random() * 2, random() * 2];
      const radius = 0.3 + random() * 0.8;
      const inRegion = (point: number): boolean => {
        const dx = positions[point * 3] - centre[0], dy = positions[point * 3 + 1] - centre[1], dz = positions[point * 3 + 2] - centre[2];
        if (trial % 3 === 0) return Math.sqrt(dx * dx + dy * dy + dz * dz) < radius;
        if (trial % 3 === 1) return Math.abs(dz) < radius / 2;
        return (point * 2654435761) % 7 < 3;
      };
      const region: number[] = [];
      for (let point = 0; point < 400; point++) if (inRegion(point)) region.push(point);
      if (region.length === 0 || region.length === 400) continue;
      const expected = bruteForceInteriorMost(positions, inRegion);
      const found = index.findInteriorMostPoint(region)!;
      expect(found.pointIndex).toBe(expected.pointIndex);
      expect(found.distance).toBeCloseTo(expected.distance, 6);
    }
  });

  it('breaks exact ties by the lowest point index on a lattice', () => {
    const positions: number[] = [];
    for (let x = 0; x < 7; x++) for (let y = 0; y < 7; y++) for (let z = 0; z < 3; z++) positions.push(x, y, z);
    const cloud = Float32Array.from(positions);
    const inRegion = (point: number): boolean => {
      const x = cloud[point * 3], y = cloud[point * 3 + 1];
      return x >= 1 && x <= 5 && y >= 1 && y <= 4;
    };
    const region: number[] = [];
    for (let point = 0; point < cloud.length / 3; point++) if (inRegion(point)) region.push(point);
    const expected = bruteForceInteriorMost(cloud, inRegion);
    expect(new RegionDistanceIndex(cloud).findInteriorMostPoint(region)).toEqual(expected);
  });
});

describe('findErrorRegions / simulateClicks', () => {
  it('groups errors by (true, predicted) pair without spatial clustering', () => {
    const regions = findErrorRegions(Int32Array.from([1, 1, 0, 0, 2, 1]), Int32Array.from([0, 1, 2, 0, 0, 0]));
    expect(regions.map((region) => [region.trueLabel, region.predictedLabel, [...region.points]])).toEqual([
      [0, 2, [2]],
      [1, 0, [0, 5]],
      [2, 0, [4]],
    ]);
  });

  it('clicks the deepest region and labels the click with the truth', () => {
    // A line of points 0..9 (1 m apart): truth object 1 on 0..5; prediction misses 0..3 (false negatives)
    // and wrongly claims 8 (false positive, depth 1).
    const positions = Float32Array.from({ length: 30 }, (_, offset) => (offset % 3 === 0 ? offset / 3 : 0));
    const truth = Int32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const predicted = Int32Array.from([0, 0, 0, 0, 1, 1, 0, 0, 1, 0]);
    const [click] = simulateClicks(new RegionDistanceIndex(positions), truth, predicted, { regionLimit: 1 });
    // Region (1,0) = {0,1,2,3}: point 0 is 4 m from point 4, the nearest point outside the region.
    expect(click).toEqual({ pointIndex: 0, trueLabel: 1, predictedLabel: 0, regionDepth: 4 });
    expect(simulateClicks(new RegionDistanceIndex(positions), truth, truth, { regionLimit: 'all' })).toEqual([]);
  });
});

function sceneOf(objectCount: number, seed = 3): EvaluationScene {
  return { name: 'scene9999_00', cloud: makeBoxScene(objectCount, 120, 400, seed) };
}

/** Nearest-click labelling by brute force: a deliberately imperfect segmenter. */
const nearestClick: SegmentFunction = (cloud, clicks) => {
  const labels = new Int32Array(cloud.pointCount);
  for (let point = 0; point < cloud.pointCount; point++) {
    let best = Infinity;
    for (const click of clicks) {
      const dx = cloud.positions[point * 3] - click.position[0];
      const dy = cloud.positions[point * 3 + 1] - click.position[1];
      const dz = cloud.positions[point * 3 + 2] - click.position[2];
      const distance = dx * dx + dy * dy + dz * dz;
      if (distance < best) {
        best = distance;
        labels[point] = click.kind === 'object' ? click.objectId : 0;
      }
    }
  }
  return labels;
};

describe('evaluateInteractive (multi-object protocol)', () => {
  it('gives each target one round-0 click at its interior-most point', async () => {
    const scene = sceneOf(5);
    const calls: EvaluationClick[][] = [];
    const result = await evaluateInteractive([scene], (cloud, clicks) => {
      calls.push(clicks.map((click) => ({ ...click })));
      return nearestClick(cloud, clicks);
    }, { targetCount: 3, seed: 11, maxClicksPerObject: 2 });
    const targets = result.targets.get(scene.name)!;
    expect(targets).toHaveLength(3);
    const firstRound = calls[0];
    expect(firstRound).toHaveLength(3);
    const instance = scene.cloud.instance!;
    for (const click of firstRound) {
      expect(click.kind).toBe('object');
      expect(instance[click.pointIndex]).toBe(click.objectId);
      const expected = bruteForceInteriorMost(scene.cloud.positions, (point) => instance[point] === click.objectId);
      expect(click.pointIndex).toBe(expected.pointIndex);
    }
    expect(new Set(firstRound.map((click) => click.objectId))).toEqual(new Set(targets));
  });

  it('places corrective clicks in error regions with the true label, within the budget', async () => {
    const scene = sceneOf(6);
    const instance = scene.cloud.instance!;
    const outputs: Int32Array[] = [];
    const callClicks: EvaluationClick[][] = [];
    const segment: SegmentFunction = (cloud, clicks) => {
      callClicks.push(clicks.slice());
      const labels = nearestClick(cloud, clicks) as Int32Array;
      outputs.push(labels);
      return labels;
    };
    const result = await evaluateInteractive([scene], segment, { targetCount: 4, seed: 5 });
    const targets = new Set(result.targets.get(scene.name));
    const truthAt = (point: number): number => (targets.has(instance[point]) ? instance[point] : 0);
    const clicks = result.clicks.get(scene.name)!;
    expect(clicks.length).toBeLessThanOrEqual(4 * 20);
    expect(outputs.length).toBe(4 * 20 - 4 + 1);
    // Each click after round 0 follows the output of the previous call (with clicked points overwritten).
    for (let call = 0; call + 1 < callClicks.length; call++) {
      const before = callClicks[call];
      const after = callClicks[call + 1];
      expect(after.length - before.length).toBeLessThanOrEqual(1);
      if (after.length === before.length) continue;
      const click = after[after.length - 1];
      const prediction = Int32Array.from(outputs[call]);
      for (const old of before) prediction[old.pointIndex] = old.kind === 'object' ? old.objectId : 0;
      expect(prediction[click.pointIndex]).not.toBe(truthAt(click.pointIndex));
      const expectedLabel = truthAt(click.pointIndex);
      if (expectedLabel === 0) {
        expect(click.kind).toBe('background');
        expect(click.objectId).toBe(prediction[click.pointIndex]);
      } else {
        expect(click.kind).toBe('object');
        expect(click.objectId).toBe(expectedLabel);
      }
    }
    // Log: 0 clicks, then 4, 5, …, 80 clicks → 78 lines; they parse back to the same numbers.
    const lines = result.logs.get(scene.name)!;
    expect(lines).toHaveLength(78);
    const entries = parseAgile3dLog(lines.join('\n'));
    expect(entries[0]).toMatchObject({ scene: '9999_00', objectId: '4', clickCount: 0, iou: 0 });
    expect(entries[1].clickCount).toBe(1);
    expect(entries[2].clickCount).toBe(1.25);
    expect(entries.at(-1)!.clickCount).toBe(20);
    expect(entries).toEqual(result.entries);
  });

  it('needs exactly one click per object with a perfect segmenter', async () => {
    const scene = sceneOf(8);
    let targets: Set<number> = new Set();
    const perfect: SegmentFunction = (cloud, clicks) => {
      targets = new Set(clicks.map((click) => click.objectId));
      return Int32Array.from(cloud.instance!, (id) => (targets.has(id) ? id : 0));
    };
    const result = await evaluateInteractive([scene], perfect, { targetCount: 5, seed: 2 });
    expect(result.clicks.get(scene.name)!).toHaveLength(5);
    expect(result.summary.iouAt[1]).toBe(100);
    expect(result.summary.nocAt[90]).toBe(1);
    expect(result.averagePrecisionAt[1].averagePrecision).toBeCloseTo(1, 12);
  });

  it('draws targets deterministically from the seed and honours explicit ids', async () => {
    const scene = sceneOf(8);
    const constant: SegmentFunction = (cloud) => new Int32Array(cloud.pointCount);
    const options = { seed: 42, maxClicksPerObject: 1 } as const;
    const first = await evaluateInteractive([scene], constant, options);
    const second = await evaluateInteractive([scene], constant, options);
    expect(first.targets).toEqual(second.targets);
    const count = first.targets.get(scene.name)!.length;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(8);
    const explicit = await evaluateInteractive([scene], constant, { targetIds: { [scene.name]: [2, 7] }, maxClicksPerObject: 1 });
    expect(explicit.targets.get(scene.name)).toEqual([2, 7]);
    await expect(evaluateInteractive([scene], constant, { targetIds: { [scene.name]: [99] } })).rejects.toThrow(/99/);
  });
});

describe('evaluateInteractive (single-object protocol)', () => {
  it('issues positive and negative clicks and logs integer click counts per object', async () => {
    const scene = sceneOf(4);
    const instance = scene.cloud.instance!;
    // Over-segments: claims the object plus a slab of floor next to it until a background click removes it.
    const greedy: SegmentFunction = (cloud, clicks) => {
      const labels = nearestClick(cloud, clicks.filter((click) => click.kind === 'object')) as Int32Array;
      if (clicks.some((click) => click.kind === 'background')) {
        for (let point = 0; point < cloud.pointCount; point++) if (labels[point] !== 0 && instance[point] !== labels[point]) labels[point] = 0;
      }
      return labels;
    };
    const result = await evaluateInteractive([scene], greedy, { mode: 'single', targetCount: 2, seed: 9, maxClicksPerObject: 5 });
    const keys = [...result.clicks.keys()];
    expect(keys).toHaveLength(2);
    const kinds = new Set([...result.clicks.values()].flat().map((click) => click.kind));
    expect(kinds).toEqual(new Set(['object', 'background']));
    const entries = result.entries;
    expect(entries).toHaveLength(2 * 6);
    expect(entries.map((entry) => entry.clickCount)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(entries.at(-1)!.iou).toBe(1);
  });
});
