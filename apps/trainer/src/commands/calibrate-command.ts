import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import * as tf from '@tensorflow/tfjs-core';
import type { LabeledScene } from '@pointclick/datasets';
import { computeCalibration, computeNegativeLogLikelihood, estimateCalibrationNoise, fitTemperature, type ClassPrediction } from '@pointclick/metrics';
import { calibrateClassLogits, parseCheckpointDocument, type ClassCalibration, type TrainingProvenance } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { appendSyntheticScenes, checkSeenScenes } from '../training/training-provenance.js';
import { loadLabeledScenes } from '../training/training-data.js';
import { evaluateClasses } from '../training/class-evaluation.js';
import { computeLogitAdjustment, countClassInstances, type ClassPrior } from '../training/class-prior.js';

/** Options of {@link runCalibration}. */
export interface CalibrationOptions {
  /** Checkpoint directory (or its model.json), or a run directory (its latest checkpoint); its model.json is rewritten. */
  checkpoint: string;
  /** Dataset directory of the selection scenes; absent: only generated rooms (`syntheticScenes`). */
  data?: string;
  /** Selection scene ids of `data` (never the evaluation scenes). */
  scenes?: string[];
  /**
   * Also (or only) fit on this many generated indoor rooms (seeds `syntheticSeed`, `syntheticSeed + 1`, …): labelled
   * rooms that a lineage never trained on when their seeds lie outside its training seeds — the clean choice when the
   * real selection rooms were trained on.
   */
  syntheticScenes?: number;
  /** First seed of the generated rooms. Default 900000 (the selection seeds; 800000… are the evaluation rooms). */
  syntheticSeed?: number;
  /** Objects with fewer points are not fitted on. Default 300. */
  minimumObjectPoints?: number;
  /** Fit and report, but leave the checkpoint as it is. */
  dryRun?: boolean;
  /** Dataset directory whose instances give the class prior of the logit adjustment (the training rooms). */
  priorData?: string;
  /** Scene ids of `priorData` left out of the prior (evaluation rooms); the selection `scenes` are always left out. */
  priorExclude?: string[];
  /**
   * Data root under which the checkpoint's recorded training data lies (`config.provenance`): the class prior is
   * counted over exactly those scenes (`<priorProvenance>/<dataset>`, only the recorded scene ids) and generated
   * rooms (regenerated from their recorded seeds), less `priorExclude` and the selection `scenes`. Instead of `priorData`.
   */
  priorProvenance?: string;
  /** Logit adjustment strength τ ≥ 0 (bias −τ·ln p_c); 0 (default) writes no bias. Needs `priorData` or `priorProvenance` when > 0. */
  priorStrength?: number;
  /** Fail with a `SeenSceneError` when a selection scene was trained on (ScanNet ids by room) or that is unknown. */
  requireUnseen?: boolean;
  /** Progress output. */
  log: (line: string) => void;
}

/** What {@link runCalibration} found. */
export interface CalibrationResult {
  /** The fitted temperature (rounded to 4 significant digits, as written). */
  temperature: number;
  /** The class bias written (rounded to 4 decimals), when the prior strength is > 0. */
  classBias?: number[];
  /** The class prior counted from `priorData`, when given. */
  prior?: ClassPrior;
  /** Objects fitted on. */
  objectCount: number;
  /** Negative log-likelihood and expected calibration error (15 bins) of the shown class at temperature 1 (no bias) and after. */
  before: { negativeLogLikelihood: number; expectedCalibrationError: number };
  after: { negativeLogLikelihood: number; expectedCalibrationError: number };
  /** The model.json written (absent on a dry run). */
  written?: string;
}

/** Yields the scenes of `directory` whose ids are not in `excluded` (left-out scenes are never kept). */
async function* readScenesExcept(directory: string, excluded: ReadonlySet<string>): AsyncGenerator<LabeledScene> {
  for await (const scene of readDataset(directory)) if (!excluded.has(scene.id)) yield scene;
}

/**
 * Yields the training scenes a provenance record lists, less `excluded`: recorded scene ids from
 * `<dataRoot>/<dataset>`, generated rooms (`synthetic-indoor`, `synthetic-outdoor`) regenerated from their seeds.
 * @throws Error naming the checkpoint when the provenance is absent or incomplete, and naming the folder and the
 *   scene ids when recorded scenes are not found there.
 */
export async function* readProvenanceScenes(provenance: TrainingProvenance | undefined, dataRoot: string, excluded: ReadonlySet<string>, checkpoint: string): AsyncGenerator<LabeledScene> {
  if (!provenance) throw new Error(`calibrate --prior-provenance: ${checkpoint} records no training data (config.provenance absent); give the training rooms with --prior-data`);
  if (provenance.unknownSources?.length) {
    throw new Error(`calibrate --prior-provenance: ${checkpoint} also trained on data it does not record (${provenance.unknownSources.join(', ')}); give the training rooms with --prior-data`);
  }
  for (const record of provenance.trainedOn) {
    if ('seeds' in record) {
      if (record.dataset !== 'synthetic-indoor' && record.dataset !== 'synthetic-outdoor') {
        throw new Error(`calibrate --prior-provenance: ${checkpoint} records seeds ${record.seeds.first}–${record.seeds.last} of '${record.dataset}', which is not a generator this tool knows (synthetic-indoor, synthetic-outdoor)`);
      }
      for (let seed = record.seeds.first; seed <= record.seeds.last; seed++) {
        const [scene] = await loadLabeledScenes([{ kind: record.dataset, sceneCount: 1, seed }]);
        if (!excluded.has(scene.id)) yield scene;
      }
      continue;
    }
    const directory = join(dataRoot, record.dataset);
    const wanted = record.scenes.filter((id) => !excluded.has(id));
    if (wanted.length === 0) continue;
    const found = new Set<string>();
    for await (const scene of readDataset(directory, { sceneIds: wanted })) {
      found.add(scene.id);
      yield scene;
    }
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length > 0) throw new Error(`calibrate --prior-provenance: training scene(s) ${missing.join(', ')} of ${checkpoint}'s provenance not found in ${directory}`);
  }
}

/** The predictions with their probabilities recomputed under `calibration` (records hold the raw probabilities). */
function calibratePredictions(records: readonly ClassPrediction[], calibration: ClassCalibration): ClassPrediction[] {
  // log p = z − logsumexp(z): the raw logits up to a per-object shift, which the softmax ignores.
  const probabilities = tf.tidy(() => {
    const logits = tf.log(tf.maximum(tf.tensor2d(records.map((record) => Array.from(record.probabilities))), 1e-12)); // [objectCount, classCount]
    return tf.softmax(calibrateClassLogits(logits, calibration)).arraySync() as number[][];
  });
  return records.map((record, index) => ({ trueClass: record.trueClass, probabilities: probabilities[index] }));
}

/**
 * Calibration of the class head fitted on selection scenes. With a prior strength τ > 0 the class bias of the
 * post-hoc logit adjustment (`computeLogitAdjustment`) is computed first from the instances of `priorData` (or of
 * the training data the checkpoint records, `priorProvenance`)
 * (less `priorExclude` and the selection scenes); then every object of at least `minimumObjectPoints` points
 * of the selection scenes is clicked once near its middle (as `eval`'s class protocol), the raw class
 * probabilities are recorded, the temperature minimising their negative log-likelihood with the bias applied
 * is found, and both are written into the checkpoint's config as `calibration: { temperature, classBias }`
 * (weights untouched).
 */
export async function runCalibration(options: CalibrationOptions): Promise<CalibrationResult> {
  const sceneIds = options.scenes ?? [];
  if (options.data === undefined && sceneIds.length > 0) throw new Error('calibrate: --scenes needs the dataset directory with --data');
  if (options.data !== undefined && sceneIds.length === 0) throw new Error('calibrate: give the selection scenes of --data with --scenes');
  if (sceneIds.length === 0 && !options.syntheticScenes) throw new Error('calibrate: give selection scenes (--data and --scenes) and/or generated rooms (--synthetic)');
  const strength = options.priorStrength ?? 0;
  if (!(strength >= 0 && Number.isFinite(strength))) throw new Error(`calibrate: --prior-strength must be a finite number ≥ 0, got ${strength}`);
  if (options.priorData !== undefined && options.priorProvenance !== undefined) throw new Error('calibrate: give the class prior\'s training data with --prior-data or --prior-provenance, not both');
  const priorSource = options.priorData ?? options.priorProvenance;
  if (strength > 0 && priorSource === undefined) throw new Error('calibrate: --prior-strength > 0 needs the training data, with --prior-data or --prior-provenance');
  const scenes = options.data === undefined ? [] : await collectScenes(readDataset(resolve(options.data), { sceneIds }));
  const missing = sceneIds.filter((id) => !scenes.some((scene) => scene.id === id));
  if (missing.length > 0) throw new Error(`calibrate: scene(s) ${missing.join(', ')} not found in ${options.data}`);
  const datasets = scenes.map(() => basename(resolve(options.data ?? '.')));
  if (options.syntheticScenes) await appendSyntheticScenes(scenes, datasets, options.syntheticScenes, options.syntheticSeed ?? 900_000);
  const source = await resolveCheckpointSource(options.checkpoint);
  const segmenter = await loadSegmenter(source);
  try {
    const read = scenes.map((scene, index) => ({ dataset: datasets[index], id: scene.id }));
    checkSeenScenes(segmenter.model.config.provenance, read, { checkpoint: options.checkpoint, requireUnseen: options.requireUnseen, log: options.log });
  } catch (error) {
    segmenter.dispose();
    throw error;
  }
  const classNames = segmenter.model.config.classNames;
  const minimumObjectPoints = options.minimumObjectPoints ?? 300;
  let prior: ClassPrior | undefined;
  let classBias: number[] | undefined;
  if (priorSource !== undefined) {
    const excluded = new Set([...(options.priorExclude ?? []), ...sceneIds]);
    const priorScenes = options.priorProvenance !== undefined
      ? readProvenanceScenes(segmenter.model.config.provenance, resolve(options.priorProvenance), excluded, options.checkpoint)
      : readScenesExcept(resolve(priorSource), excluded);
    try {
      prior = await countClassInstances(priorScenes, classNames.length, minimumObjectPoints);
    } catch (error) {
      segmenter.dispose();
      throw error;
    }
    const described = options.priorProvenance !== undefined ? `the training data ${options.checkpoint} records (under ${options.priorProvenance})` : options.priorData;
    if (prior.total === 0) {
      segmenter.dispose();
      throw new Error(`calibrate: no instance of ≥ ${minimumObjectPoints} points with a known class in ${described} (less ${[...excluded].join(', ')})`);
    }
    const counted = prior.counts.map((count, index) => [classNames[index], count] as const).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
    options.log(`class prior: ${prior.total} instances in ${prior.sceneIds.length} scenes (${prior.sceneIds.join(', ')})`);
    options.log(`  ${counted.map(([name, count]) => `${name} ${count}`).join(', ')}; ${classNames.length - counted.length} classes with none`);
    if (strength > 0) {
      classBias = computeLogitAdjustment(prior.counts, strength).map((value) => Number(value.toFixed(4)));
      const shown = classNames.map((name, index) => `${name} ${classBias![index].toFixed(2)}`);
      options.log(`class bias (τ ${strength}, logits, mean 0): ${shown.join(', ')}`);
    }
  }
  // Fitted on the raw logits: any calibration already stored is set aside while measuring.
  delete segmenter.model.config.calibration;
  options.log(`fitting the class temperature${classBias ? ' with the class bias applied' : ''} on ${scenes.map((scene) => scene.id).join(', ')}`);
  const report = await evaluateClasses(segmenter.model, scenes, {
    clickCounts: [1],
    minimumObjectPoints,
    onProgress: (scene, objectCount) => options.log(`  ${scene}: ${objectCount} objects`),
  });
  segmenter.dispose();
  const records = report.records;
  const temperature = Number(fitTemperature(records, { classBias }).toPrecision(4));
  const calibration: ClassCalibration = classBias ? { temperature, classBias } : { temperature };
  const figures = (applied: ClassCalibration) => ({
    negativeLogLikelihood: computeNegativeLogLikelihood(records, applied.temperature, applied.classBias),
    expectedCalibrationError: computeCalibration(calibratePredictions(records, applied)).expectedCalibrationError,
  });
  const result: CalibrationResult = { temperature, classBias, prior, objectCount: records.length, before: figures({ temperature: 1 }), after: figures(calibration) };
  options.log(
    `temperature ${temperature}${classBias ? ' with the class bias' : ''} on ${records.length} objects: NLL ${result.before.negativeLogLikelihood.toFixed(3)} → ${result.after.negativeLogLikelihood.toFixed(3)}, ` +
      `ECE ${result.before.expectedCalibrationError.toFixed(3)} → ${result.after.expectedCalibrationError.toFixed(3)}`,
  );
  const noise = estimateCalibrationNoise(calibratePredictions(records, calibration));
  options.log(
    `  a head calibrated exactly, with the fitted confidences, would score ECE ${noise.median.toFixed(3)} (5–95 %: ${noise.lower.toFixed(3)}–${noise.upper.toFixed(3)}) on these ${records.length} objects`,
  );
  if (options.dryRun) return result;
  const documentPath = join(source, 'model.json');
  // Checked as a checkpoint, but written back field for field as read, with only the calibration changed.
  const text = await readFile(documentPath, 'utf8');
  parseCheckpointDocument(text, documentPath);
  const document = JSON.parse(text) as { config: Record<string, unknown> };
  document.config.calibration = calibration;
  await writeFileAtomic(documentPath, `${JSON.stringify(document, null, 1)}\n`);
  options.log(`wrote calibration { temperature: ${temperature}${classBias ? `, classBias: [${classBias.length} logits]` : ''} } into ${documentPath}`);
  return { ...result, written: documentPath };
}
