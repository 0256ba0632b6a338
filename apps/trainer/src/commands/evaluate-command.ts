import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { createGeodesicSegmenter, evaluateInteractive, type InteractiveEvaluationResult } from '@pointclick/metrics';
import { DEFAULT_STRUCTURAL_CLASSES, type SeenSceneReport } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { createModelSegmentFunction, toEvaluationScenes } from '../training/validation.js';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { appendSyntheticScenes, checkSeenScenes } from '../training/training-provenance.js';
import { applyInferenceSettings, type InferenceSettings } from './inference-settings.js';
import { evaluateClasses, formatClassReport, type ClassEvaluationReport } from '../training/class-evaluation.js';
import { renderReliabilityPlot } from '../output/reliability-plot.js';

/** Options of {@link runEvaluation}. */
export interface EvaluationOptions extends InferenceSettings {
  /** Checkpoint directory (or its model.json), or a training run directory (its latest checkpoint). */
  checkpoint: string;
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
  /**
   * Several target draws: the protocol runs once per seed (`seed` is then ignored) and the tables are the
   * means over the draws, each draw's own table printed and kept in the JSON (`perSeed`).
   */
  seeds?: number[];
  /** Click budget per object (AGILE3D: 20). */
  clickBudget: number;
  /** Write the JSON table here; AGILE3D logs go beside it. */
  json?: string;
  /** Also run the non-learned baseline (default true); false saves its time when its table is known. */
  baseline?: boolean;
  /**
   * Per-object class accuracy and calibration (`evaluateClasses`): `'on'` (default) after the AGILE3D
   * protocol, `'off'`, or `'only'` (no AGILE3D protocol, no baseline).
   */
  classes?: 'on' | 'off' | 'only';
  /** Clicks per object at which classes are scored. Default [1, 3, 5]. */
  classClicks?: number[];
  /** Objects with fewer points are not class targets. Default 300. */
  classMinimumPoints?: number;
  /**
   * Fail with a `SeenSceneError` when a scene was seen in training (ScanNet ids by room) or the checkpoint's
   * training data is unknown. Default false: every scene's status is printed, nothing fails.
   */
  requireUnseen?: boolean;
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

/** The entry-by-entry mean of tables of the same shape (several target draws of one protocol). */
export function meanTable(tables: readonly MethodTable[]): MethodTable {
  const mean = (valueOf: (table: MethodTable) => number) => tables.reduce((sum, table) => sum + valueOf(table), 0) / tables.length;
  const meanRecord = (recordOf: (table: MethodTable) => Record<string, number>) =>
    Object.fromEntries(Object.keys(recordOf(tables[0])).map((key) => [key, mean((table) => recordOf(table)[key])]));
  return {
    iouAt: meanRecord((table) => table.iouAt),
    nocAt: meanRecord((table) => table.nocAt),
    mAP: mean((table) => table.mAP),
    mAP25: mean((table) => table.mAP25),
    mAP50: mean((table) => table.mAP50),
  };
}

/** Formats the model's table, with the baseline's beside it when there is one. */
export function formatComparison(model: MethodTable, baseline: MethodTable | undefined): string {
  const rows: Array<[string, (table: MethodTable) => number]> = [
    ...Object.keys(model.iouAt).map((key): [string, (table: MethodTable) => number] => [`IoU@${key}`, (table) => table.iouAt[key]]),
    ...Object.keys(model.nocAt).map((key): [string, (table: MethodTable) => number] => [`NoC@${key}`, (table) => table.nocAt[key]]),
    ['mAP@25 (5 clicks)', (table) => table.mAP25],
    ['mAP@50 (5 clicks)', (table) => table.mAP50],
    ['mAP (5 clicks)', (table) => table.mAP],
  ];
  const tables = baseline ? [model, baseline] : [model];
  const lines = [`${'metric'.padEnd(20)}${'model'.padStart(10)}${baseline ? 'baseline'.padStart(10) : ''}`];
  for (const [name, valueOf] of rows) lines.push(`${name.padEnd(20)}${tables.map((table) => valueOf(table).toFixed(2).padStart(10)).join('')}`);
  return lines.join('\n');
}

/**
 * Runs AGILE3D's multi-object protocol on every scene of a dataset directory for the checkpoint and for the
 * non-learned geodesic baseline, with the same targets and click rules, and reports both tables. First it
 * compares the scenes with the checkpoint's training-data provenance and prints one line per scene
 * (`seenInTraining` in the JSON); `requireUnseen` makes a seen or unknown scene an error.
 */
export async function runEvaluation(
  options: EvaluationOptions,
): Promise<{ model?: MethodTable; baseline?: MethodTable; classes?: ClassEvaluationReport; seenInTraining: SeenSceneReport[] }> {
  const scenes = options.data ? await collectScenes(readDataset(resolve(options.data), options.scenes ? { sceneIds: options.scenes } : {})) : [];
  if (options.data && scenes.length === 0) throw new Error(`no scenes found in ${options.data}`);
  const datasets = scenes.map(() => basename(resolve(options.data ?? '.')));
  if (options.syntheticScenes) await appendSyntheticScenes(scenes, datasets, options.syntheticScenes, options.syntheticSeed ?? 800_000);
  if (scenes.length === 0) throw new Error('nothing to evaluate: give --data and/or --synthetic');
  options.log(`evaluating on ${scenes.length} scene(s): ${scenes.map((scene) => scene.id).join(', ')}`);
  const evaluationScenes = toEvaluationScenes(scenes);
  const protocol = { seed: options.seed, targetCount: options.targetObjects, maxClicksPerObject: options.clickBudget };

  const segmenter = await loadSegmenter(await resolveCheckpointSource(options.checkpoint));
  let seenInTraining: SeenSceneReport[];
  try {
    const read = scenes.map((scene, index) => ({ dataset: datasets[index], id: scene.id }));
    seenInTraining = checkSeenScenes(segmenter.model.config.provenance, read, { checkpoint: options.checkpoint, requireUnseen: options.requireUnseen, log: options.log });
  } catch (error) {
    segmenter.dispose();
    throw error;
  }
  applyInferenceSettings(segmenter.model.config, options);
  const settings = segmenter.superpointSettings;
  const graph = segmenter.model.geodesicGraph;
  options.log(
    `superpoints: click constraints ${settings.clickConstraints ? 'on' : 'off'}, pooling ${settings.pooling ? `on${settings.voxelLogitWeight ? ` (voxel logit weight ${settings.voxelLogitWeight} from ${settings.voxelLogitClicks ?? 1} clicks)` : ''}${settings.smoothing ? `, smoothing β ${settings.smoothing}` : ''}` : 'off'}` +
      ` (scale ${settings.scale ?? 'default'}, minimum size ${settings.minimumSize ?? 'default'}); input scale ${segmenter.model.config.inputScale ?? 1}` +
      (graph.scaledSceneLimit !== undefined ? ` (geodesic cap ${graph.scaledSceneLimit} m on enlarged scenes)` : '') +
      (graph.flatEdgeFactor !== 1 ? `; geodesic flat edge factor ${graph.flatEdgeFactor}` : '') +
      `; click adaptation ${segmenter.model.config.clickAdaptation ? `λ ${segmenter.model.config.clickAdaptation.regularization}` : 'off'}` +
      ((segmenter.model.config.testTimeRotations ?? 1) > 1 ? `; test-time rotations ${segmenter.model.config.testTimeRotations}` : '') +
      (segmenter.model.config.correctionReach ? `; correction reach ×${segmenter.model.config.correctionReach.factor} per later click, bounded by ×${segmenter.model.config.correctionReach.limit ?? segmenter.model.config.correctionReach.factor}` : '') +
      (segmenter.model.config.structuralReach ? `; structural reach: last-stage geodesic gain × ${segmenter.model.config.structuralReach.factor} for ${(segmenter.model.config.structuralReach.classes ?? DEFAULT_STRUCTURAL_CLASSES).join('/')}` : ''),
  );
  const started = performance.now();
  let classes: ClassEvaluationReport | undefined;
  if (options.classes !== 'off') {
    const classStageCount = segmenter.model.config.classStageCount ?? 1;
    options.log(
      `class evaluation (${classStageCount > 1 ? `mean of the last ${classStageCount} stages' class logits, ` : ''}temperature ${segmenter.model.config.calibration?.temperature ?? 1}${segmenter.model.config.calibration?.classBias ? ', class-prior bias' : ''}):`,
    );
    classes = await evaluateClasses(segmenter.model, scenes, {
      clickCounts: options.classClicks,
      minimumObjectPoints: options.classMinimumPoints,
      onProgress: (scene, objectCount) => options.log(`  classes: ${scene} done, ${objectCount} objects (${((performance.now() - started) / 1000).toFixed(1)} s)`),
    });
    options.log(formatClassReport(classes));
  }
  if (options.classes === 'only') {
    segmenter.dispose();
    if (options.json) await writeClassFiles(resolve(options.json), { scenes: scenes.map((scene) => scene.id), seenInTraining }, classes!, options.log);
    return { classes, seenInTraining };
  }
  const seeds = options.seeds && options.seeds.length > 0 ? options.seeds : [options.seed];
  const { segment, release } = createModelSegmentFunction(segmenter.model, scenes);
  const draws: { seed: number; modelResult: InteractiveEvaluationResult; baselineResult?: InteractiveEvaluationResult; model: MethodTable; baseline?: MethodTable }[] = [];
  try {
    for (const seed of seeds) {
      const drawProtocol = { ...protocol, seed };
      const label = seeds.length > 1 ? ` (seed ${seed})` : '';
      const modelResult = await evaluateInteractive(evaluationScenes, segment, {
        ...drawProtocol,
        onProgress: (scene) => options.log(`  model${label}: ${scene} done (${((performance.now() - started) / 1000).toFixed(1)} s)`),
      });
      const baselineResult =
        options.baseline === false ? undefined : await evaluateInteractive(evaluationScenes, createGeodesicSegmenter(), { ...drawProtocol, targetIds: Object.fromEntries(modelResult.targets) });
      const draw = { seed, modelResult, baselineResult, model: tableOf(modelResult), baseline: baselineResult ? tableOf(baselineResult) : undefined };
      draws.push(draw);
      if (seeds.length > 1) options.log(`seed ${seed}:\n${formatComparison(draw.model, draw.baseline)}`);
    }
  } finally {
    release();
    segmenter.dispose();
  }
  const perSeed = draws.map(({ seed, model, baseline }) => ({ seed, model, baseline }));
  const model = meanTable(draws.map((draw) => draw.model));
  const baseline = draws[0].baseline ? meanTable(draws.map((draw) => draw.baseline!)) : undefined;
  if (seeds.length > 1) options.log(`mean over seeds ${seeds.join(', ')}:`);
  options.log(formatComparison(model, baseline));
  if (!baseline) options.log('(baseline not run: --baseline off)');
  if (options.json) {
    const jsonPath = resolve(options.json);
    const document = {
      model,
      baseline,
      ...(seeds.length > 1 ? { perSeed } : {}),
      scenes: scenes.map((scene) => scene.id),
      seenInTraining,
      protocol: seeds.length > 1 ? { ...protocol, seed: undefined, seeds } : protocol,
    };
    if (classes) await writeClassFiles(jsonPath, document, classes, options.log);
    else {
      await mkdir(dirname(jsonPath), { recursive: true });
      await writeFileAtomic(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
    }
    // One log per draw: AGILE3D's evaluator reads one protocol run per file.
    for (const { seed, modelResult, baselineResult } of draws) {
      const suffix = seeds.length > 1 ? `-seed${seed}` : '';
      await writeFile(join(dirname(jsonPath), `agile3d-model${suffix}.log`), `${modelResult.logText}\n`);
      if (baselineResult) await writeFile(join(dirname(jsonPath), `agile3d-baseline${suffix}.log`), `${baselineResult.logText}\n`);
    }
    options.log(`wrote ${jsonPath} and AGILE3D logs beside it`);
  }
  return { model, baseline, classes, seenInTraining };
}

/** File name of the reliability diagram written beside the JSON tables. */
export const RELIABILITY_PLOT_FILE = 'class-reliability.svg';

/**
 * Writes `document` with the class report under `classes` (figures, per-class table, every prediction) to
 * `jsonPath`, and the reliability diagram of the first click count beside it.
 */
async function writeClassFiles(jsonPath: string, document: object, classes: ClassEvaluationReport, log: (line: string) => void): Promise<void> {
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFileAtomic(jsonPath, `${JSON.stringify({ ...document, classes }, null, 2)}\n`);
  const [firstCount, figures] = Object.entries(classes.figuresAt)[0];
  const plotPath = join(dirname(jsonPath), RELIABILITY_PLOT_FILE);
  await writeFileAtomic(plotPath, renderReliabilityPlot(figures.calibration, `class confidence, ${firstCount} click(s) per object`));
  log(`wrote ${jsonPath} and the reliability plot ${plotPath}`);
}
