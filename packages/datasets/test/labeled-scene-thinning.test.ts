import { describe, expect, it } from 'vitest';
import { NYU40_CLASS_MAP, thinLabeledScene, toLabeledScene } from '../src/index.js';

describe('thinLabeledScene', () => {
  // Twelve points: pairs share a 10 cm voxel except the last two; superpoints 7 and 9 (sparse ids).
  const positions = Float32Array.from([
    0.0, 0.0, 0.0, 0.06, 0.06, 0.06, // voxel A: points 0, 1 (point 0 pins the grid origin at 0)
    0.55, 0.05, 0.05, 0.56, 0.04, 0.05, // voxel B: points 2, 3
    0.05, 0.55, 0.05, 0.04, 0.56, 0.06, // voxel C: points 4, 5
    0.05, 0.05, 0.55, 0.04, 0.06, 0.56, // voxel D: points 6, 7
    0.04, 0.03, 0.05, 0.54, 0.06, 0.04, // point 8 → voxel A, point 9 → voxel B
    0.95, 0.95, 0.95, 0.75, 0.75, 0.75, // voxels E, F
  ]);
  const pointCount = positions.length / 3;
  const base = toLabeledScene('thin', {
    pointCount,
    positions,
    colors: Uint8Array.from({ length: pointCount * 3 }, (_, index) => index),
    instance: Int32Array.from({ length: pointCount }, (_, point) => point % 3),
    semantic: Int32Array.from({ length: pointCount }, (_, point) => (point % 2 ? 5 : 7)),
    attributes: { organizedIndex: Int32Array.from({ length: pointCount }, (_, point) => 1000 + point) },
    metadata: { droppedPointCount: 4 },
  }, NYU40_CLASS_MAP);
  const scene = { ...base, superpoints: { labels: Int32Array.from([1, 1, 0, 0, 2, 2, 3, 3, 1, 0, 3, 1]), count: 4 } };

  it('keeps the first point of every voxel with all its fields, in input order', () => {
    const thinned = thinLabeledScene(scene, 0.1);
    const kept = [0, 2, 4, 6, 10, 11];
    expect(thinned.cloud.pointCount).toBe(kept.length);
    expect(Array.from(thinned.cloud.attributes!.organizedIndex)).toEqual(kept.map((point) => 1000 + point));
    expect(Array.from(thinned.cloud.positions)).toEqual(kept.flatMap((point) => Array.from(positions.subarray(point * 3, point * 3 + 3))));
    expect(Array.from(thinned.cloud.colors!)).toEqual(kept.flatMap((point) => [point * 3, point * 3 + 1, point * 3 + 2]));
    expect(Array.from(thinned.cloud.instance)).toEqual(kept.map((point) => point % 3));
    expect(Array.from(thinned.cloud.semantic)).toEqual(kept.map((point) => base.cloud.semantic[point]));
    expect(thinned.cloud.metadata?.droppedPointCount).toBe(4 + pointCount - kept.length);
    expect(thinned.classNames).toEqual(base.classNames);
  });

  it('renumbers the surviving superpoints 0..count-1 and drops the vanished ones', () => {
    // Kept points 0, 2, 4, 6, 10, 11 carry superpoints 1, 0, 2, 3, 3, 1: all four survive, renumbered by first appearance.
    expect(thinLabeledScene(scene, 0.1).superpoints).toEqual({ labels: Int32Array.from([0, 1, 2, 3, 3, 0]), count: 4 });
    // One 2 m voxel keeps only point 0: one superpoint.
    expect(thinLabeledScene(scene, 2).superpoints).toEqual({ labels: Int32Array.from([0]), count: 1 });
    expect(thinLabeledScene(base, 0.1).superpoints).toBeUndefined();
  });

  it('refuses a voxel size that is not a positive length', () => {
    expect(() => thinLabeledScene(scene, 0)).toThrow(/voxelSize/);
    expect(() => thinLabeledScene(scene, Number.NaN)).toThrow(/voxelSize/);
  });
});
