import type { PointCloud } from '@pointclick/io';
import {
  DEFAULT_REGION_VOXEL_BUDGET,
  RegionSegmenter,
  type Click,
  type LabelChanges,
  type RegionSegmentationResult,
  type SegmentationConstraints,
  type SegmentationResult,
  type Segmenter,
} from '@pointclick/segmenter';

/**
 * A segmentation result, with the region of interest when the scan was too large for one backbone pass. Region
 * results also carry `changes`, the points this call changed: their `instance` is the region segmenter's own label
 * array (never to be transferred or modified), so the worker posts the changes instead of a 40 MB copy per click.
 */
export type ScanSegmentation = SegmentationResult &
  Partial<Pick<RegionSegmentationResult, 'region' | 'objectsAtBorder'>> & { changes?: ScanLabelChanges };

/** The labels a region segmentation changed, as the worker posts them. */
export interface ScanLabelChanges extends LabelChanges {
  /** Whether the labels were all 0 before these changes (the scan's first region result). */
  fresh: boolean;
  /** Points of the scan. */
  pointCount: number;
}

/**
 * Scans with at most this many occupied voxels (at the model's grid) are segmented whole, as before regions
 * existed: every ScanNet room (20k–45k voxels at 4 cm) and scans of about a million points, whose first click
 * takes a few seconds on wasm. Larger scans go region by region.
 */
export const WHOLE_SCAN_VOXEL_LIMIT = 150_000;

/**
 * The segmenter for one scan: the checkpoint's `Segmenter` on the whole scan when its occupied voxels (at the
 * model's grid) are at most `wholeScanVoxelLimit`, else a `RegionSegmenter` sharing the same model, which runs
 * the backbone on a box of at most `voxelBudget` voxels around the last click (issue 18: scans of any size).
 */
export class ScanSegmenter {
  private region?: RegionSegmenter;
  private readonly pointCount: number;
  /** Whether a region result was returned since the scan was set (later changes apply to its labels). */
  private regionLabelsReported = false;

  /**
   * @param segmenter The loaded checkpoint's segmenter; its model is shared, never disposed here.
   * @param cloud The scan.
   * @param options.wholeScanVoxelLimit Largest scan (occupied voxels) segmented in one pass; default {@link WHOLE_SCAN_VOXEL_LIMIT}.
   * @param options.voxelBudget Occupied voxels of a region, for larger scans; default `DEFAULT_REGION_VOXEL_BUDGET`.
   */
  constructor(
    private readonly segmenter: Segmenter,
    cloud: PointCloud,
    options: { wholeScanVoxelLimit?: number; voxelBudget?: number } = {},
  ) {
    const { wholeScanVoxelLimit = WHOLE_SCAN_VOXEL_LIMIT, voxelBudget = DEFAULT_REGION_VOXEL_BUDGET } = options;
    this.pointCount = cloud.pointCount;
    // The grid that decides is the one the region segmenter keeps: built once (most of the set-up time of a large scan).
    const grid = RegionSegmenter.buildSceneGrid(segmenter.model, cloud);
    if (grid.voxelCount > wholeScanVoxelLimit) {
      this.region = new RegionSegmenter(segmenter.model, { voxelBudget, copyLabels: false, searchThreads: segmenter.searchThreads });
      this.region.setScene(grid);
      segmenter.clearScene();
    } else {
      segmenter.setScene(cloud);
    }
  }

  /** Whether the scan is segmented region by region. */
  get byRegion(): boolean {
    return this.region !== undefined;
  }

  /** Segments with every click and hand correction so far (asynchronous read-back, for WebGPU in a browser). */
  async segment(clicks: Click[], constraints?: SegmentationConstraints): Promise<ScanSegmentation> {
    if (this.region) {
      if (clicks.length === 0 && !hasCorrections(constraints)) return { instance: new Int32Array(this.pointCount), objects: [], decoderMilliseconds: 0, backboneMilliseconds: 0 };
      const result = await this.region.segmentAsync(clicks, constraints);
      const fresh = !this.regionLabelsReported;
      this.regionLabelsReported = true;
      return { ...result, changes: { ...result.changes, fresh, pointCount: this.pointCount } };
    }
    return this.segmenter.segmentAsync(clicks, constraints);
  }

  /** Frees the cached features (the model stays loaded). */
  clear(): void {
    this.region?.clearScene();
    this.segmenter.clearScene();
  }
}

/** Whether the constraints paint or erase at least one point. */
function hasCorrections(constraints: SegmentationConstraints | undefined): boolean {
  return [constraints?.include, constraints?.exclude].some((sets) => {
    if (!sets) return false;
    const lists: ArrayLike<number>[] = sets instanceof Map ? [...(sets as ReadonlyMap<number, ArrayLike<number>>).values()] : Object.values(sets as Readonly<Record<number, ArrayLike<number>>>);
    return lists.some((points) => points.length > 0);
  });
}
