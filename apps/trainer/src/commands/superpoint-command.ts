import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { measureSuperpointCeiling, type SuperpointCeiling } from '@pointclick/metrics';
import { computeSuperpoints } from '@pointclick/sampling';
import { parseCheckpointDocument } from '@pointclick/segmenter';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { appendSyntheticScenes } from '../training/training-provenance.js';

/** Options of {@link runSuperpointReport}. */
export interface SuperpointReportOptions {
  /** Dataset directory. */
  data?: string;
  /** Scene ids of `data` (all when absent). */
  scenes?: string[];
  /** Generated indoor rooms to add, from `syntheticSeed`. */
  syntheticScenes?: number;
  syntheticSeed?: number;
  /** Model directory or run whose `config.superpoints` scale and minimum size are used (flags override). */
  checkpoint?: string;
  /** `computeSuperpoints` scale; overrides the checkpoint's. */
  scale?: number;
  /** `computeSuperpoints` minimum size, points; overrides the checkpoint's. */
  minimumSize?: number;
  /** Smallest object, points, whose ceiling is reported. */
  minimumObjectPoints: number;
  /** Write the report as JSON here. */
  json?: string;
  log: (line: string) => void;
}

/** One scene's row of the report. */
export interface SceneSuperpointReport extends SuperpointCeiling {
  scene: string;
  pointCount: number;
}

const THRESHOLDS = [0.8, 0.85, 0.9] as const;

/**
 * The superpoints the segmenter would compute for each scene, measured against its instances: count, mean
 * size, purity and the IoU ceiling of every object (`measureSuperpointCeiling`) — the most any labelling that
 * gives each superpoint one label (pooling, click constraints) can reach — with the objects that can never reach
 * 80, 85 and 90 %.
 */
export async function runSuperpointReport(options: SuperpointReportOptions): Promise<SceneSuperpointReport[]> {
  const scenes = options.data ? await collectScenes(readDataset(resolve(options.data), options.scenes ? { sceneIds: options.scenes } : {})) : [];
  if (options.data && scenes.length === 0) throw new Error(`no scenes found in ${options.data}`);
  if (options.syntheticScenes) await appendSyntheticScenes(scenes, scenes.map(() => basename(resolve(options.data ?? '.'))), options.syntheticScenes, options.syntheticSeed ?? 800_000);
  if (scenes.length === 0) throw new Error('nothing to measure: give --data and/or --synthetic');
  let stored: { scale?: number; minimumSize?: number } = {};
  if (options.checkpoint) {
    const documentPath = join(await resolveCheckpointSource(options.checkpoint), 'model.json');
    stored = parseCheckpointDocument(await readFile(documentPath, 'utf8'), documentPath).config.superpoints ?? {};
  }
  const scale = options.scale ?? stored.scale;
  const minimumSize = options.minimumSize ?? stored.minimumSize;
  options.log(`superpoints: scale ${scale ?? 'default'}, minimum size ${minimumSize ?? 'default'}; objects of ≥ ${options.minimumObjectPoints} points`);
  options.log(`${'scene'.padEnd(16)}${'points'.padStart(9)}${'superpoints'.padStart(13)}${'mean size'.padStart(11)}${'purity %'.padStart(10)}${'objects'.padStart(9)}${'ceiling %'.padStart(11)}${THRESHOLDS.map((q) => `<${q * 100}`.padStart(6)).join('')}`);
  const reports: SceneSuperpointReport[] = [];
  const format = (name: string, pointCount: number, report: SuperpointCeiling) =>
    `${name.padEnd(16)}${String(pointCount).padStart(9)}${String(report.superpointCount).padStart(13)}${report.meanSuperpointSize.toFixed(1).padStart(11)}` +
    `${(report.purity * 100).toFixed(2).padStart(10)}${String(report.objects.length).padStart(9)}${(report.meanCeiling * 100).toFixed(2).padStart(11)}` +
    THRESHOLDS.map((q) => String(report.objects.filter((entry) => entry.ceiling < q).length).padStart(6)).join('');
  for (const scene of scenes) {
    const { labels } = computeSuperpoints(scene.cloud.positions, { colors: scene.cloud.colors, scale, minimumSize });
    const report = { scene: scene.id, pointCount: scene.cloud.pointCount, ...measureSuperpointCeiling(labels, scene.cloud.instance, { minimumObjectPoints: options.minimumObjectPoints }) };
    reports.push(report);
    options.log(format(scene.id, report.pointCount, report));
  }
  // All scenes: objects pooled; purity over all annotated points, size over all superpoints.
  const objects = reports.flatMap((report) => report.objects);
  const pointCount = reports.reduce((sum, report) => sum + report.pointCount, 0);
  const superpointCount = reports.reduce((sum, report) => sum + report.superpointCount, 0);
  const annotatedPoints = reports.reduce((sum, report) => sum + report.annotatedPoints, 0);
  const purePoints = reports.reduce((sum, report) => sum + report.purity * report.annotatedPoints, 0);
  options.log(
    format('all', pointCount, {
      superpointCount,
      meanSuperpointSize: pointCount / superpointCount,
      purity: annotatedPoints === 0 ? 1 : purePoints / annotatedPoints,
      annotatedPoints,
      objects,
      meanCeiling: objects.length === 0 ? 0 : objects.reduce((sum, entry) => sum + entry.ceiling, 0) / objects.length,
    }),
  );
  if (options.json) {
    await writeFileAtomic(resolve(options.json), `${JSON.stringify({ scale: scale ?? null, minimumSize: minimumSize ?? null, minimumObjectPoints: options.minimumObjectPoints, scenes: reports }, null, 2)}\n`);
    options.log(`wrote ${options.json}`);
  }
  return reports;
}
