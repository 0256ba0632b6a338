import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { viewLittleEndianUint32 } from '../core/float32-view.js';
import { attachPointLabels } from '../labels/point-labels.js';

/** Options of {@link readSemanticKittiLabels}. */
export interface ReadSemanticKittiLabelsOptions {
  /** Points in the matching scan; a label file of another length is rejected. */
  expectedPointCount?: number;
  /** Name of the `.label` file, for error messages. */
  fileName?: string;
}

/** Labels of a SemanticKITTI `.label` file. */
export interface SemanticKittiLabels {
  /** Semantic class id per point (low 16 bits; SemanticKITTI's raw ids such as 10 = car, 252 = moving car). */
  semantic: Int32Array;
  /** Instance id per point (high 16 bits); 0 = no instance. Unique only together with the semantic id. */
  instance: Int32Array;
}

/**
 * Reads a SemanticKITTI `.label` file: one little-endian uint32 per point, semantic id in the low 16 bits and
 * instance id in the high 16 bits.
 *
 * @throws {PointCloudFormatError} when the length is not a multiple of 4 or differs from `expectedPointCount`.
 */
export function readSemanticKittiLabels(bytes: Uint8Array, options: ReadSemanticKittiLabelsOptions = {}): SemanticKittiLabels {
  const format = 'semantickitti-label';
  if (bytes.length % 4 !== 0) {
    throw new PointCloudFormatError({
      format,
      fileName: options.fileName,
      byteOffset: bytes.length - (bytes.length % 4),
      message: `length ${bytes.length} bytes is not a multiple of 4 (one uint32 per point)`,
    });
  }
  const pointCount = bytes.length / 4;
  if (options.expectedPointCount !== undefined && pointCount !== options.expectedPointCount) {
    throw new PointCloudFormatError({
      format,
      fileName: options.fileName,
      message: `${pointCount} labels but the scan has ${options.expectedPointCount} points: expected one label per point`,
    });
  }
  const packed = viewLittleEndianUint32(bytes);
  const semantic = new Int32Array(pointCount);
  const instance = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    const value = packed[index];
    semantic[index] = value & 0xffff;
    instance[index] = value >>> 16;
  }
  return { semantic, instance };
}

/**
 * Returns `cloud` with SemanticKITTI labels attached (`semantic` and `instance` set).
 *
 * @throws {PointCloudFormatError} when the label arrays' length differs from `cloud.pointCount`.
 */
export function attachSemanticKittiLabels(cloud: PointCloud, labels: SemanticKittiLabels, options: { fileName?: string } = {}): PointCloud {
  return attachPointLabels(cloud, labels, { fileName: options.fileName, format: 'semantickitti-label' });
}
