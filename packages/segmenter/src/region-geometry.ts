import type { PointCloud } from '@pointclick/io';
import type { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import type { PointSets } from './point-constraints.js';
import type { Segmenter } from './segmenter.js';
import type { SegmentedObject } from './click-grouping.js';

/*
 * The voxel-grid bookkeeping of RegionSegmenter: the scene's grid, regions as inclusive cell boxes, crops of the
 * cloud, and the point-set helpers. Kept apart so that region-segmenter.ts reads as the algorithm.
 */

/** An axis-aligned box of the scene that the network segments in one pass. */
export interface SegmentationRegion {
  /** Lower corner in metres (scene coordinates). */
  minimum: [number, number, number];
  /** Upper corner in metres. */
  maximum: [number, number, number];
  /** Input points inside the box. */
  pointCount: number;
  /** Occupied voxels inside the box at the budget's grid; at most the voxel budget. */
  voxelCount: number;
  /** Per face (−x, +x, −y, +y, −z, +z): whether the scene has points beyond it, so a mask there may be cut. */
  openFaces: [boolean, boolean, boolean, boolean, boolean, boolean];
}

/** A region of the scene: its box, its points and the segmenter holding its cached features. */
export interface Region {
  /** Inclusive cell bounds in the scene grid: [lowX, lowY, lowZ, highX, highY, highZ]. */
  cells: Int32Array;
  /** Scene point indices inside the box, ascending. */
  pointIndices: Int32Array;
  voxelCount: number;
  openFaces: SegmentationRegion['openFaces'];
  segmenter: Segmenter;
}

/** The scene as a voxel grid, with the labels every region writes into. */
export interface SceneGrid {
  cloud: PointCloud;
  /** Voxel edge in metres of the grid the budget counts. */
  voxelSize: number;
  /** Grid origin (the scene's minimum corner), metres. */
  origin: [number, number, number];
  /** [voxelCount, 3] integer cells, all ≥ 0. */
  voxelCells: Int32Array;
  /** Largest cell per axis. */
  highestCell: [number, number, number];
  pointToVoxel: Int32Array;
  /** Current object id of every scene point, 0 for none. */
  labels: Int32Array;
  /** Latest object record per object id, from the region that last segmented it. */
  objects: Map<number, SegmentedObject>;
  /** Labelled points per object id. */
  counts: Map<number, number>;
  /**
   * Per object id, arrays of scene point indices that hold every point ever given its label (the point indices of
   * the regions that labelled it, the hand-included points that changed to it): undoing the object clears only
   * these points instead of scanning the whole scene.
   */
  labelSources: Map<number, Set<ArrayLike<number>>>;
  /** Cached regions, least recently used first. */
  regions: Region[];
}

/** Voxel edge in metres of the grid the budget counts: the model's grid divided by a numeric input scale. */
export function budgetVoxelSize(model: InteractiveSegmentationModel): number {
  const inputScale = model.config.inputScale;
  return model.backbone.config.gridSize / (typeof inputScale === 'number' ? inputScale : 1);
}

/** Occupied voxels inside inclusive cell bounds. */
export function countVoxels(voxelCells: Int32Array, cells: Int32Array): number {
  let count = 0;
  for (let offset = 0; offset < voxelCells.length; offset += 3) if (containsCell(cells, voxelCells, offset)) count++;
  return count;
}

/** Whether inclusive cell bounds hold the cell at `cell[offset..offset+2]`. */
export function containsCell(cells: Int32Array, cell: ArrayLike<number>, offset = 0): boolean {
  return (
    cell[offset] >= cells[0] && cell[offset] <= cells[3] &&
    cell[offset + 1] >= cells[1] && cell[offset + 1] <= cells[4] &&
    cell[offset + 2] >= cells[2] && cell[offset + 2] <= cells[5]
  );
}

/** Whether a scene point's cell lies inside inclusive cell bounds. */
export function pointInRegion(scene: SceneGrid, cells: Int32Array, point: number): boolean {
  return containsCell(cells, scene.voxelCells, scene.pointToVoxel[point] * 3);
}

/** The (objectId, points) pairs of a `Map` or plain-object point set. */
export function pointSetEntries(sets: PointSets | undefined): [number, ArrayLike<number>][] {
  if (!sets) return [];
  if (sets instanceof Map) return [...(sets as ReadonlyMap<number, ArrayLike<number>>).entries()];
  return Object.entries(sets as Readonly<Record<string, ArrayLike<number>>>).map(([key, points]) => [Number(key), points]);
}

/** Whether a scene point lies in the outermost cell layer of an open face of the region. */
export function touchesOpenFace(scene: SceneGrid, cells: Int32Array, openFaces: Region['openFaces'], point: number): boolean {
  const voxel = scene.pointToVoxel[point] * 3;
  for (let axis = 0; axis < 3; axis++) {
    const cell = scene.voxelCells[voxel + axis];
    if ((openFaces[axis * 2] && cell === cells[axis]) || (openFaces[axis * 2 + 1] && cell === cells[axis + 3])) return true;
  }
  return false;
}

export function describeRegion(scene: SceneGrid, region: Region): SegmentationRegion {
  const { cells } = region;
  const { voxelSize } = scene;
  return {
    minimum: [0, 1, 2].map((axis) => scene.origin[axis] + cells[axis] * voxelSize) as [number, number, number],
    maximum: [0, 1, 2].map((axis) => scene.origin[axis] + (cells[axis + 3] + 1) * voxelSize) as [number, number, number],
    pointCount: region.pointIndices.length,
    voxelCount: region.voxelCount,
    openFaces: [...region.openFaces],
  };
}

/** The points `pointIndices` of a cloud, with every per-point field the network reads. */
export function cropCloud(cloud: PointCloud, pointIndices: Int32Array): PointCloud {
  const pick = <T extends Float32Array | Uint8Array>(values: T, width: number, create: (length: number) => T): T => {
    const picked = create(pointIndices.length * width);
    for (let local = 0; local < pointIndices.length; local++) {
      const source = pointIndices[local] * width;
      for (let channel = 0; channel < width; channel++) picked[local * width + channel] = values[source + channel];
    }
    return picked;
  };
  return {
    pointCount: pointIndices.length,
    positions: pick(cloud.positions, 3, (length) => new Float32Array(length)),
    colors: cloud.colors && pick(cloud.colors, 3, (length) => new Uint8Array(length)),
    normals: cloud.normals && pick(cloud.normals, 3, (length) => new Float32Array(length)),
    intensity: cloud.intensity && pick(cloud.intensity, 1, (length) => new Float32Array(length)),
  };
}

/** Index of `value` in an ascending array that holds it. */
export function lowerBound(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function findLast<T>(values: T[], predicate: (value: T) => boolean): T | undefined {
  for (let index = values.length - 1; index >= 0; index--) if (predicate(values[index])) return values[index];
  return undefined;
}
