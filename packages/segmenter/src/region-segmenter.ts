import type { PointCloud } from '@pointclick/io';
import { downsampleVoxelGrid } from '@pointclick/sampling';
import type { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import { Segmenter, type SegmentationResult, type SegmenterOptions } from './segmenter.js';
import { validateClick, type Click } from './click.js';
import { SegmenterInputError } from './segmenter-errors.js';
import type { PointSets, SegmentationConstraints } from './point-constraints.js';
import {
  budgetVoxelSize,
  containsCell,
  countVoxels,
  cropCloud,
  describeRegion,
  findLast,
  lowerBound,
  pointInRegion,
  pointSetEntries,
  touchesOpenFace,
  type Region,
  type SceneGrid,
  type SegmentationRegion,
} from './region-geometry.js';

export type { SegmentationRegion } from './region-geometry.js';

/**
 * Occupied voxels (at the model's grid) a region holds by default: about what the `lite` backbone and the
 * decoder's scene preparation take one second for on wasm with one thread (49,825 voxels measured at
 * 1.0–1.9 s on this project's 2-core machines).
 */
export const DEFAULT_REGION_VOXEL_BUDGET = 30_000;
/**
 * Context in metres a region extended to a new click must keep around every click on each side; when the
 * extended box cannot, a new region is started around the new click instead.
 */
const EXTENSION_CONTEXT_METRES = 1;
/** Regions whose backbone features stay cached by default. */
const DEFAULT_CACHED_REGION_COUNT = 3;

/** Options of {@link RegionSegmenter}. */
export interface RegionSegmenterOptions extends SegmenterOptions {
  /**
   * Most occupied voxels, at the model's grid (divided by a numeric `inputScale`), that a region may hold:
   * the backbone never sees more. Default {@link DEFAULT_REGION_VOXEL_BUDGET}.
   */
  voxelBudget?: number;
  /** Regions whose backbone features stay cached (least recently used dropped first). Default 3. */
  cachedRegionCount?: number;
  /**
   * Whether each result's `instance` is a fresh copy of the scene's labels (default true). With false it is the
   * segmenter's own label array: valid until the next `segment`, `setScene` or `clearScene`, never to be modified
   * or transferred. A fresh copy of a 10M-point scan's labels is a 40 MB allocation per click, 150–300 ms on this
   * project's 2-core machines (mostly page faults); keep a label array of your own and apply each result's
   * `changes` to it instead.
   */
  copyLabels?: boolean;
}

/** Output of {@link RegionSegmenter.segment}: labels of the whole scene plus the region that was run. */
export interface RegionSegmentationResult extends SegmentationResult {
  /** The region the network ran on for this call. */
  region: SegmentationRegion;
  /**
   * Objects whose mask reaches an open face of the region (within one voxel): the scene continues there, so
   * the mask may be cut at the region border. Click near the border to move the region.
   */
  objectsAtBorder: number[];
  /** The scene points whose label this call changed, anywhere in the scene, and their new labels (0 for none). */
  changes: LabelChanges;
}

/** Labels a {@link RegionSegmenter.segment} call changed. */
export interface LabelChanges {
  /** Scene point indices, each once, in the order they changed. */
  pointIndices: Int32Array;
  /** New object id of each of those points (0 = unlabelled), [pointIndices.length]. */
  labels: Int32Array;
}

/** A scan's voxel grid at a {@link RegionSegmenter}'s budget grid, from {@link RegionSegmenter.buildSceneGrid}. */
export interface RegionSceneGrid {
  /** The scan. */
  readonly cloud: PointCloud;
  /** Voxel edge length in metres of the grid the budget counts. */
  readonly voxelSize: number;
  /** Occupied voxels of the scan at that grid. */
  readonly voxelCount: number;
  /** Grid origin in metres (the scan's minimum corner). */
  readonly origin: [number, number, number];
  /** Integer cells of the occupied voxels, [voxelCount, 3], all ≥ 0. */
  readonly voxelCells: Int32Array;
  /** Largest cell per axis. */
  readonly highestCell: [number, number, number];
  /** Voxel of every point, [pointCount]. */
  readonly pointToVoxel: Int32Array;
}

function isSceneGrid(scene: PointCloud | RegionSceneGrid): scene is RegionSceneGrid {
  return typeof scene === 'object' && scene !== null && 'voxelCells' in scene;
}

/**
 * Segmentation of scans too large for one backbone pass (10M–100M points): the network runs on a region of
 * interest, a box around the latest click holding at most `voxelBudget` occupied voxels, and the labels
 * outside the region keep their values. A click outside the current region extends it when a box around the
 * region's clicks and the new one, with 1 m of context on every side, still fits the budget, else starts a
 * new region around the new click; each region's backbone features are cached, so click
 * updates inside a region run the decoder only. The clicks inside the region are what the network sees;
 * inside the region its result replaces the labels of the objects clicked there and of unlabelled points,
 * and never takes points from an object clicked elsewhere unless the network assigns them to another
 * object. `objectsAtBorder` names masks that may be cut by the box.
 *
 * Scenes that fit the budget give the same labels as {@link Segmenter} on the whole scene.
 */
export class RegionSegmenter {
  /** The network, shared by every region. */
  readonly model: InteractiveSegmentationModel;
  /** Most occupied voxels of a region. */
  readonly voxelBudget: number;
  private readonly cachedRegionCount: number;
  private readonly copyLabels: boolean;
  private readonly options: SegmenterOptions;
  private scene?: SceneGrid;

  constructor(model: InteractiveSegmentationModel, options: RegionSegmenterOptions = {}) {
    const { voxelBudget = DEFAULT_REGION_VOXEL_BUDGET, cachedRegionCount = DEFAULT_CACHED_REGION_COUNT, copyLabels = true, ...segmenterOptions } = options;
    if (!Number.isInteger(voxelBudget) || voxelBudget < 1) {
      throw new SegmenterInputError(`RegionSegmenter: voxelBudget must be a positive integer (occupied voxels), got ${String(voxelBudget)}`);
    }
    if (!Number.isInteger(cachedRegionCount) || cachedRegionCount < 1) {
      throw new SegmenterInputError(`RegionSegmenter: cachedRegionCount must be a positive integer, got ${String(cachedRegionCount)}`);
    }
    this.model = model;
    this.voxelBudget = voxelBudget;
    this.cachedRegionCount = cachedRegionCount;
    this.copyLabels = copyLabels;
    this.options = segmenterOptions;
    model.setTraining(false);
  }

  /** Class names of the checkpoint, by class index. */
  get classNames(): string[] {
    return this.model.config.classNames;
  }

  /**
   * Occupied voxels of a scan at the grid the voxel budget counts (the model's grid divided by a numeric
   * `inputScale`): compare with the budget to choose between this class and a {@link Segmenter} on the whole scan.
   * Builds the scan's voxel grid; to decide and then segment by region, use {@link buildSceneGrid} and hand its grid
   * to {@link setScene}, so the grid is built once.
   * @param positions Interleaved x y z in metres.
   */
  static countVoxels(model: InteractiveSegmentationModel, positions: Float32Array): number {
    return downsampleVoxelGrid(positions, budgetVoxelSize(model)).voxelCount;
  }

  /**
   * Builds the voxel grid of a scan at the grid the voxel budget counts, once: its `voxelCount` decides between
   * regions and one pass (as {@link countVoxels} does), and {@link setScene} takes it as it is instead of building
   * it again (for a 10M-point scan, the grid is most of setScene's time).
   * @param model The network whose grid the budget counts (the one the region segmenter will share).
   * @param cloud The scan; every coordinate must be finite.
   * @throws {SegmenterInputError} for an empty cloud, a positions length that disagrees with `pointCount` or a
   *   non-finite coordinate.
   */
  static buildSceneGrid(model: InteractiveSegmentationModel, cloud: PointCloud): RegionSceneGrid {
    if (!cloud || cloud.pointCount <= 0) throw new SegmenterInputError('setScene: the cloud is empty; a scene needs at least one point');
    if (cloud.positions.length !== cloud.pointCount * 3) {
      throw new SegmenterInputError(`setScene: positions has ${cloud.positions.length} values but pointCount ${cloud.pointCount} needs ${cloud.pointCount * 3}`);
    }
    const voxelSize = budgetVoxelSize(model);
    const { positions } = cloud;
    const origin: [number, number, number] = [Infinity, Infinity, Infinity];
    for (let offset = 0; offset < positions.length; offset++) {
      const value = positions[offset];
      if (!Number.isFinite(value)) {
        throw new SegmenterInputError(`setScene: positions[${offset}] (point ${Math.floor(offset / 3)}, ${'xyz'[offset % 3]}) is ${value}; every coordinate must be finite`);
      }
      if (value < origin[offset % 3]) origin[offset % 3] = value;
    }
    const grid = downsampleVoxelGrid(positions, voxelSize, { origin });
    const highestCell: [number, number, number] = [0, 0, 0];
    for (let offset = 0; offset < grid.gridCoordinates.length; offset++) {
      if (grid.gridCoordinates[offset] > highestCell[offset % 3]) highestCell[offset % 3] = grid.gridCoordinates[offset];
    }
    return { cloud, voxelSize, voxelCount: grid.voxelCount, origin, voxelCells: grid.gridCoordinates, highestCell, pointToVoxel: grid.pointToVoxel };
  }

  /**
   * Sets the scene, dropping every cached region and all labels. Costs one voxel-grid pass over the scene
   * (no network) unless given the grid {@link buildSceneGrid} built: regions are cut and run at the first click
   * inside them.
   * @param scene The scan, or its grid from {@link buildSceneGrid} with the same model.
   * @throws {SegmenterInputError} for an invalid cloud, or a grid built for another voxel size.
   */
  setScene(scene: PointCloud | RegionSceneGrid): void {
    const grid = isSceneGrid(scene) ? scene : RegionSegmenter.buildSceneGrid(this.model, scene);
    const voxelSize = budgetVoxelSize(this.model);
    if (grid.voxelSize !== voxelSize) {
      throw new SegmenterInputError(`setScene: the grid was built at ${grid.voxelSize} m voxels, this model's budget grid is ${voxelSize} m; build it with this model`);
    }
    this.clearScene();
    this.scene = {
      cloud: grid.cloud,
      voxelSize,
      origin: grid.origin,
      voxelCells: grid.voxelCells,
      highestCell: grid.highestCell,
      pointToVoxel: grid.pointToVoxel,
      labels: new Int32Array(grid.cloud.pointCount),
      objects: new Map(),
      counts: new Map(),
      labelSources: new Map(),
      regions: [],
    };
  }

  /** Regions whose features are cached, most recently used last. */
  get regions(): SegmentationRegion[] {
    const scene = this.scene;
    return scene ? scene.regions.map((region) => describeRegion(scene, region)) : [];
  }

  /**
   * Segments with `clicks` (the whole click history, as {@link Segmenter.segment} takes it; point indices
   * and positions refer to the whole scene). The region is chosen by the last click (with no click, by the
   * first painted or erased point).
   * @param constraints Hand corrections as {@link Segmenter.segment} takes them, with scene point indices:
   *   inside the region they also steer the network; everywhere they are the final word.
   */
  segment(clicks: Click[], constraints?: SegmentationConstraints): RegionSegmentationResult {
    const { region, regionClicks, regionConstraints } = this.prepare(clicks, constraints);
    return this.merge(clicks, constraints, region, regionClicks, region.segmenter.segment(regionClicks, regionConstraints));
  }

  /** {@link segment} with asynchronous read-back (WebGPU in a browser). Same result. */
  async segmentAsync(clicks: Click[], constraints?: SegmentationConstraints): Promise<RegionSegmentationResult> {
    const { region, regionClicks, regionConstraints } = this.prepare(clicks, constraints);
    return this.merge(clicks, constraints, region, regionClicks, await region.segmenter.segmentAsync(regionClicks, regionConstraints));
  }

  /** Drops every region's cached features and the labels (the model stays loaded). */
  clearScene(): void {
    for (const region of this.scene?.regions ?? []) region.segmenter.clearScene();
    this.scene = undefined;
  }

  /** Frees the regions and every model weight. */
  dispose(): void {
    this.clearScene();
    this.model.dispose();
  }

  /** Validates the clicks, picks or cuts the region of the last click, and maps the clicks and constraints inside it. */
  private prepare(
    clicks: Click[],
    constraints: SegmentationConstraints | undefined,
  ): { region: Region; regionClicks: Click[]; regionConstraints?: SegmentationConstraints } {
    const scene = this.scene;
    if (!scene) throw new SegmenterInputError('segment called before setScene');
    clicks.forEach(validateClick);
    const clickCells = clicks.map((click, index) => this.clickCell(scene, click, index));
    for (const side of ['include', 'exclude'] as const) {
      for (const [objectId, points] of pointSetEntries(constraints?.[side])) {
        for (let slot = 0; slot < points.length; slot++) {
          const point = points[slot];
          if (!Number.isInteger(point) || point < 0 || point >= scene.cloud.pointCount) {
            throw new SegmenterInputError(`segment: constraints.${side}[${objectId}][${slot}] is ${String(point)}; point indices must be integers in 0…${scene.cloud.pointCount - 1}`);
          }
        }
      }
    }
    const firstCorrected = [...pointSetEntries(constraints?.include), ...pointSetEntries(constraints?.exclude)].find(([, points]) => points.length > 0)?.[1][0];
    const anchor = clicks.length > 0 ? clickCells[clickCells.length - 1] : firstCorrected !== undefined ? this.clickCell(scene, { pointIndex: firstCorrected, objectId: 1, kind: 'object' }, 0) : undefined;
    if (!anchor) throw new SegmenterInputError('RegionSegmenter.segment: needs at least one click or corrected point (the last click chooses the region)');
    const last = anchor;
    let region = findLast(scene.regions, (candidate) => containsCell(candidate.cells, last));
    if (!region) {
      // Extend the most recent region to take the new click, when that still fits the budget; else start anew.
      const current = scene.regions.at(-1);
      const seeds = current ? clickCells.filter((cell) => containsCell(current.cells, cell)) : [];
      const extensionMargin = Math.ceil(EXTENSION_CONTEXT_METRES / scene.voxelSize);
      region = (seeds.length > 0 ? this.cutRegion(scene, [...seeds, last], extensionMargin) : undefined) ?? this.cutRegion(scene, [last], 0);
      if (!region) throw new SegmenterInputError('segment: the voxel budget is smaller than one voxel column around the click');
      scene.regions.push(region);
      while (scene.regions.length > this.cachedRegionCount) scene.regions.shift()?.segmenter.clearScene();
    } else {
      scene.regions.splice(scene.regions.indexOf(region), 1);
      scene.regions.push(region);
    }
    const regionClicks: Click[] = [];
    clicks.forEach((click, index) => {
      if (!containsCell(region.cells, clickCells[index])) return;
      if ('pointIndex' in click) regionClicks.push({ ...click, pointIndex: lowerBound(region.pointIndices, click.pointIndex) });
      else regionClicks.push(click);
    });
    if (!constraints) return { region, regionClicks };
    const local = (sets: PointSets | undefined): Map<number, number[]> => {
      const inside = new Map<number, number[]>();
      for (const [objectId, points] of pointSetEntries(sets)) {
        const kept: number[] = [];
        for (let slot = 0; slot < points.length; slot++) {
          const point = points[slot];
          if (pointInRegion(scene, region.cells, point)) kept.push(lowerBound(region.pointIndices, point));
        }
        if (kept.length > 0) inside.set(objectId, kept);
      }
      return inside;
    };
    return { region, regionClicks, regionConstraints: { ...constraints, include: local(constraints.include), exclude: local(constraints.exclude) } };
  }

  /** The scene cell of a click: its point's voxel, or the cell its position falls in. */
  private clickCell(scene: SceneGrid, click: Click, index: number): [number, number, number] {
    if ('pointIndex' in click) {
      if (click.pointIndex < 0 || click.pointIndex >= scene.cloud.pointCount) {
        throw new SegmenterInputError(`click ${index}: pointIndex ${click.pointIndex} is outside the scene's ${scene.cloud.pointCount} points`);
      }
      const voxel = scene.pointToVoxel[click.pointIndex];
      return [scene.voxelCells[voxel * 3], scene.voxelCells[voxel * 3 + 1], scene.voxelCells[voxel * 3 + 2]];
    }
    return [0, 1, 2].map((axis) => Math.floor((click.position[axis] - scene.origin[axis]) / scene.voxelSize)) as [number, number, number];
  }

  /**
   * The largest box, grown by the same number of cells on every side of the seeds' bounding box, that holds
   * at most the voxel budget; undefined when the box grown by `minimumMargin` cells exceeds it. Binary search
   * over the margin.
   */
  private cutRegion(scene: SceneGrid, seeds: [number, number, number][], minimumMargin: number): Region | undefined {
    const seedBounds = new Int32Array([...seeds[0], ...seeds[0]]);
    for (const seed of seeds) {
      for (let axis = 0; axis < 3; axis++) {
        seedBounds[axis] = Math.min(seedBounds[axis], seed[axis]);
        seedBounds[axis + 3] = Math.max(seedBounds[axis + 3], seed[axis]);
      }
    }
    const grown = (margin: number): Int32Array => Int32Array.from(seedBounds, (value, index) => (index < 3 ? value - margin : value + margin));
    if (countVoxels(scene.voxelCells, grown(minimumMargin)) > this.voxelBudget) return undefined;
    let fits = minimumMargin;
    let tooLarge = Math.max(...scene.highestCell) + 1 + minimumMargin;
    if (countVoxels(scene.voxelCells, grown(tooLarge)) <= this.voxelBudget) fits = tooLarge;
    while (tooLarge - fits > 1) {
      const middle = (fits + tooLarge) >> 1;
      if (countVoxels(scene.voxelCells, grown(middle)) <= this.voxelBudget) fits = middle;
      else tooLarge = middle;
    }
    // Clamp to the scene so faces at the scene's edge are closed.
    const cells = grown(fits);
    for (let axis = 0; axis < 3; axis++) {
      cells[axis] = Math.max(cells[axis], 0);
      cells[axis + 3] = Math.min(cells[axis + 3], scene.highestCell[axis]);
    }
    const inside = new Uint8Array(scene.voxelCells.length / 3);
    let voxelCount = 0;
    for (let voxel = 0; voxel < inside.length; voxel++) {
      if (containsCell(cells, scene.voxelCells, voxel * 3)) {
        inside[voxel] = 1;
        voxelCount++;
      }
    }
    let pointCount = 0;
    for (let point = 0; point < scene.pointToVoxel.length; point++) pointCount += inside[scene.pointToVoxel[point]];
    const pointIndices = new Int32Array(pointCount);
    for (let point = 0, next = 0; point < scene.pointToVoxel.length; point++) if (inside[scene.pointToVoxel[point]] === 1) pointIndices[next++] = point;
    const openFaces = [0, 1, 2].flatMap((axis) => [cells[axis] > 0, cells[axis + 3] < scene.highestCell[axis]]) as Region['openFaces'];
    const segmenter = new Segmenter(this.model, this.options);
    segmenter.setScene(cropCloud(scene.cloud, pointIndices));
    return { cells, pointIndices, voxelCount, openFaces, segmenter };
  }

  /** Writes a region's result into the scene labels and returns the whole-scene result. */
  private merge(
    clicks: Click[],
    constraints: SegmentationConstraints | undefined,
    region: Region,
    regionClicks: Click[],
    result: SegmentationResult,
  ): RegionSegmentationResult {
    const scene = this.scene!;
    const { labels, counts, labelSources } = scene;
    const clickedHere = new Set(regionClicks.filter((click) => click.kind === 'object').map((click) => click.objectId));
    // The label each changed point had before this call: a point changed twice is reported once, with its last label.
    const before = new Map<number, number>();
    const change = (point: number, objectId: number): boolean => {
      const previous = labels[point];
      if (previous === objectId) return false;
      if (previous !== 0) counts.set(previous, (counts.get(previous) ?? 0) - 1);
      if (objectId !== 0) counts.set(objectId, (counts.get(objectId) ?? 0) + 1);
      labels[point] = objectId;
      if (!before.has(point)) before.set(point, previous);
      return true;
    };
    const addSource = (objectId: number, points: ArrayLike<number>): void => {
      const sources = labelSources.get(objectId);
      if (sources) sources.add(points);
      else labelSources.set(objectId, new Set([points]));
    };
    const atBorder = new Set<number>();
    const labelledHere = new Set<number>();
    const { cells, openFaces, pointIndices } = region;
    for (let local = 0; local < pointIndices.length; local++) {
      const point = pointIndices[local];
      const objectId = result.instance[local];
      if (objectId !== 0) {
        change(point, objectId);
        labelledHere.add(objectId);
        if (!atBorder.has(objectId) && touchesOpenFace(scene, cells, openFaces, point)) atBorder.add(objectId);
      } else if (clickedHere.has(labels[point])) {
        change(point, 0);
      }
    }
    for (const objectId of labelledHere) addSource(objectId, pointIndices);
    // Hand corrections are the final word outside the region too (inside, the region's segmenter applied them).
    for (const [objectId, points] of pointSetEntries(constraints?.exclude)) {
      for (let slot = 0; slot < points.length; slot++) if (labels[points[slot]] === objectId) change(points[slot], 0);
    }
    for (const [objectId, points] of pointSetEntries(constraints?.include)) {
      const changed: number[] = [];
      for (let slot = 0; slot < points.length; slot++) if (change(points[slot], objectId)) changed.push(points[slot]);
      if (changed.length > 0) addSource(objectId, Int32Array.from(changed));
    }
    // Objects that no click or painted set names any more (undone everywhere) lose their points: only the points
    // their label sources name are visited, so an undo costs the object's regions, not the whole scene.
    const named = new Set(clicks.filter((click) => click.kind === 'object').map((click) => click.objectId));
    for (const [objectId, points] of pointSetEntries(constraints?.include)) if (points.length > 0) named.add(objectId);
    for (const [objectId, sources] of labelSources) {
      if (named.has(objectId)) continue;
      for (const points of sources) {
        for (let slot = 0; slot < points.length; slot++) if (labels[points[slot]] === objectId) change(points[slot], 0);
      }
      labelSources.delete(objectId);
    }
    for (const object of result.objects) scene.objects.set(object.objectId, object);
    const objects = [...scene.objects.values()]
      .filter((object) => named.has(object.objectId))
      .map((object) => ({ ...object, pointCount: counts.get(object.objectId) ?? 0 }))
      .sort((a, b) => a.objectId - b.objectId);
    const changed = [...before].filter(([point, previous]) => labels[point] !== previous).map(([point]) => point);
    return {
      instance: this.copyLabels ? labels.slice() : labels,
      changes: { pointIndices: Int32Array.from(changed), labels: Int32Array.from(changed, (point) => labels[point]) },
      objects,
      decoderMilliseconds: result.decoderMilliseconds,
      backboneMilliseconds: result.backboneMilliseconds,
      region: describeRegion(scene, region),
      objectsAtBorder: [...atBorder].sort((a, b) => a - b),
    };
  }
}
