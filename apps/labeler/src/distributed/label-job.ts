import type { Click } from '@pointclick/segmenter';

/** The data of one BullMQ job: everything a worker anywhere needs to label one scan (paths must resolve there). */
export interface LabelJobData {
  /** Absolute path of the scan. */
  scanPath: string;
  /** The scan's file name (the key of its clicks). */
  scanName: string;
  /** Its clicks. */
  clicks: Click[];
  /** Absolute path of its output. */
  outputPath: string;
  /** Output format name. */
  format: string;
  /** Redo the scan even when a complete output is there. */
  force: boolean;
  /** Absolute path of the model directory. */
  model: string;
  /** TF.js backend the worker runs the model on (`auto`, `webgpu`, `wasm`, `cpu`). */
  backend: string;
}

/** What a job returns: the scan's outcome. */
export interface LabelJobResult {
  /** `labelled`, or `existing` when a complete output was already there. */
  status: 'labelled' | 'existing';
  /** Points of the scan. */
  pointCount: number;
  /** Objects written, for labelled scans. */
  objectCount?: number;
  /** Where the output is. */
  outputPath: string;
}

/**
 * The BullMQ job id of a scan: its absolute path, with `%` and `:` escaped (BullMQ reserves `:`), so one scan is one
 * job however often it is enqueued.
 */
export function jobIdOfScan(scanPath: string): string {
  return scanPath.replaceAll('%', '%25').replaceAll(':', '%3A');
}
