import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { InteractiveSegmentationModel, type SegmenterConfig } from '@pointclick/segmenter';
import type { PreprocessedScene } from '@pointclick/datasets';
import type { TrainingConfig } from '../config/training-config.js';
import { writeFileAtomic } from '@pointclick/io/node';
import { renderTrainingPlot, type LogRecord } from '../output/training-plot.js';
import { AdamOptimizer, clipGradientsByGlobalNorm } from './adam-optimizer.js';
import { CheckpointStore, type TrainingState } from './checkpoint-store.js';
import { learningRateAt } from './learning-rate-schedule.js';
import { createSegmenterConfig } from '../config/model-presets.js';
import { copyInitialWeights } from './initial-weights.js';
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

/** The run directory's files and checkpoint store. */
interface RunFiles {
  logPath: string;
  plotPath: string;
  store: CheckpointStore;
}

/** Creates the run directory and writes the resolved configuration into it. */
async function prepareRunDirectory(config: TrainingConfig): Promise<RunFiles> {
  const runDirectory = resolve(config.outputDirectory);
  await mkdir(runDirectory, { recursive: true });
  await writeFileAtomic(join(runDirectory, 'config.resolved.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { logPath: join(runDirectory, 'metrics.jsonl'), plotPath: join(runDirectory, 'training-plot.svg'), store: new CheckpointStore(runDirectory, config.checkpoint.keep) };
}

/** The model, optimizer state and log of a run: resumed from its latest checkpoint, or new (optionally fine-tuned). */
interface RunStart {
  model: InteractiveSegmentationModel;
  state: TrainingState;
  /** Log records up to `state.step` (kept from the resumed run). */
  records: LogRecord[];
  /** The checkpoint resumed from, if any. */
  latest?: string;
}

async function startOrResume(config: TrainingConfig, segmenterConfig: SegmenterConfig, files: RunFiles, optimizer: AdamOptimizer, options: TrainingRunOptions, log: (line: string) => void): Promise<RunStart> {
  const latest = options.resume ? await files.store.latest() : undefined;
  if (latest) {
    const { model, state } = await CheckpointStore.load(latest, optimizer);
    log(`resumed from ${latest} at step ${state.step}`);
    // The log keeps only the records the checkpoint has seen.
    const previous = await readFile(files.logPath, 'utf8').catch(() => '');
    const records = previous
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogRecord)
      .filter((record) => record.step <= state.step);
    await writeFileAtomic(files.logPath, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    return { model, state, records, latest };
  }
  if (options.resume) log('no checkpoint to resume from; starting at step 0');
  const model = new InteractiveSegmentationModel(segmenterConfig);
  if (config.initialWeights) {
    const { directory, initialised } = await copyInitialWeights(model, config.initialWeights);
    log(`initial weights from ${directory}`);
    if (initialised.length > 0) log(`  not in that checkpoint, kept at initialisation: ${initialised.join(', ')}`);
  }
  await writeFileAtomic(files.logPath, '');
  return { model, state: { step: 0 }, records: [] };
}

/** One optimisation step's figures. */
interface StepReport {
  figures: StepLosses;
  learningRate: number;
  gradientNorm: number;
  pointCount: number;
}

/** Everything a training step needs that does not change between steps. */
interface StepContext {
  config: TrainingConfig;
  scenes: PreprocessedScene[];
  model: InteractiveSegmentationModel;
  optimizer: AdamOptimizer;
  variables: Map<string, tf.Variable>;
  trainable: tf.Variable[];
  /** Variable path by TF.js variable name (gradients come keyed by name). */
  pathOfVariable: Map<string, string>;
}

/** Samples the step's scene and clicks, computes the loss and its gradients, clips them and applies Adam(W). */
function trainStep(context: StepContext, step: number): StepReport {
  const { config } = context;
  const sample = sampleTrainingStep(context.scenes, config, step);
  const learningRate = learningRateAt(step, {
    peak: config.optimizer.learningRate,
    warmupSteps: config.schedule.warmupSteps,
    totalSteps: config.schedule.steps,
    finalFraction: config.schedule.finalLearningRateFraction,
  });
  let figures: StepLosses | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const result = computeStepLoss(context.model, sample.scene, sample.step, config.loss, { correctionRounds: sample.correctionRounds });
    figures = result.figures;
    return result.total;
  }, context.trainable);
  value.dispose();
  const gradients = new Map<string, tf.Tensor>();
  for (const [name, gradient] of Object.entries(grads)) gradients.set(context.pathOfVariable.get(name)!, gradient);
  const gradientNorm = clipGradientsByGlobalNorm(gradients, config.optimizer.gradientClipNorm);
  context.optimizer.applyGradients(context.variables, gradients, learningRate);
  tf.dispose([...gradients.values()]);
  return { figures: figures!, learningRate, gradientNorm, pointCount: sample.scene.pointCount };
}

function formatStepLine(config: TrainingConfig, step: number, report: StepReport, rate: number, eta: number): string {
  const { figures } = report;
  const objects = config.loss.objectMask > 0 ? ` objects ${figures.objectMask.toFixed(3)}` : '';
  return `step ${step}/${config.schedule.steps} loss ${figures.loss.toFixed(4)} (bce ${figures.bce.toFixed(3)} dice ${figures.dice.toFixed(3)} ce ${figures.ce.toFixed(3)}${objects}) lr ${report.learningRate.toExponential(2)} ${rate.toFixed(3)} steps/s ETA ${Math.round(eta)} s`;
}

function createProgressBar(options: TrainingRunOptions): cliProgress.SingleBar | undefined {
  if (!(options.progressBar ?? Boolean(process.stdout.isTTY))) return undefined;
  return new cliProgress.SingleBar(
    { format: 'step {value}/{total} [{bar}] loss {loss} | {rate} steps/s | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}

/** Trains (or resumes) a segmenter as configured; see the trainer README for the files a run writes. */
export async function runTraining(config: TrainingConfig, options: TrainingRunOptions = {}): Promise<TrainingRunResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const files = await prepareRunDirectory(config);

  const presetConfig = createSegmenterConfig(config.preset, config.seed, config.gridSize, config.localityGain);
  const gridSize = presetConfig.backbone.gridSize;
  const segmenterConfig: SegmenterConfig = {
    ...presetConfig,
    ...(config.inference.superpoints ? { superpoints: config.inference.superpoints } : {}),
    ...(config.inference.inputScale !== undefined ? { inputScale: config.inference.inputScale } : {}),
  };
  log(`loading training scenes (voxel ${gridSize} m, cache ${config.data.cacheDirectory})`);
  const scenes = await loadPreprocessedScenes(config.data.sources, { cacheDirectory: config.data.cacheDirectory, voxelSize: gridSize, seed: config.seed });
  const validationScenes = config.validation.everySteps > 0 ? await loadLabeledScenes(config.validation.sources) : [];
  log(`${scenes.length} training scenes, ${validationScenes.length} validation scenes`);

  const optimizer = new AdamOptimizer({
    weightDecay: config.optimizer.kind === 'adamw' ? config.optimizer.weightDecay : 0,
    beta1: config.optimizer.beta1,
    beta2: config.optimizer.beta2,
    epsilon: config.optimizer.epsilon,
  });
  const { model, records, latest, ...start } = await startOrResume(config, segmenterConfig, files, optimizer, options, log);
  let state = start.state;
  model.setTraining(true);
  const variables = model.namedVariables();
  const pathOfVariable = new Map<string, string>();
  for (const [path, variable] of variables) pathOfVariable.set(variable.name, path);
  const context: StepContext = { config, scenes, model, optimizer, variables, trainable: model.trainableVariables(), pathOfVariable };
  log(`model ${config.preset}: ${model.countParams().toLocaleString('en-US')} parameters on backend ${tf.getBackend()}`);

  const totalSteps = config.schedule.steps;
  const lastStep = Math.min(totalSteps, state.step + (options.stepLimit ?? totalSteps));
  const losses: StepLosses[] = [];
  const bar = createProgressBar(options);
  bar?.start(totalSteps, state.step, { loss: '-', rate: '-' });
  const started = performance.now();
  let checkpointDirectory = latest ?? '';
  const record = async (entry: LogRecord) => {
    records.push(entry);
    await appendFile(files.logPath, `${JSON.stringify(entry)}\n`);
  };
  const saveCheckpoint = () => files.store.save(model, optimizer, state, { command: options.command, preset: config.preset });

  while (state.step < lastStep) {
    const report = trainStep(context, state.step);
    state = { ...state, step: state.step + 1 };
    losses.push(report.figures);
    const elapsed = (performance.now() - started) / 1000;
    const rate = losses.length / elapsed;
    const { clickCount, ...terms } = report.figures;
    await record({ kind: 'train', step: state.step, ...terms, learningRate: report.learningRate, gradientNorm: report.gradientNorm, points: report.pointCount, clicks: clickCount, seconds: elapsed });
    if (bar) bar.update(state.step, { loss: report.figures.loss.toFixed(4), rate: rate.toFixed(3) });
    else if (state.step % 10 === 0 || state.step === lastStep) log(formatStepLine(config, state.step, report, rate, (lastStep - state.step) / Math.max(rate, 1e-9)));

    const validate = config.validation.everySteps > 0 && (state.step % config.validation.everySteps === 0 || state.step === totalSteps);
    if (validate && validationScenes.length > 0) {
      const summary = await validateModel(model, validationScenes, { targetObjects: config.validation.targetObjects, clickBudget: config.validation.clickBudget, seed: config.seed });
      await record({ kind: 'validation', step: state.step, 'iou@1': summary.iouAt[1], 'iou@3': summary.iouAt[3], 'iou@5': summary.iouAt[5], 'noc@85': summary.nocAt[85] });
      log(`validation at step ${state.step}: IoU@1 ${summary.iouAt[1].toFixed(1)} IoU@3 ${summary.iouAt[3].toFixed(1)} IoU@5 ${summary.iouAt[5].toFixed(1)} NoC@85 ${summary.nocAt[85].toFixed(2)}`);
    }
    if (state.step % config.checkpoint.everySteps === 0 || state.step === lastStep) {
      checkpointDirectory = await saveCheckpoint();
      await writeFileAtomic(files.plotPath, renderTrainingPlot(records));
    }
  }
  bar?.stop();
  if (!checkpointDirectory) checkpointDirectory = await saveCheckpoint();
  model.dispose();
  optimizer.dispose();
  return { step: state.step, losses, checkpointDirectory };
}
