import { downsampleVoxelGrid, sampleClickCandidates } from '@pointclick/sampling';
import type { LabeledScene } from '../core/labeled-scene.js';

/** A scene after voxelisation and normalisation, with its cached click candidates: what training streams. */
export interface PreprocessedScene {
  /** Scene id. */
  id: string;
  /** Number of points (occupied voxels). */
  pointCount: number;
  /** Voxel mean positions, metres, centred in x/y on the scene's bounding box with the lowest point at z = 0. [pointCount, 3] */
  positions: Float32Array;
  /** Voxel mean colours r g b, 0..255. [pointCount, 3] */
  colors: Uint8Array;
  /** Instance id per point (0 = no object). [pointCount] */
  instance: Int32Array;
  /** Class index per point into `classNames`. [pointCount] */
  semantic: Int32Array;
  /** Class names by class index. */
  classNames: string[];
  /** Translation in metres that was subtracted from the source positions. */
  offset: [number, number, number];
  /** Voxel edge in metres. */
  voxelSize: number;
  /** Farthest-point click candidates per instance id (point indices into this scene). */
  clickCandidates: Map<number, Int32Array>;
}

/** Options of {@link preprocessScene}. */
export interface PreprocessSceneOptions {
  /** Voxel edge length in metres. Default 0.05 (AGILE3D's 5 cm). */
  voxelSize?: number;
  /** Most FPS click candidates per instance. Default 15. */
  maxCandidatesPerInstance?: number;
  /** Seed for the candidate FPS start points. Default 0. */
  seed?: number;
  /** Instance ids to leave without candidates. Default none. */
  ignoreInstanceIds?: number[];
}

/**
 * Voxelises a labelled scene (one point per occupied voxel at the voxel's mean position and colour; labels of
 * the voxel's first point), moves it so x/y are centred and the lowest point sits at z = 0, and computes FPS
 * click candidates per instance with `@pointclick/sampling`.
 */
export function preprocessScene(scene: LabeledScene, options: PreprocessSceneOptions = {}): PreprocessedScene {
  const voxelSize = options.voxelSize ?? 0.05;
  const cloud = scene.cloud;
  const colors = cloud.colors ?? new Uint8Array(cloud.pointCount * 3).fill(128);
  const grid = downsampleVoxelGrid(cloud.positions, voxelSize, { colors, computeMeans: true });
  const pointCount = grid.voxelCount;
  const positions = grid.meanPositions!;
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  for (let voxel = 0; voxel < pointCount; voxel++) {
    const source = grid.keptIndices[voxel];
    instance[voxel] = cloud.instance[source];
    semantic[voxel] = cloud.semantic[source];
  }
  const minimum = [Infinity, Infinity, Infinity];
  const maximum = [-Infinity, -Infinity, -Infinity];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[point * 3 + axis];
      if (value < minimum[axis]) minimum[axis] = value;
      if (value > maximum[axis]) maximum[axis] = value;
    }
  }
  const offset: [number, number, number] = pointCount === 0 ? [0, 0, 0] : [(minimum[0] + maximum[0]) / 2, (minimum[1] + maximum[1]) / 2, minimum[2]];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) positions[point * 3 + axis] -= offset[axis];
  }
  const clickCandidates =
    pointCount === 0
      ? new Map<number, Int32Array>()
      : sampleClickCandidates(positions, instance, {
          maxPerInstance: options.maxCandidatesPerInstance ?? 15,
          seed: options.seed ?? 0,
          ignoreInstanceIds: options.ignoreInstanceIds,
        });
  return {
    id: scene.id,
    pointCount,
    positions,
    colors: grid.meanColors ?? new Uint8Array(pointCount * 3).fill(128),
    instance,
    semantic,
    classNames: [...scene.classNames],
    offset,
    voxelSize,
    clickCandidates,
  };
}
