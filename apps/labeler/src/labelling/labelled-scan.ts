import type { PointCloud } from '@pointclick/io';
import type { Click, SegmentedObject } from '@pointclick/segmenter';

/** One scan after labelling: what every output format writes from. */
export interface LabelledScan {
  /** The scan's file name (its path's last segment), as the clicks file keys it. */
  scanName: string;
  /** The scan as read. */
  cloud: PointCloud;
  /** Per point: the objectId that claims it, 0 for none. */
  instance: Int32Array;
  /** Per point: the predicted class index + 1 of its object, 0 for none (so 0 stays "unlabelled"). */
  semantic: Int32Array;
  /** The segmented objects, in increasing objectId order. */
  objects: SegmentedObject[];
  /** The model's class names by class index. */
  classNames: readonly string[];
  /** The clicks the scan was labelled with. */
  clicks: readonly Click[];
}

/** Semantic id → class name of a {@link LabelledScan}'s `semantic` values (0 = `unlabeled`). */
export function semanticClassNames(classNames: readonly string[]): Record<number, string> {
  const names: Record<number, string> = { 0: 'unlabeled' };
  classNames.forEach((name, index) => (names[index + 1] = name));
  return names;
}

/** The scan's own geometry and colours with the predicted `instance` and `semantic` labels (no other attributes). */
export function labelledCloudOf(scan: LabelledScan): PointCloud {
  const { pointCount, positions, colors, normals, intensity } = scan.cloud;
  return { pointCount, positions, colors, normals, intensity, instance: scan.instance, semantic: scan.semantic };
}
