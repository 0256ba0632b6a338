import { basename, relative, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { saveCheckpoint } from '@pointclick/segmenter/node';
import { readCheckpoint } from '../training/checkpoint-source.js';
import { loadLabeledScenes } from '../training/training-data.js';
import { readClassRows, writeClassRows } from '../training/class-row-cache.js';
import { checkSeenScenes, lineageProvenance, recordOfSource } from '../training/training-provenance.js';
import {
  collectSelectionQueries,
  collectTrainingQueries,
  describeClassPooling,
  fineTuneClassHead,
  type ClassPoolingChoice,
  selectFeatureLevels,
  selectionScore,
  type ClassHeadFineTuneSettings,
  type SelectionFigures,
} from '../training/class-head-fine-tune.js';

/** Options of {@link runClassHeadFineTune}. */
export interface ClassHeadCommandOptions extends Omit<ClassHeadFineTuneSettings, 'log'> {
  /** Model or run directory to start from. */
  checkpoint: string;
  /** Dataset directory of the training and selection scenes. */
  data: string;
  /** Training scene ids. */
  scenes: string[];
  /** Selection scene ids (disjoint from the training scenes; never the evaluation scenes). */
  selectionScenes: string[];
  /** Also train on this many generated indoor rooms (NYU40 classes), seeds from `syntheticSeed`. */
  syntheticScenes?: number;
  /** Seed of the first generated room. */
  syntheticSeed: number;
  /**
   * Choices of class pooling to try (backbone levels and whether the mask's shape is pooled too, see the
   * decoder's `classPoolingLevels` and `classPoolingGeometry`); each gets its own copy of the checkpoint with a
   * new map W at zero. The rows are collected once with the union. Absent or empty: the checkpoint's own.
   */
  classPooling?: ClassPoolingChoice[];
  /**
   * File of the collected rows: read when it exists (its key must match this collection), written after
   * collecting otherwise, so trials with other training settings skip the backbone passes.
   */
  rowCache?: string;
  /** Output model directory (model.json + weights.bin). */
  output: string;
  /** Storage type of the written weights. */
  dtype: 'float32' | 'float16';
  /** The command line, stored in the metadata. */
  commandLine: string;
  /** Fail with a `SeenSceneError` when a selection scene was trained on (ScanNet ids by room) or that is unknown. */
  requireUnseen?: boolean;
  log: (line: string) => void;
}

/**
 * Fine-tunes the last stage's class head of a checkpoint (everything else frozen, see `fineTuneClassHead`)
 * and writes the weights that scored best on the selection scenes as a new model directory.
 */
export async function runClassHeadFineTune(options: ClassHeadCommandOptions): Promise<{ output: string; bestTrial: string }> {
  const overlap = options.scenes.filter((id) => options.selectionScenes.includes(id));
  if (overlap.length > 0) throw new Error(`fine-tune-classes: scene(s) ${overlap.join(', ')} are both training and selection scenes`);
  const data = resolve(options.data);
  const trainingScenes = await collectScenes(readDataset(data, { sceneIds: options.scenes }));
  const selectionScenes = await collectScenes(readDataset(data, { sceneIds: options.selectionScenes }));
  for (const [wanted, found] of [[options.scenes, trainingScenes], [options.selectionScenes, selectionScenes]] as const) {
    const missing = wanted.filter((id) => !found.some((scene) => scene.id === id));
    if (missing.length > 0) throw new Error(`fine-tune-classes: scene(s) ${missing.join(', ')} not found in ${options.data}`);
  }
  if (options.syntheticScenes) {
    trainingScenes.push(...(await loadLabeledScenes([{ kind: 'synthetic-indoor', sceneCount: options.syntheticScenes, seed: options.syntheticSeed }])));
  }
  const { source, document, model: loaded } = await readCheckpoint(options.checkpoint);
  if ((loaded.config.classStageCount ?? 1) > 1) {
    loaded.dispose();
    throw new Error(
      `fine-tune-classes: ${options.checkpoint} shows the mean of its last ${loaded.config.classStageCount} stages' class logits (config.classStageCount), but this command trains and scores the last stage's head alone; export it with --class-stages 1 first`,
    );
  }
  const dataset = basename(data);
  const parentProvenance = loaded.config.provenance;
  try {
    const read = options.selectionScenes.map((id) => ({ dataset, id }));
    checkSeenScenes(parentProvenance, read, { checkpoint: options.checkpoint, requireUnseen: options.requireUnseen, log: options.log });
  } catch (error) {
    loaded.dispose();
    throw error;
  }
  // Selection is scored on the raw class logits; a stored temperature would be stale for new weights.
  delete loaded.config.calibration;
  options.log(`training on ${trainingScenes.map((scene) => scene.id).join(', ')}; selecting on ${options.selectionScenes.join(', ')}`);
  const { classPoolingLevels, classPoolingGeometry } = loaded.decoder.config;
  const choices = options.classPooling && options.classPooling.length > 0 ? options.classPooling : [{ levels: [...classPoolingLevels], geometry: classPoolingGeometry }];
  const collected: ClassPoolingChoice = {
    levels: [...new Set(choices.flatMap((choice) => choice.levels))].sort((a, b) => a - b),
    geometry: choices.some((choice) => choice.geometry),
  };
  const collector = withClassPooling(loaded, collected);
  collector.setTraining(false);
  const settings = { ...options, log: options.log };
  const started = performance.now();
  const cacheKey = {
    checkpoint: relative(process.cwd(), source),
    crc32: document.weights.crc32,
    scenes: trainingScenes.map((scene) => scene.id),
    selectionScenes: options.selectionScenes,
    levels: collected.levels,
    geometry: collected.geometry,
    ...Object.fromEntries((['seed', 'sceneCopies', 'clickSets', 'minimumObjectPoints'] as const).map((name) => [name, options[name]])),
  };
  let rows = options.rowCache ? await readClassRows(options.rowCache, cacheKey) : undefined;
  if (rows) {
    options.log(`read the rows from ${options.rowCache}`);
  } else {
    rows = { training: collectTrainingQueries(collector, trainingScenes, settings), selection: collectSelectionQueries(collector, selectionScenes, 300) };
    if (options.rowCache) await writeClassRows(options.rowCache, cacheKey, rows);
  }
  const { training, selection } = rows;
  options.log(`${training.labels.length} training and ${selection.labels.length} selection rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  collector.dispose();

  let best: { model: InteractiveSegmentationModel; figures: SelectionFigures; trial: string } | undefined;
  // Each choice trains its own copy, so every choice starts from the checkpoint's weights.
  for (const choice of choices) {
    const model = withClassPooling(loaded, choice);
    model.setTraining(false);
    const select = (set: typeof training) => selectFeatureLevels(set, model.decoder.config.levelChannels, collected, choice);
    const name = describeClassPooling(choice);
    options.log(`${name}:`);
    const result = fineTuneClassHead(model, select(training), select(selection), settings);
    if (!best || selectionScore(result.best) > selectionScore(best.figures)) {
      best?.model.dispose();
      best = { model, figures: result.best, trial: `${name}, ${result.bestTrial}` };
    } else {
      model.dispose();
    }
  }
  const { model, trial: bestTrial } = best!;
  // The class head learned from the training scenes: they join the parent's provenance (unknown stays unknown).
  const records = [recordOfSource({ kind: 'folder', directory: data, exclude: [], scale: 1 }, options.scenes)];
  if (options.syntheticScenes) records.push(recordOfSource({ kind: 'synthetic-indoor', sceneCount: options.syntheticScenes, seed: options.syntheticSeed }, []));
  model.config.provenance = lineageProvenance(records, parentProvenance ?? { trainedOn: [], unknownSources: [options.checkpoint] });
  options.log(`kept: ${bestTrial} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const output = resolve(options.output);
  try {
    // Weights first, JSON last (saveCheckpoint): a reader never sees a JSON whose weights are missing.
    await saveCheckpoint(model, output, {
      metadata: { ...document.metadata, classHeadFineTune: { from: relative(process.cwd(), source), kept: bestTrial, command: options.commandLine } },
      weightsDtype: options.dtype,
    });
  } finally {
    model.dispose();
    loaded.dispose();
  }
  options.log(`wrote ${output} (weights of ${bestTrial})`);
  return { output, bestTrial };
}

/**
 * A copy of `model` whose last decoder stage pools `choice` (the decoder's `classPoolingLevels` and
 * `classPoolingGeometry`): every variable copied, the map W at zero unless `model` has one of the same shape, so
 * its class logits start equal to `model`'s (or to those without pooling).
 */
export function withClassPooling(model: InteractiveSegmentationModel, choice: ClassPoolingChoice): InteractiveSegmentationModel {
  const decoder = { ...model.decoder.config, classPoolingLevels: [...choice.levels], classPoolingGeometry: choice.geometry };
  const copy = new InteractiveSegmentationModel({ ...model.config, decoder });
  const targets = copy.namedVariables();
  for (const [name, variable] of model.namedVariables()) {
    const target = targets.get(name);
    if (target && target.shape.join('x') === variable.shape.join('x')) target.assign(variable);
    else if (!name.endsWith('.class_pooling')) throw new Error(`withClassPooling: variable '${name}' has no counterpart of shape [${variable.shape}]`);
  }
  return copy;
}
