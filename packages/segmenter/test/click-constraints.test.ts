import { describe, expect, it } from 'vitest';
import { assignClickGroups, clickConstraintLabels, poolSuperpointLogits, SuperpointIndex, UNCONSTRAINED } from '../src/index.js';
import { blendSuperpointLogits } from '../src/click-constraints.js';

describe('SuperpointIndex', () => {
  it('lists the points of every superpoint', () => {
    const index = new SuperpointIndex(Int32Array.of(1, 0, 1, 2, 1), 3);
    expect([0, 1, 2].map((superpoint) => Array.from(index.members.subarray(index.offsets[superpoint], index.offsets[superpoint + 1])))).toEqual([[1], [0, 2, 4], [3]]);
    expect(index.sizeOf(1)).toBe(3);
  });

  it('refuses a label outside 0..count−1, naming the point', () => {
    expect(() => new SuperpointIndex(Int32Array.of(0, 3), 3)).toThrow(/labels\[1\] is 3/);
    expect(() => new SuperpointIndex(Int32Array.of(0, -1), 3)).toThrow(RangeError);
  });
});

describe('clickConstraintLabels', () => {
  // Six points on a line, 1 m apart: superpoint 0 = points 0–2, superpoint 1 = points 3–5.
  const positions = Float32Array.from({ length: 18 }, (_, offset) => (offset % 3 === 0 ? offset / 3 : 0));
  const superpoints = new SuperpointIndex(Int32Array.of(0, 0, 0, 1, 1, 1), 2);

  it("gives a click's whole superpoint its label, and 0 for a background click", () => {
    const labels = clickConstraintLabels(
      [{ objectId: 4, kind: 'object' }, { objectId: 9, kind: 'background' }],
      Int32Array.of(1, 5),
      superpoints,
      positions,
    );
    expect(Array.from(labels)).toEqual([4, 4, 4, 0, 0, 0]);
  });

  it('leaves unclicked superpoints unconstrained', () => {
    const labels = clickConstraintLabels([{ objectId: 2, kind: 'object' }], Int32Array.of(4), superpoints, positions);
    expect(Array.from(labels)).toEqual([UNCONSTRAINED, UNCONSTRAINED, UNCONSTRAINED, 2, 2, 2]);
  });

  it('splits a superpoint between conflicting clicks by distance, each keeping its own point', () => {
    const labels = clickConstraintLabels(
      [{ objectId: 1, kind: 'object' }, { objectId: 2, kind: 'object' }, { objectId: 1, kind: 'object' }],
      Int32Array.of(0, 2, 1),
      superpoints,
      positions,
    );
    // Point 0 → click 0 (object 1); point 1 → click 2 (object 1, on it); point 2 → click 1 (object 2).
    expect(Array.from(labels.subarray(0, 3))).toEqual([1, 1, 2]);
    const background = clickConstraintLabels(
      [{ objectId: 1, kind: 'object' }, { objectId: 1, kind: 'background' }],
      Int32Array.of(3, 5),
      superpoints,
      positions,
    );
    // Point 4 is 1 m from both clicks: the earlier click wins the tie.
    expect(Array.from(background.subarray(3))).toEqual([1, 1, 0]);
  });
});

describe('poolSuperpointLogits', () => {
  it('averages logits over the points of each superpoint and returns sigmoid probabilities', () => {
    // Three voxels, two clicks; four points: points 0, 1 in voxel 0 and 1 (superpoint 0), points 2, 3 in voxel 2 (superpoint 1).
    const logits = Float32Array.of(2, -1, 4, -3, -6, 0.5);
    const pointToVoxel = Int32Array.of(0, 1, 2, 2);
    const distances = Float32Array.of(1, 2, 3, 4, 5, 6);
    const { probabilities, values } = poolSuperpointLogits(logits, 2, pointToVoxel, new SuperpointIndex(Int32Array.of(0, 0, 1, 1), 2), distances);
    const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));
    expect(Array.from(probabilities)).toEqual([sigmoid(3), sigmoid(-2), sigmoid(-6), sigmoid(0.5)].map(Math.fround));
    expect(Array.from(values!)).toEqual([2, 3, 5, 6]);
  });

  it('sums every superpoint in point order: the same bits as one pass over the points (interleaved superpoints, an empty one)', () => {
    // 3,000 points in 400 voxels, 3 clicks, superpoints 0…49 scattered over the points (49 left empty).
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const clickCount = 3;
    const pointToVoxel = Int32Array.from({ length: 3000 }, () => Math.floor(random() * 400));
    const labels = Int32Array.from({ length: 3000 }, () => Math.floor(random() * 49));
    const logits = Float32Array.from({ length: 400 * clickCount }, () => (random() - 0.5) * 40);
    const distances = Float32Array.from({ length: 400 * clickCount }, () => random() * 4);
    const superpoints = new SuperpointIndex(labels, 50);
    // Reference: one pass over the points in index order, float64 sums.
    const sums = new Float64Array(50 * clickCount);
    const valueSums = new Float64Array(50 * clickCount);
    for (let point = 0; point < labels.length; point++) {
      for (let click = 0; click < clickCount; click++) {
        sums[labels[point] * clickCount + click] += logits[pointToVoxel[point] * clickCount + click];
        valueSums[labels[point] * clickCount + click] += distances[pointToVoxel[point] * clickCount + click];
      }
    }
    const expected = Array.from(sums, (sum, entry) => {
      const size = superpoints.sizeOf(Math.floor(entry / clickCount));
      return size === 0 ? 0 : Math.fround(1 / (1 + Math.exp(-sum / size)));
    });
    const expectedValues = Array.from(valueSums, (sum, entry) => {
      const size = superpoints.sizeOf(Math.floor(entry / clickCount));
      return size === 0 ? 0 : Math.fround(sum / size);
    });
    const { probabilities, values } = poolSuperpointLogits(logits, clickCount, pointToVoxel, superpoints, distances);
    expect(Array.from(probabilities)).toEqual(expected);
    expect(Array.from(values!)).toEqual(expectedValues);
    expect(superpoints.sizeOf(49)).toBe(0);
  });

  it('reads the cached member voxels of the map it is given: a second map over the same superpoints gives its own means', () => {
    // Superpoint 0 = points 0, 1; superpoint 1 = points 2, 3. Two maps of the points to three voxels.
    const superpoints = new SuperpointIndex(Int32Array.of(0, 0, 1, 1), 2);
    const logits = Float32Array.of(1, 2, 3); // one click
    const first = Int32Array.of(0, 1, 2, 2);
    const second = Int32Array.of(2, 2, 0, 1);
    const sigmoid = (value: number) => Math.fround(1 / (1 + Math.exp(-value)));
    expect(Array.from(poolSuperpointLogits(logits, 1, first, superpoints).probabilities)).toEqual([sigmoid(1.5), sigmoid(3)]);
    expect(Array.from(poolSuperpointLogits(logits, 1, second, superpoints).probabilities)).toEqual([sigmoid(3), sigmoid(1.5)]);
    expect(Array.from(superpoints.memberVoxels(first))).toEqual([0, 1, 2, 2]);
    expect(superpoints.memberVoxels(first)).toBe(superpoints.memberVoxels(first));
  });

  it('refuses superpoints over another point count', () => {
    expect(() => poolSuperpointLogits(new Float32Array(2), 1, Int32Array.of(0, 1), new SuperpointIndex(Int32Array.of(0), 1))).toThrow(/2 points/);
  });
});

describe('blendSuperpointLogits', () => {
  const sigmoid = (value: number) => Math.fround(1 / (1 + Math.exp(-value)));
  // Four voxels, one click; six points. Superpoint 0 = points 0–3 over voxels 0, 0, 1, 2; superpoint 1 = points 4, 5 over voxels 2, 3.
  const superpoints = new SuperpointIndex(Int32Array.of(0, 0, 0, 0, 1, 1), 2);
  const pointToVoxel = Int32Array.of(0, 0, 1, 2, 2, 3);
  const logits = Float32Array.of(6, -1, -3, 2); // superpoint 0's point mean (6 + 6 − 1 − 3) / 4 = 2; superpoint 1's (−3 + 2) / 2 = −0.5

  it('cuts the points into superpoint × voxel pieces', () => {
    const pieces = superpoints.voxelPieces(pointToVoxel);
    expect(Array.from(pieces.pointToPiece)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(Array.from(pieces.voxels)).toEqual([0, 1, 2, 2, 3]);
    expect(Array.from(pieces.superpoints)).toEqual([0, 0, 0, 1, 1]);
    expect(superpoints.voxelPieces(pointToVoxel)).toBe(pieces);
  });

  it('weight 0 gives every piece its superpoint\'s pooled probability; weight 1 its voxel\'s own', () => {
    const pooled = poolSuperpointLogits(logits, 1, pointToVoxel, superpoints).probabilities;
    const plain = blendSuperpointLogits(logits, pointToVoxel, superpoints, [0]);
    expect(Array.from(plain.probabilities)).toEqual([pooled[0], pooled[0], pooled[0], pooled[1], pooled[1]]);
    const own = blendSuperpointLogits(logits, pointToVoxel, superpoints, [1]);
    expect(Array.from(own.probabilities)).toEqual([6, -1, -3, -3, 2].map(sigmoid));
  });

  it('keeps a confident voxel against its superpoint and outvotes a weak one (weight 0.5), blending the distances alike', () => {
    const distances = Float32Array.of(0, 1, 2, 3);
    const { probabilities, values, pointToPiece } = blendSuperpointLogits(logits, pointToVoxel, superpoints, [0.5], distances);
    // Voxel 1 (−1) in superpoint 0 (mean 2): 0.5 → object; voxel 2 (−3) in superpoint 0: −0.5 → background.
    expect(Array.from(probabilities)).toEqual([4, 0.5, -0.5, -1.75, 0.75].map(sigmoid));
    // Distances: superpoint 0's mean (0 + 0 + 1 + 2) / 4 = 0.75, superpoint 1's 2.5.
    expect(Array.from(values!)).toEqual([0.375, 0.875, 1.375, 2.25, 2.75]);
    expect(pointToPiece).toBe(superpoints.voxelPieces(pointToVoxel).pointToPiece);
  });

  it('weighs each click on its own: a weight-0 click stays pooled beside a blended one', () => {
    // Two clicks: click 0 as the logits above, click 1 their negation; weights 0 and 1.
    const twoClicks = Float32Array.from({ length: 8 }, (_, entry) => (entry % 2 === 0 ? 1 : -1) * logits[entry >> 1]);
    const { probabilities } = blendSuperpointLogits(twoClicks, pointToVoxel, superpoints, [0, 1]);
    expect(Array.from(probabilities)).toEqual([2, -6, 2, 1, 2, 3, -0.5, 3, -0.5, -2].map(sigmoid));
  });

  it('refuses a weight outside [0, 1] and superpoints over another point count', () => {
    expect(() => blendSuperpointLogits(logits, pointToVoxel, superpoints, [1.5])).toThrow(/voxelWeights\[0\] is 1.5/);
    expect(() => blendSuperpointLogits(logits, Int32Array.of(0, 1), superpoints, [0.5])).toThrow(/2 points/);
  });
});

describe('assignClickGroups with forced labels', () => {
  it('puts forced points in the forced object (or none) and counts them, leaving the others to the scores', () => {
    // Two voxels, two object clicks; click 0 (object 1) wins both voxels on scores.
    const input = {
      clicks: [{ objectId: 1, kind: 'object' as const }, { objectId: 2, kind: 'object' as const }],
      maskProbabilities: Float32Array.of(0.9, 0.6, 0.8, 0.7),
      classProbabilities: Float32Array.of(1, 0, 0, 1),
      pointToVoxel: Int32Array.of(0, 0, 1, 1),
      objectThreshold: 0.5,
      classNames: ['a', 'b'],
    };
    expect(Array.from(assignClickGroups(input).instance)).toEqual([1, 1, 1, 1]);
    const forced = assignClickGroups({ ...input, forcedLabels: Int32Array.of(UNCONSTRAINED, 2, 0, UNCONSTRAINED) });
    expect(Array.from(forced.instance)).toEqual([1, 2, 0, 1]);
    expect(forced.objects.map((entry) => entry.pointCount)).toEqual([2, 1]);
    // Object 2's score is its own probability at the forced point's voxel (0.6), not the winner's.
    expect(forced.objects[1].score).toBeCloseTo(0.6, 6);
    expect(() => assignClickGroups({ ...input, forcedLabels: Int32Array.of(5, -1, -1, -1) })).toThrow(/no object click has/);
    expect(() => assignClickGroups({ ...input, forcedLabels: Int32Array.of(1) })).toThrow(/forcedLabels has 1 values/);
  });
});
