import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { createGeodesicSegmenter, evaluateInteractive, type InteractiveEvaluationResult } from '@pointclick/metrics';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { createModelSegmentFunction, toEvaluationScenes } from '../training/validation.js';
import { loadLabeledScenes } from '../training/training-data.js';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';

/** Options of {@link runEvaluation}. */
export interface EvaluationOptions {
  /** Checkpoint directory (or its model.json), or a training run directory (its latest checkpoint). */
  checkpoint: string;
  /** Overrides the checkpoint's `objectThreshold` (sigmoid probability an object needs to claim a point). */
  objectThreshold?: number;
  /** Overrides the checkpoint's `localityGain` (click locality at grouping, logits per metre; 0 = off). */
  localityGain?: number;
  /** Overrides the checkpoint's superpoint settings field by field (undefined fields keep the checkpoint's). */
  superpoints?: { clickConstraints?: boolean; pooling?: boolean; scale?: number; minimumSize?: number };
  /** Overrides the checkpoint's input scale (a factor, or 'auto'). */
  inputScale?: number | 'auto';
  /** Dataset directory in any layout the datasets package detects; absent: only synthetic rooms. */
  data?: string;
  /** Also (or only) evaluate on this many generated indoor rooms, seeds `syntheticSeed`, `syntheticSeed + 1`, … */
  syntheticScenes?: number;
  /** Seed of the first generated room (use seeds no training run used). Default 800000. */
  syntheticSeed?: number;
  /** Only these scene ids. */
  scenes?: string[];
  /** Target objects per scene (AGILE3D: 1–10). */
  targetObjects: number;
  /** Seed of target selection. */
  seed: number;
  /** Click budget per object (AGILE3D: 20). */
  clickBudget: number;
  /** Write the JSON table here; AGILE3D logs go beside it. */
  json?: string;
  /** Also run the non-learned baseline (default true); false saves its time when its table is known. */
  baseline?: boolean;
  /** Progress output. */
  log: (line: string) => void;
}

/** The table of one method, as written to the JSON file. */
export interface MethodTable {
  iouAt: Record<string, number>;
  nocAt: Record<string, number>;
  mAP: number;
  mAP25: number;
  mAP50: number;
}

function tableOf(result: InteractiveEvaluationResult): MethodTable {
  const precision = result.averagePrecisionAt[5] ?? result.averagePrecisionAt[1];
  return {
    iouAt: Object.fromEntries(Object.entries(result.summary.iouAt).map(([key, value]) => [key, value])),
    nocAt: Object.fromEntries(Object.entries(result.summary.nocAt).map(([key, value]) => [key, value])),
    mAP: precision.averagePrecision * 100,
    mAP25: precision.averagePrecision25 * 100,
    mAP50: precision.averagePrecision50 * 100,
  };
}

/** The fields of `record` that are not undefined. */
export function definedFields<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Formats the model's and the baseline's tables side by side. */
export function formatComparison(model: MethodTable, baseline: MethodTable | undefined): string {
  if (!baseline) return formatComparison(model, model).replace(/^(.{20}.{10}).*$/gm, '$1');
  const rows: Array<[string, number, number]> = [
    ...Object.keys(model.iouAt).map((key): [string, number, number] => [`IoU@${key}`, model.iouAt[key], baseline.iouAt[key]]),
    ...Object.keys(model.nocAt).map((key): [string, number, number] => [`NoC@${key}`, model.nocAt[key], baseline.nocAt[key]]),
    ['mAP@25 (5 clicks)', model.mAP25, baseline.mAP25],
    ['mAP@50 (5 clicks)', model.mAP50, baseline.mAP50],
    ['mAP (5 clicks)', model.mAP, baseline.mAP],
  ];
  const lines = [`${'metric'.padEnd(20)}${'model'.padStart(10)}${'baseline'.padStart(10)}`];
  for (const [name, ours, theirs] of rows) lines.push(`${name.padEnd(20)}${ours.toFixed(2).padStart(10)}${theirs.toFixed(2).padStart(10)}`);
  return lines.join('\n');
}

/**
 * Runs AGILE3D's multi-object protocol on every scene of a dataset directory for the checkpoint and for the
 * non-learned geodesic baseline, with the same targets and click rules, and reports both tables.
 */
export async function runEvaluation(options: EvaluationOptions): Promise<{ model: MethodTable; baseline?: MethodTable }> {
  const scenes = options.data ? await collectScenes(readDataset(resolve(options.data), options.scenes ? { sceneIds: options.scenes } : {})) : [];
  if (options.data && scenes.length === 0) throw new Error(`no scenes found in ${options.data}`);
  if (options.syntheticScenes) {
    scenes.push(...(await loadLabeledScenes([{ kind: 'synthetic-indoor', sceneCount: options.syntheticScenes, seed: options.syntheticSeed ?? 800_000 }])));
  }
  if (scenes.length === 0) throw new Error('nothing to evaluate: give --data and/or --synthetic');
  options.log(`evaluating on ${scenes.length} scene(s): ${scenes.map((scene) => scene.id).join(', ')}`);
  const evaluationScenes = toEvaluationScenes(scenes);
  const protocol = { seed: options.seed, targetCount: options.targetObjects, maxClicksPerObject: options.clickBudget };

  const segmenter = await loadSegmenter(await resolveCheckpointSource(options.checkpoint));
  if (options.objectThreshold !== undefined) segmenter.model.config.objectThreshold = options.objectThreshold;
  if (options.localityGain !== undefined) segmenter.model.config.localityGain = options.localityGain;
  if (options.inputScale !== undefined) segmenter.model.config.inputScale = options.inputScale;
  segmenter.model.config.superpoints = { ...segmenter.model.config.superpoints, ...definedFields(options.superpoints ?? {}) };
  const settings = segmenter.superpointSettings;
  options.log(
    `superpoints: click constraints ${settings.clickConstraints ? 'on' : 'off'}, pooling ${settings.pooling ? 'on' : 'off'}` +
      ` (scale ${settings.scale ?? 'default'}, minimum size ${settings.minimumSize ?? 'default'}); input scale ${segmenter.model.config.inputScale ?? 1}`,
  );
  const { segment, release } = createModelSegmentFunction(segmenter.model, scenes);
  const started = performance.now();
  const modelResult = await evaluateInteractive(evaluationScenes, segment, {
    ...protocol,
    onProgress: (scene) => options.log(`  model: ${scene} done (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  });
  release();
  segmenter.dispose();
  const baselineResult =
    options.baseline === false
      ? undefined
      : await evaluateInteractive(evaluationScenes, createGeodesicSegmenter(), {
          ...protocol,
          targetIds: Object.fromEntries(modelResult.targets),
        });
  const model = tableOf(modelResult);
  const baseline = baselineResult ? tableOf(baselineResult) : undefined;
  options.log(formatComparison(model, baseline));
  if (!baseline) options.log('(baseline not run: --baseline off)');
  if (options.json) {
    const jsonPath = resolve(options.json);
    await mkdir(dirname(jsonPath), { recursive: true });
    await writeFileAtomic(jsonPath, `${JSON.stringify({ model, baseline, scenes: scenes.map((scene) => scene.id), protocol }, null, 2)}\n`);
    await writeFile(join(dirname(jsonPath), 'agile3d-model.log'), `${modelResult.logText}\n`);
    if (baselineResult) await writeFile(join(dirname(jsonPath), 'agile3d-baseline.log'), `${baselineResult.logText}\n`);
    options.log(`wrote ${jsonPath} and AGILE3D logs beside it`);
  }
  return { model, baseline };
}
