import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PointCloud } from '@pointclick/io';
import { readPointCloudFile, writeFileAtomic } from '@pointclick/io/node';
import type { Segmenter } from '@pointclick/segmenter';
import type { LabelledScan } from './labelled-scan.js';
import type { ScanTask } from './labelling-plan.js';
import type { OutputFormat } from './output-formats.js';

/** What became of one scan. */
export type ScanOutcome =
  | {
      /** The scan was labelled and its output written. */
      status: 'labelled';
      /** Points of the scan. */
      pointCount: number;
      /** Objects the clicks produced. */
      objectCount: number;
      /** Wall-clock time of reading, segmenting and writing, in milliseconds. */
      milliseconds: number;
      /** Whether an incomplete output was there before and has been replaced. */
      replacedIncomplete: boolean;
    }
  | {
      /** A complete output was there already (and `force` was off): nothing was done. */
      status: 'existing';
      /** Points of the scan. */
      pointCount: number;
    };

/** Labels `cloud` with `task`'s clicks. Inference is deterministic: the same scan, clicks and backend give the same labels. */
export function labelCloud(segmenter: Segmenter, cloud: PointCloud, task: Pick<ScanTask, 'scanName' | 'clicks'>): LabelledScan {
  segmenter.setScene(cloud);
  const result = segmenter.segment(task.clicks);
  const semanticOfObject = new Map(result.objects.map((object) => [object.objectId, object.classIndex + 1]));
  const semantic = Int32Array.from(result.instance, (objectId) => (objectId > 0 ? (semanticOfObject.get(objectId) ?? 0) : 0));
  return { scanName: task.scanName, cloud, instance: result.instance, semantic, objects: result.objects, classNames: segmenter.classNames, clicks: task.clicks };
}

/**
 * Reads the scan, labels it and writes its output atomically (a temporary file renamed over the output), so a
 * crash or a second worker on the same scan never leaves a torn file. A complete existing output is kept unless
 * `force` is set.
 *
 * @throws whatever reading the scan (`PointCloudFormatError`), segmenting it (`SegmenterInputError`, e.g. a
 *   pointIndex outside the scan) or writing the output throws.
 */
export async function labelScanFile(segmenter: Segmenter, task: ScanTask, format: OutputFormat, force: boolean): Promise<ScanOutcome> {
  const start = performance.now();
  const cloud = await readPointCloudFile(task.scanPath);
  const existing = await readFile(task.outputPath).catch(() => undefined);
  const existingComplete = existing !== undefined && (await format.isComplete(new Uint8Array(existing), cloud.pointCount));
  if (existingComplete && !force) return { status: 'existing', pointCount: cloud.pointCount };
  const labelled = labelCloud(segmenter, cloud, task);
  await mkdir(dirname(task.outputPath), { recursive: true });
  await writeFileAtomic(task.outputPath, format.encode(labelled));
  return {
    status: 'labelled',
    pointCount: cloud.pointCount,
    objectCount: labelled.objects.length,
    milliseconds: performance.now() - start,
    replacedIncomplete: existing !== undefined && !existingComplete,
  };
}
