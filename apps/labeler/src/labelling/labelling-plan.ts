import { basename, extname, join, resolve } from 'node:path';
import type { Click } from '@pointclick/segmenter';
import type { ScanClicks } from './click-file.js';
import { LabelRunError } from './labelling-errors.js';
import type { OutputFormat } from './output-formats.js';

/** One scan to label: where it is, its clicks and where its output goes. */
export interface ScanTask {
  /** Absolute path of the scan. */
  scanPath: string;
  /** The scan's file name, the key of its clicks. */
  scanName: string;
  /** The scan's clicks from the clicks file. */
  clicks: Click[];
  /** Absolute path of its output: `<output directory>/<scan name without extension><format extension>`. */
  outputPath: string;
}

/** What a run will do with the scans it is given. */
export interface LabellingPlan {
  /** Scans with clicks, in the order given. */
  tasks: ScanTask[];
  /** Scans given without an entry in the clicks file: skipped. */
  scansWithoutClicks: string[];
  /** Entries of the clicks file that no given scan matches. */
  unmatchedClickEntries: string[];
}

/**
 * Pairs every scan with its clicks (by file name) and its output path.
 *
 * @throws LabelRunError when two scans would write one output (same name without extension), or an output path
 *   is one of the scans (the output directory holds the scans and the format's extension is theirs).
 */
export function planLabelling(scanPaths: readonly string[], clicks: ScanClicks, outputDirectory: string, format: OutputFormat): LabellingPlan {
  const absoluteScans = [...new Set(scanPaths.map((path) => resolve(path)))];
  const scanSet = new Set(absoluteScans);
  const outputs = new Map<string, string>();
  const tasks: ScanTask[] = [];
  const scansWithoutClicks: string[] = [];
  for (const scanPath of absoluteScans) {
    const scanName = basename(scanPath);
    const scanClicks = clicks.get(scanName);
    if (!scanClicks) {
      scansWithoutClicks.push(scanPath);
      continue;
    }
    const outputPath = join(resolve(outputDirectory), `${basename(scanName, extname(scanName))}${format.extension}`);
    const other = outputs.get(outputPath);
    if (other !== undefined) throw new LabelRunError(`${scanPath} and ${other} would both write ${outputPath}; label them into separate --out directories`);
    if (scanSet.has(outputPath)) throw new LabelRunError(`the output of ${scanPath} would overwrite the scan ${outputPath}; choose another --out directory`);
    outputs.set(outputPath, scanPath);
    tasks.push({ scanPath, scanName, clicks: scanClicks, outputPath });
  }
  const givenNames = new Set(absoluteScans.map((path) => basename(path)));
  const unmatchedClickEntries = [...clicks.keys()].filter((name) => !givenNames.has(name));
  return { tasks, scansWithoutClicks, unmatchedClickEntries };
}
