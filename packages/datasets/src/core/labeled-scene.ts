import type { PointCloud } from '@pointclick/io';

/**
 * A scene ready for training or evaluation: a cloud whose `semantic` values are indices into `classNames`
 * (0 = 'unlabeled', the last = 'other'), and whose `instance` values are object ids (0 = no object).
 */
export interface LabeledScene {
  /** Scene id, unique within its dataset (e.g. 'scene0000_00', 'Area_1/office_1', '08/000000'). */
  id: string;
  /** The points with `instance` and `semantic` set. */
  cloud: PointCloud & { instance: Int32Array; semantic: Int32Array };
  /** Class names by class index. */
  classNames: string[];
  /** Class index by name. */
  semanticClassMap: Record<string, number>;
  /**
   * The dataset's own over-segmentation, where it ships one (ScanNet v2 scene folders: the mesh segments of
   * `<scene>_vh_clean_2.0.010000.segs.json`). Absent for every other adapter.
   */
  superpoints?: SceneSuperpoints;
}

/** A per-point over-segmentation of a scene: superpoint ids 0..count-1. */
export interface SceneSuperpoints {
  /** Superpoint id per point, 0..count-1, every id used. [pointCount] */
  labels: Int32Array;
  /** Number of superpoints. */
  count: number;
}

/** Thrown for a scene or cache file that cannot be used; names the file, the field and what was expected. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  /** File involved, when known. */
  readonly fileName?: string;
  /** Field, section or byte offset involved, when known. */
  readonly field?: string;

  constructor(options: { message: string; fileName?: string; field?: string; cause?: unknown }) {
    const where = [options.fileName, options.field !== undefined ? `field '${options.field}'` : undefined].filter(Boolean).join(', ');
    super(`${where ? `${where}: ` : ''}${options.message}`, { cause: options.cause });
    this.fileName = options.fileName;
    this.field = options.field;
  }
}
