import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { InteractiveSegmentationModel, type SegmenterConfig, type TrainingDataRecord } from '@pointclick/segmenter';
import type { TrainingConfig } from '../config/training-config.js';
import { writeFileAtomic } from '@pointclick/io/node';
import { renderTrainingPlot, type LogRecord } from '../output/training-plot.js';
import { AdamOptimizer } from './adam-optimizer.js';
import { formatBytes } from './backend-memory.js';
import { CheckpointStore, type TrainingState } from './checkpoint-store.js';
import { createSegmenterConfig } from '../config/model-presets.js';
import { copyInitialWeights } from './initial-weights.js';
import { createStepContext, runOptimizationStep, type StepReport } from './optimization-step.js';
import type { StepLosses } from './training-step.js';
import { loadLabeledScenes, loadPreprocessedScenes } from './training-data.js';
import { validateModel } from './validation.js';
import { lineageProvenance, readParentProvenance, recordOfSource, summarizeProvenance } from './training-provenance.js';

/** Options of {@link runTraining} beyond the configuration. */
export interface TrainingRunOptions {
  /** Continue from the run's latest checkpoint. */
  resume?: boolean;
  /** Stop after this many steps of this invocation (the schedule still spans `schedule.steps`). */
  stepLimit?: number;
  /** Stop, with a checkpoint, after the first step that ends this many seconds after the first began. */
  timeLimitSeconds?: number;
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

async function startOrResume(
  config: TrainingConfig,
  segmenterConfig: SegmenterConfig,
  dataRecords: TrainingDataRecord[],
  files: RunFiles,
  optimizer: AdamOptimizer,
  options: TrainingRunOptions,
  log: (line: string) => void,
): Promise<RunStart> {
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
  // This run's scenes united with the parent's; a resumed run keeps the provenance its checkpoint holds.
  const provenance = lineageProvenance(dataRecords, config.initialWeights ? await readParentProvenance(config.initialWeights) : undefined);
  log(`training data, with the lineage's: ${summarizeProvenance(provenance)}`);
  const model = new InteractiveSegmentationModel({ ...segmenterConfig, provenance });
  if (config.initialWeights) {
    const { directory, initialised } = await copyInitialWeights(model, config.initialWeights);
    log(`initial weights from ${directory}`);
    if (initialised.length > 0) log(`  not in that checkpoint, kept at initialisation: ${initialised.join(', ')}`);
  }
  await writeFileAtomic(files.logPath, '');
  return { model, state: { step: 0 }, records: [] };
}

function formatStepLine(config: TrainingConfig, step: number, report: StepReport, rate: number, eta: number): string {
  const { figures } = report;
  const objects = config.loss.objectMask > 0 ? ` objects ${figures.objectMask.toFixed(3)}` : '';
  const memory = report.memory.backendBytes === undefined ? '' : ` ${report.memory.backend} memory ${formatBytes(report.memory.backendBytes)}`;
  return `step ${step}/${config.schedule.steps} loss ${figures.loss.toFixed(4)} (bce ${figures.bce.toFixed(3)} dice ${figures.dice.toFixed(3)} ce ${figures.ce.toFixed(3)}${objects}) lr ${report.learningRate.toExponential(2)} ${report.pointCount} points ${rate.toFixed(3)} steps/s${memory} ETA ${Math.round(eta)} s`;
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
    decoder: { ...presetConfig.decoder, ...config.decoder },
    ...(config.inference.superpoints ? { superpoints: config.inference.superpoints } : {}),
    ...(config.inference.inputScale !== undefined ? { inputScale: config.inference.inputScale } : {}),
    ...(config.inference.geodesicGraph ? { geodesicGraph: { ...presetConfig.geodesicGraph, ...config.inference.geodesicGraph } } : {}),
  };
  log(`loading training scenes (voxel ${gridSize} m, cache ${config.data.cacheDirectory})`);
  const dataRecords: TrainingDataRecord[] = [];
  const scenes = await loadPreprocessedScenes(config.data.sources, {
    cacheDirectory: config.data.cacheDirectory,
    voxelSize: gridSize,
    seed: config.seed,
    onSourceScenes: (source, sceneIds) => dataRecords.push(recordOfSource(source, sceneIds)),
  });
  const validationScenes = config.validation.everySteps > 0 ? await loadLabeledScenes(config.validation.sources) : [];
  log(`${scenes.length} training scenes, ${validationScenes.length} validation scenes`);

  const optimizer = new AdamOptimizer({
    weightDecay: config.optimizer.kind === 'adamw' ? config.optimizer.weightDecay : 0,
    beta1: config.optimizer.beta1,
    beta2: config.optimizer.beta2,
    epsilon: config.optimizer.epsilon,
  });
  const { model, records, latest, ...start } = await startOrResume(config, segmenterConfig, dataRecords, files, optimizer, options, log);
  let state = start.state;
  model.setTraining(true);
  const context = createStepContext(config, scenes, model, optimizer);
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

  // A step's figures are read back while the next step is enqueued (never a blocking read): each step's
  // report is awaited after the following step has been started, and before validation or a checkpoint.
  const finishStep = async (pending: Promise<StepReport>, step: number): Promise<void> => {
    const report = await pending;
    losses.push(report.figures);
    const elapsed = (performance.now() - started) / 1000;
    const rate = losses.length / elapsed;
    const { clickCount, ...terms } = report.figures;
    // backendBytes: the WebGPU buffer pool or the wasm heap after the step (see readBackendMemory).
    const memory: Record<string, number> = report.memory.backendBytes === undefined ? {} : { backendBytes: report.memory.backendBytes };
    await record({ kind: 'train', step, ...terms, learningRate: report.learningRate, gradientNorm: report.gradientNorm, points: report.pointCount, clicks: clickCount, seconds: elapsed, tensorBytes: report.memory.tensorBytes, ...memory });
    if (bar) bar.update(step, { loss: report.figures.loss.toFixed(4), rate: rate.toFixed(3) });
    else if (step % 10 === 0 || step === lastStep) log(formatStepLine(config, step, report, rate, (lastStep - step) / Math.max(rate, 1e-9)));
  };
  let unfinished: Promise<void> = Promise.resolve();
  while (state.step < lastStep) {
    const { report } = await runOptimizationStep(context, state.step);
    state = { ...state, step: state.step + 1 };
    await unfinished;
    unfinished = finishStep(report, state.step);

    const validate = config.validation.everySteps > 0 && (state.step % config.validation.everySteps === 0 || state.step === totalSteps);
    const outOfTime = options.timeLimitSeconds !== undefined && (performance.now() - started) / 1000 >= options.timeLimitSeconds;
    const checkpoint = state.step % config.checkpoint.everySteps === 0 || state.step === lastStep || outOfTime;
    if ((validate && validationScenes.length > 0) || checkpoint) await unfinished;
    if (validate && validationScenes.length > 0) {
      const summary = await validateModel(model, validationScenes, { targetObjects: config.validation.targetObjects, clickBudget: config.validation.clickBudget, seed: config.seed });
      await record({ kind: 'validation', step: state.step, 'iou@1': summary.iouAt[1], 'iou@3': summary.iouAt[3], 'iou@5': summary.iouAt[5], 'noc@85': summary.nocAt[85] });
      log(`validation at step ${state.step}: IoU@1 ${summary.iouAt[1].toFixed(1)} IoU@3 ${summary.iouAt[3].toFixed(1)} IoU@5 ${summary.iouAt[5].toFixed(1)} NoC@85 ${summary.nocAt[85].toFixed(2)}`);
    }
    if (checkpoint) {
      checkpointDirectory = await saveCheckpoint();
      await writeFileAtomic(files.plotPath, renderTrainingPlot(records));
    }
    if (outOfTime) {
      log(`time limit of ${options.timeLimitSeconds} s reached at step ${state.step}`);
      break;
    }
  }
  await unfinished;
  bar?.stop();
  if (!checkpointDirectory) checkpointDirectory = await saveCheckpoint();
  model.dispose();
  optimizer.dispose();
  return { step: state.step, losses, checkpointDirectory };
}
