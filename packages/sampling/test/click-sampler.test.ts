import { describe, expect, it } from 'vitest';
import { drawTrainingClicks, sampleClickCandidates, sampleFarthestPoints, SamplingInputError } from '../src/index.js';
import { createRandom } from '../src/index.js';

/** A synthetic scene: `instanceSizes[i]` points of instance i + 1 in a 1 m cube around (3i, 0, 0), plus 500 unlabelled points. */
function makeScene(instanceSizes: number[], seed: number) {
  const random = createRandom(seed);
  const pointCount = instanceSizes.reduce((sum, size) => sum + size, 0) + 500;
  const positions = new Float32Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  let point = 0;
  instanceSizes.forEach((size, id) => {
    for (let member = 0; member < size; member++, point++) {
      positions.set([3 * id + random.next(), random.next(), random.next()], point * 3);
      instance[point] = id + 1;
    }
  });
  for (; point < pointCount; point++) positions.set([random.next() * 30, 5, random.next()], point * 3);
  // Interleave the order so instances are not contiguous in the arrays.
  const order = Int32Array.from({ length: pointCount }, (_, index) => index);
  random.shuffle(order);
  const shuffledPositions = new Float32Array(pointCount * 3);
  const shuffledInstance = new Int32Array(pointCount);
  order.forEach((source, target) => {
    shuffledPositions.set(positions.subarray(source * 3, source * 3 + 3), target * 3);
    shuffledInstance[target] = instance[source];
  });
  return { positions: shuffledPositions, instance: shuffledInstance };
}

describe('sampleClickCandidates', () => {
  const sizes = [2000, 1000, 400, 120, 30, 3, 1];
  const { positions, instance } = makeScene(sizes, 1);

  it('gives every annotated instance 1..15 candidates belonging to it, scaled with size', () => {
    const candidates = sampleClickCandidates(positions, instance, { seed: 4 });
    expect([...candidates.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    let previousCount = Infinity;
    for (const [id, points] of candidates) {
      expect(points.length).toBeGreaterThanOrEqual(1);
      expect(points.length).toBeLessThanOrEqual(Math.min(15, sizes[id - 1]));
      expect(new Set(points).size).toBe(points.length);
      for (const point of points) expect(instance[point]).toBe(id);
      // Sizes decrease with id, so counts must not increase.
      expect(points.length).toBeLessThanOrEqual(previousCount);
      previousCount = points.length;
    }
    expect(candidates.get(1)!.length).toBe(15);
    expect(candidates.get(7)!.length).toBe(1);
  });

  it('candidates are the FPS order over the instance (spread out, not clustered)', () => {
    const candidates = sampleClickCandidates(positions, instance, { seed: 4 });
    const members = Int32Array.from([...instance.keys()].filter((point) => instance[point] === 1));
    const first = candidates.get(1)!;
    expect(Array.from(first)).toEqual(Array.from(sampleFarthestPoints(positions, 15, { subset: members, startIndex: first[0] })));
    // FPS spread: min pairwise distance among 15 FPS samples of a unit cube far exceeds 15 random points'.
    const minimumPairwise = (points: ArrayLike<number>) => {
      let minimum = Infinity;
      for (let a = 0; a < points.length; a++) for (let b = a + 1; b < points.length; b++) {
        const dx = positions[points[a] * 3] - positions[points[b] * 3];
        const dy = positions[points[a] * 3 + 1] - positions[points[b] * 3 + 1];
        const dz = positions[points[a] * 3 + 2] - positions[points[b] * 3 + 2];
        minimum = Math.min(minimum, Math.hypot(dx, dy, dz));
      }
      return minimum;
    };
    expect(minimumPairwise(first)).toBeGreaterThan(0.3);
    expect(minimumPairwise(members.subarray(0, 15))).toBeLessThan(minimumPairwise(first));
  });

  it('is deterministic for a seed, honours ignoreInstanceIds and min/max options', () => {
    const a = sampleClickCandidates(positions, instance, { seed: 10 });
    const b = sampleClickCandidates(positions, instance, { seed: 10 });
    expect([...a].map(([id, points]) => [id, Array.from(points)])).toEqual([...b].map(([id, points]) => [id, Array.from(points)]));
    const c = sampleClickCandidates(positions, instance, { seed: 11 });
    expect(Array.from(c.get(1)!)).not.toEqual(Array.from(a.get(1)!));
    const ignored = sampleClickCandidates(positions, instance, { ignoreInstanceIds: [1, 3] });
    expect([...ignored.keys()]).toEqual([2, 4, 5, 6, 7]);
    const bounded = sampleClickCandidates(positions, instance, { minPerInstance: 3, maxPerInstance: 5 });
    for (const [id, points] of bounded) {
      expect(points.length).toBeGreaterThanOrEqual(Math.min(3, sizes[id - 1]));
      expect(points.length).toBeLessThanOrEqual(5);
    }
    expect(bounded.get(1)!.length).toBe(5);
  });

  it('rejects mismatched instance arrays and inconsistent options', () => {
    expect(() => sampleClickCandidates(positions, new Int32Array(3))).toThrow(/instance/);
    expect(() => sampleClickCandidates(positions, instance, { minPerInstance: 5, maxPerInstance: 2 })).toThrow(SamplingInputError);
  });
});

describe('drawTrainingClicks', () => {
  const { positions, instance } = makeScene([900, 800, 700, 600, 500, 400, 300, 200, 100, 50, 20, 5, 2], 2);
  const candidates = sampleClickCandidates(positions, instance, { seed: 1 });

  it('draws 30..50 clicks by default, every drawn instance with >= 1 click, all from the candidates', () => {
    const totals = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const clicks = drawTrainingClicks(candidates, { seed });
      totals.add(clicks.length);
      expect(clicks.length).toBeGreaterThanOrEqual(30);
      expect(clicks.length).toBeLessThanOrEqual(50);
      const keys = new Set(clicks.map((click) => `${click.instanceId}:${click.pointIndex}`));
      expect(keys.size).toBe(clicks.length);
      const perInstance = new Map<number, number>();
      for (const click of clicks) {
        expect(Array.from(candidates.get(click.instanceId)!)).toContain(click.pointIndex);
        perInstance.set(click.instanceId, (perInstance.get(click.instanceId) ?? 0) + 1);
      }
      for (const count of perInstance.values()) expect(count).toBeGreaterThanOrEqual(1);
      for (const count of perInstance.values()) expect(count).toBeLessThanOrEqual(15);
    }
    // Totals are drawn over the whole range, not a constant.
    expect(totals.size).toBeGreaterThan(10);
  });

  it('varies which instances are drawn and is deterministic for a seed', () => {
    const instanceSets = new Set<string>();
    for (let seed = 0; seed < 50; seed++) instanceSets.add([...new Set(drawTrainingClicks(candidates, { seed }).map((click) => click.instanceId))].join(','));
    expect(instanceSets.size).toBeGreaterThan(5);
    expect(drawTrainingClicks(candidates, { seed: 3 })).toEqual(drawTrainingClicks(candidates, { seed: 3 }));
  });

  it('honours minClicks / maxClicks / maxPerInstance', () => {
    for (let seed = 0; seed < 50; seed++) {
      const clicks = drawTrainingClicks(candidates, { seed, minClicks: 5, maxClicks: 8, maxPerInstance: 2 });
      expect(clicks.length).toBeGreaterThanOrEqual(5);
      expect(clicks.length).toBeLessThanOrEqual(8);
      const perInstance = new Map<number, number>();
      for (const click of clicks) perInstance.set(click.instanceId, (perInstance.get(click.instanceId) ?? 0) + 1);
      for (const count of perInstance.values()) expect(count).toBeLessThanOrEqual(2);
    }
    expect(drawTrainingClicks(candidates, { minClicks: 12, maxClicks: 12 }).length).toBe(12);
  });

  it('returns every candidate (capped per instance) when fewer than minClicks exist', () => {
    const small = new Map<number, Int32Array>([
      [4, Int32Array.from([1, 2, 3])],
      [9, Int32Array.from([7])],
      [2, new Int32Array(0)],
    ]);
    const clicks = drawTrainingClicks(small, { seed: 1 });
    expect(clicks.map((click) => `${click.instanceId}:${click.pointIndex}`).sort()).toEqual(['4:1', '4:2', '4:3', '9:7']);
    expect(drawTrainingClicks(small, { maxPerInstance: 2 }).length).toBe(3);
    expect(drawTrainingClicks(new Map())).toEqual([]);
  });

  it('rejects minClicks > maxClicks', () => {
    expect(() => drawTrainingClicks(candidates, { minClicks: 10, maxClicks: 5 })).toThrow(/minClicks/);
    expect(() => drawTrainingClicks(candidates, { maxPerInstance: 0 })).toThrow(SamplingInputError);
  });
});
