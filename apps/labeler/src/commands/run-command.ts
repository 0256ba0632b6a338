import { mkdir, readFile } from 'node:fs/promises';
import type { Segmenter } from '@pointclick/segmenter';
import { parseClickFile } from '../labelling/click-file.js';
import { planLabelling, type LabellingPlan, type ScanTask } from '../labelling/labelling-plan.js';
import { outputFormatNamed } from '../labelling/output-formats.js';
import { labelScanFile, type ScanOutcome } from '../labelling/scan-labelling.js';

/** Options shared by `run` and `enqueue`: what to label and where the outputs go. */
export interface LabellingOptions {
  /** The clicks file (JSON). */
  clicks: string;
  /** Output directory. */
  out: string;
  /** Output format name (see `OUTPUT_FORMATS`). */
  format: string;
  /** Redo scans whose output is already there and complete. */
  force?: boolean;
}

/** Receives the progress of a run, one scan at a time. */
export interface LabellingProgress {
  /** Called once, before the first scan, with the number of scans to label. */
  start(scanCount: number): void;
  /** Called after each scan, with its outcome or the error it failed with. */
  finishScan(task: ScanTask, result: { outcome: ScanOutcome } | { error: unknown }): void;
  /** Called once, after the last scan. */
  stop(): void;
}

/** A run's summary. */
export interface LabellingReport {
  /** Scans labelled in this run. */
  labelled: number;
  /** Scans skipped because a complete output was there. */
  existing: number;
  /** Scans skipped because the clicks file has no entry for them. */
  withoutClicks: string[];
  /** Scans that failed, each with the reason. */
  failures: { scanPath: string; message: string }[];
}

/** Reads the clicks file and pairs it with the scans (see {@link planLabelling}). */
export async function readLabellingPlan(options: LabellingOptions, scanPaths: readonly string[]): Promise<LabellingPlan> {
  const format = outputFormatNamed(options.format);
  const clicks = parseClickFile(await readFile(options.clicks, 'utf8'), options.clicks);
  return planLabelling(scanPaths, clicks, options.out, format);
}

/**
 * `pointclick-label run`: labels every scan that has clicks, one after another on this machine. A scan that fails
 * (unreadable, a click outside it) is reported to `progress` and the run goes on; the report lists them.
 */
export async function runLabelling(
  segmenter: Segmenter,
  options: LabellingOptions,
  scanPaths: readonly string[],
  progress: LabellingProgress,
  log: (line: string) => void,
): Promise<LabellingReport> {
  const format = outputFormatNamed(options.format);
  const plan = await readLabellingPlan(options, scanPaths);
  for (const scanPath of plan.scansWithoutClicks) log(`skipping ${scanPath}: the clicks file has no entry for it`);
  if (plan.unmatchedClickEntries.length > 0) {
    const count = plan.unmatchedClickEntries.length;
    log(`${count} ${count === 1 ? 'entry of the clicks file matches' : 'entries of the clicks file match'} no given scan (first: ${plan.unmatchedClickEntries[0]})`);
  }
  await mkdir(options.out, { recursive: true });
  const report: LabellingReport = { labelled: 0, existing: 0, withoutClicks: plan.scansWithoutClicks, failures: [] };
  progress.start(plan.tasks.length);
  try {
    for (const task of plan.tasks) {
      try {
        const outcome = await labelScanFile(segmenter, task, format, options.force ?? false);
        if (outcome.status === 'labelled') report.labelled++;
        else report.existing++;
        progress.finishScan(task, { outcome });
      } catch (error) {
        report.failures.push({ scanPath: task.scanPath, message: error instanceof Error ? error.message : String(error) });
        progress.finishScan(task, { error });
      }
    }
  } finally {
    progress.stop();
  }
  return report;
}

/** The summary lines printed at the end of a run. */
export function formatLabellingReport(report: LabellingReport): string[] {
  const lines = [
    `labelled ${report.labelled}, already complete ${report.existing}, without clicks ${report.withoutClicks.length}, failed ${report.failures.length}`,
  ];
  for (const failure of report.failures) lines.push(`  failed ${failure.scanPath}: ${failure.message}`);
  return lines;
}
