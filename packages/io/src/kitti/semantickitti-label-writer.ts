import { checkLabelCounts, checkLabelRange } from '../labels/label-checks.js';
import { chunkRecords, type ChunkedFile, type ChunkedWriteOptions } from '../core/chunked-file.js';
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
  checkSemanticKittiLabels(labels);
  const bytes = new Uint8Array(labels.semantic.length * 4);
  writeLabelWords(labels, 0, labels.semantic.length, bytes);
  return bytes;
}

/**
 * {@link writeSemanticKittiLabels} in pieces of about `options.chunkBytes` (whole points), byte for byte the same
 * file, without a buffer of the whole file. Every check runs before this returns, with the same errors.
 */
export function writeSemanticKittiLabelChunks(labels: SemanticKittiLabels, options: ChunkedWriteOptions = {}): ChunkedFile {
  checkSemanticKittiLabels(labels);
  return chunkRecords(FORMAT, new Uint8Array(0), labels.semantic.length, 4, options, (first, end, target) => writeLabelWords(labels, first, end, target));
}

const FORMAT = 'semantickitti-label';

function checkSemanticKittiLabels({ semantic, instance }: SemanticKittiLabels): void {
  checkLabelCounts(FORMAT, semantic.length, { instance });
  checkLabelRange(FORMAT, 'semantic', semantic, 0, 0xffff, 'a .label file holds 16 bits');
  checkLabelRange(FORMAT, 'instance', instance, 0, 0xffff, 'a .label file holds 16 bits');
}

/** Writes the words of points `first`…`end − 1` into `target` from its byte 0. */
function writeLabelWords({ semantic, instance }: SemanticKittiLabels, first: number, end: number, target: Uint8Array): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  for (let point = first, byte = 0; point < end; point++, byte += 4) {
    view.setUint32(byte, ((instance[point] << 16) | semantic[point]) >>> 0, true);
  }
}
