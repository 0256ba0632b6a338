import { checkLabelCounts, checkLabelRange } from '../labels/label-checks.js';
import type { SemanticKittiLabels } from './semantickitti-label-reader.js';

/**
 * Writes a SemanticKITTI `.label` file, the inverse of {@link readSemanticKittiLabels}: one little-endian uint32 per
 * point, `semantic` in the low 16 bits and `instance` in the high 16. Semantic ids are written as given (SemanticKITTI
 * raw ids; convert other label spaces with `convertSemanticIds(…, 'semantickitti')` first).
 *
 * @throws {PointCloudFormatError} (format `'semantickitti-label'`) when the two arrays differ in length, or a
 *   semantic or instance id is not an integer in 0..65535 (the error names the field and the point index).
 */
export function writeSemanticKittiLabels(labels: SemanticKittiLabels): Uint8Array {
  const format = 'semantickitti-label';
  const { semantic, instance } = labels;
  checkLabelCounts(format, semantic.length, { instance });
  checkLabelRange(format, 'semantic', semantic, 0, 0xffff, 'a .label file holds 16 bits');
  checkLabelRange(format, 'instance', instance, 0, 0xffff, 'a .label file holds 16 bits');
  const bytes = new Uint8Array(semantic.length * 4);
  const view = new DataView(bytes.buffer);
  for (let point = 0; point < semantic.length; point++) {
    view.setUint32(point * 4, ((instance[point] << 16) | semantic[point]) >>> 0, true);
  }
  return bytes;
}
