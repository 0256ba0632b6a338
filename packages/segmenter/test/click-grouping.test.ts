import { describe, expect, it } from 'vitest';
import { assignClickGroups, clickLocalityPenalties, type Click } from '../src/index.js';

type ClickKey = Pick<Click, 'objectId' | 'kind'>;
const object = (objectId: number): ClickKey => ({ objectId, kind: 'object' });
const background = (objectId = 1): ClickKey => ({ objectId, kind: 'background' });

/** Rows of per-voxel probabilities, one column per click, flattened to `[voxelCount, clickCount]`. */
function masks(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

/** Uniform class probabilities for `clickCount` clicks over `classCount` classes. */
function uniformClasses(clickCount: number, classCount = 2): Float32Array {
  return new Float32Array(clickCount * classCount).fill(1 / classCount);
}

function identity(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, index) => index);
}

function group(clicks: ClickKey[], rows: number[][], options: { classes?: Float32Array; pointToVoxel?: Int32Array; threshold?: number } = {}) {
  return assignClickGroups({
    clicks,
    maskProbabilities: masks(rows),
    classProbabilities: options.classes ?? uniformClasses(clicks.length),
    pointToVoxel: options.pointToVoxel ?? identity(rows.length),
    objectThreshold: options.threshold ?? 0.5,
    classNames: ['chair', 'table'],
  });
}

describe('assignClickGroups (§3.1 post-processing)', () => {
  it('gives each voxel to the object with the highest probability (argmax over objects)', () => {
    const result = group([object(3), object(7)], [
      [0.9, 0.6],
      [0.55, 0.8],
      [0.7, 0.7001],
    ]);
    expect([...result.voxelInstance]).toEqual([3, 7, 7]);
    expect(result.objects.map((entry) => entry.objectId)).toEqual([3, 7]);
  });

  it('merges the clicks of one object by their maximum probability', () => {
    // Object 2 has two clicks; each alone loses voxel 1 or 2 to object 5, their maximum wins both.
    const result = group([object(2), object(5), object(2)], [
      [0.9, 0.1, 0.2],
      [0.6, 0.7, 0.95],
      [0.2, 0.3, 0.1],
      [0.1, 0.8, 0.3],
    ]);
    expect([...result.voxelInstance]).toEqual([2, 2, 0, 5]);
    expect(result.objects).toHaveLength(2);
    expect(result.objects[0]).toMatchObject({ objectId: 2, pointCount: 2 });
    // The score is the mean group probability over the claimed points: (0.9 + 0.95) / 2.
    expect(result.objects[0].score).toBeCloseTo((0.9 + 0.95) / 2, 6);
    expect(result.objects[1]).toMatchObject({ objectId: 5, pointCount: 1 });
    expect(result.objects[1].score).toBeCloseTo(0.8, 6);
  });

  it('leaves voxels unlabeled when no object reaches the threshold', () => {
    const rows = [
      [0.49, 0.3],
      [0.5, 0.2],
      [0.1, 0.05],
    ];
    expect([...group([object(1), object(2)], rows).voxelInstance]).toEqual([0, 1, 0]);
    expect([...group([object(1), object(2)], rows, { threshold: 0.25 }).voxelInstance]).toEqual([1, 1, 0]);
  });

  it('lets background clicks win voxels, which then stay 0 even above the threshold', () => {
    const result = group([object(4), background(), background(9)], [
      [0.9, 0.95, 0.1],
      [0.9, 0.1, 0.2],
      [0.8, 0.2, 0.85],
    ]);
    expect([...result.voxelInstance]).toEqual([0, 4, 0]);
    // Background clicks never become objects, whatever their objectId.
    expect(result.objects.map((entry) => entry.objectId)).toEqual([4]);
    expect(result.objects[0].pointCount).toBe(1);
  });

  it('labels nothing when every click is a background click', () => {
    const result = group([background(), background(2)], [
      [0.9, 0.95],
      [0.1, 0.99],
    ]);
    expect([...result.instance]).toEqual([0, 0]);
    expect(result.objects).toEqual([]);
  });

  it('breaks ties toward the smaller objectId, and toward the background against an object', () => {
    const result = group([object(8), object(3), background()], [
      [0.7, 0.7, 0.1],
      [0.6, 0.1, 0.6],
      [0.6, 0.6, 0.6],
    ]);
    expect([...result.voxelInstance]).toEqual([3, 0, 0]);
  });

  it('copies voxel labels to every input point through pointToVoxel', () => {
    const result = group([object(1), object(2)], [
      [0.9, 0.1],
      [0.2, 0.8],
    ], { pointToVoxel: Int32Array.from([1, 0, 0, 1, 1]) });
    expect([...result.instance]).toEqual([2, 1, 1, 2, 2]);
    expect(result.objects.map((entry) => entry.pointCount)).toEqual([2, 3]);
    expect(result.objects[1].score).toBeCloseTo(0.8, 6);
  });

  it("reports each object's class as the argmax of its clicks' mean class probabilities", () => {
    // Object 1's clicks disagree (0.9 chair vs 0.8 table): the mean is 0.55 chair.
    const classes = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.3, 0.7]);
    const result = group([object(1), object(1), object(2)], [[0.9, 0.9, 0.1]], { classes });
    expect(result.objects[0]).toMatchObject({ objectId: 1, classIndex: 0, className: 'chair' });
    expect(result.objects[0].classProbability).toBeCloseTo(0.55, 6);
    expect(result.objects[1]).toMatchObject({ objectId: 2, classIndex: 1, className: 'table', pointCount: 0, score: 0 });
    expect(result.objects[1].classProbability).toBeCloseTo(0.7, 6);
    // The whole mean vector, for a class list ordered by probability.
    expect([...result.objects[0].classProbabilities].map((value) => Number(value.toFixed(6)))).toEqual([0.55, 0.45]);
    expect([...result.objects[1].classProbabilities].map((value) => Number(value.toFixed(6)))).toEqual([0.3, 0.7]);
  });

  it('is equivariant to the click order', () => {
    const clicks = [object(1), object(2), background(), object(1)];
    const rows = [
      [0.9, 0.2, 0.1, 0.3],
      [0.3, 0.7, 0.2, 0.75],
      [0.1, 0.2, 0.9, 0.3],
      [0.6, 0.65, 0.1, 0.1],
    ];
    const permutation = [2, 0, 3, 1];
    const permuted = group(
      permutation.map((index) => clicks[index]),
      rows.map((row) => permutation.map((index) => row[index])),
    );
    const original = group(clicks, rows);
    expect([...permuted.instance]).toEqual([...original.instance]);
    expect(permuted.objects).toEqual(original.objects);
  });

  it('rejects probability arrays whose length does not fit the click count', () => {
    expect(() =>
      assignClickGroups({
        clicks: [object(1), object(2)],
        maskProbabilities: new Float32Array(5),
        classProbabilities: new Float32Array(4),
        pointToVoxel: new Int32Array(2),
        objectThreshold: 0.5,
        classNames: [],
      }),
    ).toThrow(/2 clicks need .* multiple of 2 values, got 5 and 4/);
  });
  describe('click locality (localityGain)', () => {
    const logit = (probability: number) => Math.log(probability / (1 - probability));
    const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));
    const withLocality = (clicks: ClickKey[], rows: number[][], distances: number[][], localityGain: number) =>
      assignClickGroups({
        clicks,
        maskProbabilities: masks(rows),
        classProbabilities: uniformClasses(clicks.length),
        pointToVoxel: identity(rows.length),
        objectThreshold: 0.5,
        classNames: ['chair', 'table'],
        clickDistances: masks(distances),
        localityGain,
      });

    it('hands a contested voxel to the geodesically nearer click once the gain outweighs the logit gap', () => {
      // Voxel 0: object 2 is more confident (0.8 vs 0.7) but its click is 0.5 m farther than object 1's.
      const rows = [[0.7, 0.8], [0.9, 0.1]];
      const distances = [[0.1, 0.6], [0, 2]];
      const gap = logit(0.8) - logit(0.7); // 0.539 logits; the crossover gain is gap / 0.5 m
      expect([...withLocality([object(1), object(2)], rows, distances, 0).voxelInstance]).toEqual([2, 1]);
      expect([...withLocality([object(1), object(2)], rows, distances, (gap / 0.5) * 0.9).voxelInstance]).toEqual([2, 1]);
      const result = withLocality([object(1), object(2)], rows, distances, (gap / 0.5) * 1.1);
      expect([...result.voxelInstance]).toEqual([1, 1]);
      // The nearest click keeps its own probability: object 1's score is the mean of 0.7 and 0.9.
      expect(result.objects[0].score).toBeCloseTo((0.7 + 0.9) / 2, 6);
    });

    it('lowers a far object below the threshold instead of handing it a voxel the nearer click leaves', () => {
      // The nearest click (a background click) says 0.2; object 1, 1 m farther, says 0.9 → logit 2.197 − 4 < 0.
      const result = withLocality([object(1), background()], [[0.9, 0.2]], [[1.2, 0.2]], 4);
      expect([...result.voxelInstance]).toEqual([0]);
      const weaker = withLocality([object(1), background()], [[0.9, 0.2]], [[1.2, 0.2]], 1);
      expect([...weaker.voxelInstance]).toEqual([1]);
      expect(weaker.objects[0].score).toBeCloseTo(sigmoid(logit(0.9) - 1), 6);
    });

    it('lets a nearer click take a voxel from a farther one whose probability saturated at exactly 1', () => {
      // float32 sigmoids read 1 from logits of ~17 up; clamped to 1 − 1e-7 (logit 16.1), a 1 m penalty of 20 wins.
      expect([...withLocality([object(1), object(2)], [[1, 0.9]], [[1, 0]], 20).voxelInstance]).toEqual([2]);
      expect([...withLocality([object(1), object(2)], [[1, 0.9]], [[1, 0]], 10).voxelInstance]).toEqual([1]);
    });

    it('changes nothing with a single click, or when every click is equally far', () => {
      const rows = [[0.9], [0.4], [0.6]];
      const single = withLocality([object(4)], rows, [[0], [3], [1]], 10);
      expect([...single.voxelInstance]).toEqual([4, 0, 4]);
      const tied = withLocality([object(1), object(2)], [[0.7, 0.8], [0.9, 0.1]], [[0.5, 0.5], [1, 1]], 10);
      expect([...tied.voxelInstance]).toEqual([2, 1]);
    });

    it('lowers each click by the gain times its distance beyond the nearest click of the voxel (clickLocalityPenalties)', () => {
      const penalties = clickLocalityPenalties(masks([[0.1, 0.6, 0.35], [2, 0, 0.5]]), 3, 2);
      expect(Array.from(penalties).map((value) => Number(value.toFixed(5)))).toEqual([0, 1, 0.5, 4, 0, 1]);
    });

    it('rejects a negative gain and distances that do not fit the probabilities', () => {
      expect(() => withLocality([object(1)], [[0.9]], [[0]], -1)).toThrow(/localityGain must be a finite number ≥ 0, got -1/);
      expect(() => withLocality([object(1), object(2)], [[0.9, 0.1]], [[0]], 2)).toThrow(/needs clickDistances with 2 values .* got 1/);
    });
  });

  it('keeps an object off the points erased from it (excludedPoints): they go to none, other objects keep theirs, forced labels are not checked', () => {
    const input = {
      clicks: [object(1), object(2)],
      maskProbabilities: masks([
        [0.9, 0.2],
        [0.2, 0.9],
      ]),
      classProbabilities: uniformClasses(2),
      // Points 0–2 in voxel 0 (object 1), points 3–4 in voxel 1 (object 2).
      pointToVoxel: Int32Array.from([0, 0, 0, 1, 1]),
      objectThreshold: 0.5,
      classNames: ['chair', 'table'],
    };
    const excludedPoints = new Map([
      [1, Uint8Array.from([0, 1, 1, 0, 0])],
      [2, Uint8Array.from([0, 0, 0, 1, 0])],
    ]);
    const result = assignClickGroups({ ...input, excludedPoints, forcedLabels: Int32Array.from([-1, -1, 1, -1, -1]) });
    expect([...result.instance]).toEqual([1, 0, 1, 0, 2]);
    expect(result.objects.map((entry) => entry.pointCount)).toEqual([2, 1]);
    expect(() => assignClickGroups({ ...input, excludedPoints: new Map([[1, new Uint8Array(4)]]) })).toThrow('excludedPoints of object 1 has 4 flags, pointToVoxel 5');
  });
});
