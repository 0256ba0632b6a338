import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { InteractiveSegmentationModel, loadSegmenter } from '@pointclick/segmenter';
import { ConfigError, type TrainingConfig } from '../config/training-config.js';
import { resolveCheckpointSource } from './checkpoint-source.js';
import { writeFileAtomic } from '@pointclick/io/node';
import { renderTrainingPlot, type LogRecord } from '../output/training-plot.js';
import { AdamOptimizer, clipGradientsByGlobalNorm } from './adam-optimizer.js';
import { CheckpointStore, type TrainingState } from './checkpoint-store.js';
import { learningRateAt } from './learning-rate-schedule.js';
import { createSegmenterConfig } from '../config/model-presets.js';
import { computeStepLoss, type StepLosses } from './training-step.js';
import { loadLabeledScenes, loadPreprocessedScenes, sampleTrainingStep } from './training-data.js';
import { validateModel } from './validation.js';

/** Options of {@link runTraining} beyond the configuration. */
export interface TrainingRunOptions {
  /** Continue from the run's latest checkpoint. */
  resume?: boolean;
  /** Stop after this many steps of this invocation (the schedule still spans `schedule.steps`). */
  stepLimit?: number;
  /** Where progress lines go; default the console. */
  log?: (line: string) => void;
  /** Show an interactive progress bar (default: when stdout is a terminal). */
  progressBar?: boolean;
  /** The exact command line, recorded in checkpoints. */
  command?: string;
}

/** What a finished (or stopped) run reports. */
export interface TrainingRunResult {
  /** Steps completed in total. */
  step: number;
  /** Losses of every step run by this invocation, in order. */
  losses: StepLosses[];
  /** Directory of the latest checkpoint. */
  checkpointDirectory: string;
}

/**
 * Copies every weight of the checkpoint behind `source` into `model` (fine-tuning). Every checkpoint variable
 * must exist in the model with the same shape (the first mismatch is named); model variables the checkpoint
 * lacks (a component added for the fine-tune, such as the geodesic click prior) keep their initial values
 * and are listed. Returns the checkpoint directory used and those names.
 */
async function copyInitialWeights(model: InteractiveSegmentationModel, source: string): Promise<{ directory: string; initialised: string[] }> {
  const directory = await resolveCheckpointSource(source);
  const documentPath = join(directory, 'model.json');
  const loaded = (await loadSegmenter(directory)).model;
  try {
    const sourceVariables = loaded.namedVariables();
    const targetVariables = model.namedVariables();
    const initialised: string[] = [];
    for (const [path, variable] of targetVariables) {
      const value = sourceVariables.get(path);
      if (!value) {
        initialised.push(path);
        continue;
      }
      if (value.shape.join(',') !== variable.shape.join(',')) {
        throw new ConfigError(`initialWeights: variable '${path}' of ${documentPath} has shape [${value.shape}], the model needs [${variable.shape}]`);
      }
    }
    const extra = [...sourceVariables.keys()].filter((path) => !targetVariables.has(path));
    if (extra.length > 0) throw new ConfigError(`initialWeights: ${documentPath} has variables the model lacks: ${extra.slice(0, 3).join(', ')}`);
    if (initialised.length === targetVariables.size) {
      throw new ConfigError(`initialWeights: ${documentPath} shares no variable with the model (a checkpoint of another architecture?)`);
    }
    for (const [path, variable] of targetVariables) {
      const value = sourceVariables.get(path);
      if (value) variable.assign(value);
    }
    return { directory, initialised };
  } finally {
    loaded.dispose();
  }
}

/** Trains (or resumes) a segmenter as configured; see the trainer README for the files a run writes. */
export async function runTraining(config: TrainingConfig, options: TrainingRunOptions = {}): Promise<TrainingRunResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runDirectory = resolve(config.outputDirectory);
  await mkdir(runDirectory, { recursive: true });
  await writeFileAtomic(join(runDirectory, 'config.resolved.json'), `${JSON.stringify(config, null, 2)}\n`);
  const logPath = join(runDirectory, 'metrics.jsonl');
  const plotPath = join(runDirectory, 'training-plot.svg');
  const store = new CheckpointStore(runDirectory, config.checkpoint.keep);

  const segmenterConfig = createSegmenterConfig(config.preset, config.seed, config.gridSize, config.localityGain);
  const voxelSize = segmenterConfig.gridSize;
  log(`loading training scenes (voxel ${voxelSize} m, cache ${config.data.cacheDirectory})`);
  const scenes = await loadPreprocessedScenes(config.data.sources, {
    cacheDirectory: config.data.cacheDirectory,
    voxelSize,
    seed: config.seed,
  });
  const validationScenes = config.validation.everySteps > 0 ? await loadLabeledScenes(config.validation.sources) : [];
  log(`${scenes.length} training scenes, ${validationScenes.length} validation scenes`);

  const optimizer = new AdamOptimizer({
    weightDecay: config.optimizer.kind === 'adamw' ? config.optimizer.weightDecay : 0,
    beta1: config.optimizer.beta1,
    beta2: config.optimizer.beta2,
    epsilon: config.optimizer.epsilon,
  });
  let model: InteractiveSegmentationModel;
  let state: TrainingState = { step: 0 };
  const latest = options.resume ? await store.latest() : undefined;
  let records: LogRecord[] = [];
  if (latest) {
    ({ model, state } = await CheckpointStore.load(latest, optimizer));
    log(`resumed from ${latest} at step ${state.step}`);
    const previous = await readFile(logPath, 'utf8').catch(() => '');
    records = previous
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogRecord)
      .filter((record) => record.step <= state.step);
    await writeFileAtomic(logPath, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  } else {
    if (options.resume) log('no checkpoint to resume from; starting at step 0');
    model = new InteractiveSegmentationModel(segmenterConfig);
    if (config.initialWeights) {
      const { directory, initialised } = await copyInitialWeights(model, config.initialWeights);
      log(`initial weights from ${directory}`);
      if (initialised.length > 0) log(`  not in that checkpoint, kept at initialisation: ${initialised.join(', ')}`);
    }
    await writeFileAtomic(logPath, '');
  }
  model.setTraining(true);
  const pathOfVariable = new Map<string, string>();
  const variables = model.namedVariables();
  for (const [path, variable] of variables) pathOfVariable.set(variable.name, path);
  const trainable = model.trainableVariables();
  log(`model ${config.preset}: ${model.countParams().toLocaleString('en-US')} parameters on backend ${tf.getBackend()}`);

  const totalSteps = config.schedule.steps;
  const lastStep = Math.min(totalSteps, state.step + (options.stepLimit ?? totalSteps));
  const losses: StepLosses[] = [];
  const useBar = options.progressBar ?? Boolean(process.stdout.isTTY);
  const bar = useBar
    ? new cliProgress.SingleBar(
        { format: 'step {value}/{total} [{bar}] loss {loss} | {rate} steps/s | ETA {eta_formatted}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(totalSteps, state.step, { loss: '-', rate: '-' });
  const started = performance.now();
  let checkpointDirectory = latest ?? '';

  const record = async (entry: LogRecord) => {
    records.push(entry);
    await appendFile(logPath, `${JSON.stringify(entry)}\n`);
  };

  while (state.step < lastStep) {
    const step = state.step;
    const sample = sampleTrainingStep(scenes, config, step);
    const learningRate = learningRateAt(step, {
      peak: config.optimizer.learningRate,
      warmupSteps: config.schedule.warmupSteps,
      totalSteps,
      finalFraction: config.schedule.finalLearningRateFraction,
    });
    let figures: StepLosses | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const result = computeStepLoss(model, sample.scene, sample.step, config.loss, { correctionRounds: sample.correctionRounds });
      figures = result.figures;
      return result.total;
    }, trainable);
    value.dispose();
    const gradients = new Map<string, tf.Tensor>();
    for (const [name, gradient] of Object.entries(grads)) gradients.set(pathOfVariable.get(name)!, gradient);
    const gradientNorm = clipGradientsByGlobalNorm(gradients, config.optimizer.gradientClipNorm);
    optimizer.applyGradients(variables, gradients, learningRate);
    tf.dispose([...gradients.values()]);
    state = { ...state, step: step + 1 };
    losses.push(figures!);
    const elapsed = (performance.now() - started) / 1000;
    const rate = losses.length / elapsed;
    const { clickCount, ...terms } = figures!;
    await record({ kind: 'train', step: state.step, ...terms, learningRate, gradientNorm, points: sample.scene.pointCount, clicks: clickCount, seconds: elapsed });
    if (bar) bar.update(state.step, { loss: figures!.loss.toFixed(4), rate: rate.toFixed(3) });
    else if (state.step % 10 === 0 || state.step === lastStep) {
      const eta = (lastStep - state.step) / Math.max(rate, 1e-9);
      log(`step ${state.step}/${totalSteps} loss ${figures!.loss.toFixed(4)} (bce ${figures!.bce.toFixed(3)} dice ${figures!.dice.toFixed(3)} ce ${figures!.ce.toFixed(3)}${config.loss.objectMask > 0 ? ` objects ${figures!.objectMask.toFixed(3)}` : ''}) lr ${learningRate.toExponential(2)} ${rate.toFixed(3)} steps/s ETA ${Math.round(eta)} s`);
    }

    const validate = config.validation.everySteps > 0 && (state.step % config.validation.everySteps === 0 || state.step === totalSteps);
    if (validate && validationScenes.length > 0) {
      const summary = await validateModel(model, validationScenes, {
        targetObjects: config.validation.targetObjects,
        clickBudget: config.validation.clickBudget,
        seed: config.seed,
      });
      const entry: LogRecord = { kind: 'validation', step: state.step, 'iou@1': summary.iouAt[1], 'iou@3': summary.iouAt[3], 'iou@5': summary.iouAt[5], 'noc@85': summary.nocAt[85] };
      await record(entry);
      log(`validation at step ${state.step}: IoU@1 ${summary.iouAt[1].toFixed(1)} IoU@3 ${summary.iouAt[3].toFixed(1)} IoU@5 ${summary.iouAt[5].toFixed(1)} NoC@85 ${summary.nocAt[85].toFixed(2)}`);
    }
    if (state.step % config.checkpoint.everySteps === 0 || state.step === lastStep) {
      checkpointDirectory = await store.save(model, optimizer, state, { command: options.command, preset: config.preset });
      await writeFileAtomic(plotPath, renderTrainingPlot(records));
    }
  }
  bar?.stop();
  if (!checkpointDirectory) checkpointDirectory = await store.save(model, optimizer, state, { command: options.command, preset: config.preset });
  model.dispose();
  optimizer.dispose();
  return { step: state.step, losses, checkpointDirectory };
}
