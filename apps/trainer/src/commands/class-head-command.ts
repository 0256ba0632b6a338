import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { createModelFromCheckpoint, parseCheckpointDocument, serializeCheckpoint } from '@pointclick/segmenter';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { loadLabeledScenes } from '../training/training-data.js';
import { collectSelectionQueries, collectTrainingQueries, fineTuneClassHead, type ClassHeadFineTuneSettings } from '../training/class-head-fine-tune.js';

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
  /** Output model directory (model.json + weights.bin). */
  output: string;
  /** Storage type of the written weights. */
  dtype: 'float32' | 'float16';
  /** The command line, stored in the metadata. */
  commandLine: string;
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
  const source = await resolveCheckpointSource(options.checkpoint);
  const documentPath = join(source, 'model.json');
  const document = parseCheckpointDocument(await readFile(documentPath, 'utf8'), documentPath);
  const model = createModelFromCheckpoint(document, new Uint8Array(await readFile(join(source, document.weights.file))), documentPath);
  // Selection is scored on the raw class logits; a stored temperature would be stale for new weights.
  delete model.config.calibration;
  options.log(`training on ${trainingScenes.map((scene) => scene.id).join(', ')}; selecting on ${options.selectionScenes.join(', ')}`);
  model.setTraining(false);
  const settings = { ...options, log: options.log };
  const started = performance.now();
  const training = collectTrainingQueries(model, trainingScenes, settings);
  const selection = collectSelectionQueries(model, selectionScenes, 300);
  options.log(`stored queries in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const { bestTrial } = fineTuneClassHead(model, training, selection, settings);
  options.log(`kept: ${bestTrial} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const exported = serializeCheckpoint(model, {
    metadata: { ...document.metadata, classHeadFineTune: { from: relative(process.cwd(), source), kept: bestTrial, command: options.commandLine } },
    weightsDtype: options.dtype,
  });
  model.dispose();
  const output = resolve(options.output);
  await mkdir(output, { recursive: true });
  await writeFileAtomic(join(output, exported.document.weights.file), exported.weights);
  await writeFileAtomic(join(output, 'model.json'), `${JSON.stringify(exported.document, null, 1)}\n`);
  options.log(`wrote ${output} (weights of ${bestTrial})`);
  return { output, bestTrial };
}
