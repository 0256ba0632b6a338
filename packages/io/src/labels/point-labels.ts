import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** Per-point labels read from a label file. */
export interface PointLabels {
  /** Semantic class id per point. */
  semantic?: Int32Array;
  /** Instance id per point; 0 = unlabeled. */
  instance?: Int32Array;
  /** Class names by semantic id, when the label file names them. */
  classNames?: Record<number, string>;
}

/** Options of {@link attachPointLabels}. */
export interface AttachPointLabelsOptions {
  /** Name of the label file, for error messages. */
  fileName?: string;
  /** Format of the label file, for error messages (default `'labels'`). */
  format?: string;
}

/**
 * Returns a copy of `cloud` (arrays shared, not copied) with the given labels set; labels absent from `labels` keep the
 * cloud's own. Class names are merged into `metadata.classNames`.
 *
 * @throws {PointCloudFormatError} when a label array's length differs from `cloud.pointCount`.
 */
export function attachPointLabels(cloud: PointCloud, labels: PointLabels, options: AttachPointLabelsOptions = {}): PointCloud {
  for (const field of ['semantic', 'instance'] as const) {
    const array = labels[field];
    if (array !== undefined && array.length !== cloud.pointCount) {
      throw new PointCloudFormatError({
        format: options.format ?? 'labels',
        fileName: options.fileName,
        field,
        message: `${array.length} ${field} labels for a cloud of ${cloud.pointCount} points: expected one label per point`,
      });
    }
  }
  const result: PointCloud = { ...cloud };
  if (labels.semantic !== undefined) result.semantic = labels.semantic;
  if (labels.instance !== undefined) result.instance = labels.instance;
  if (labels.classNames !== undefined) {
    result.metadata = { ...cloud.metadata, classNames: { ...cloud.metadata?.classNames, ...labels.classNames } };
  }
  return result;
}
