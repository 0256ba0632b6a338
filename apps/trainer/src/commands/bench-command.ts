import * as tf from '@tensorflow/tfjs-core';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { createSegmenterConfig } from '../config/model-presets.js';
import { validateTrainingConfig, type TrainingConfig } from '../config/training-config.js';
import { AdamOptimizer } from '../training/adam-optimizer.js';
import { formatBytes, readBackendMemory, type BackendMemory } from '../training/backend-memory.js';
import { applyStepGradients, computeStepGradients, createStepContext, prepareStep, type StepContext } from '../training/optimization-step.js';
import { computeStepLoss } from '../training/training-step.js';
import { loadPreprocessedScenes } from '../training/training-data.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Model preset. */
  preset: 'lite' | 'base' | 'tiny';
  /** Points per step: a crop size, or `all` for whole scenes. */
  points: number | 'all';
  /** Measured steps (after `warmupSteps`). */
  steps: number;
  /** Steps run first and not measured (shader compilation, buffer pool growth). */
  warmupSteps: number;
  /** A dataset folder to draw scenes from (e.g. `../shared/data/scannet-votenet`); default 2 synthetic rooms. */
  data?: string;
  /** Backbone voxel size in metres; default the preset's. */
  gridSize?: number;
  /** Scene cache directory. */
  cacheDirectory: string;
  /** Edge length of the square float32 matMul measured as the reference (default 2048). */
  matMulSize: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

/** Mean milliseconds per step of each phase, each measured to a completed read-back. */
export interface PhaseMilliseconds {
  /** Sampling, augmentation and click drawing (and correction passes, if configured) on the CPU. */
  data: number;
  /** The forward pass to the loss. */
  forward: number;
  /** The backward pass: (forward + backward) − forward. */
  backward: number;
  /** Gradient clipping and the AdamW update. */
  optimizer: number;
}

/** What `pointclick-train bench` measures. */
export interface BenchResult {
  backend: string;
  preset: string;
  /** Parameters of the model. */
  parameterCount: number;
  /** Mean input points and finest voxels per measured step. */
  meanPoints: number;
  meanVoxels: number;
  /** Measured steps. */
  steps: number;
  /** Optimisation steps per second: 1000 / (data + forward-and-backward + optimizer milliseconds). */
  stepsPerSecond: number;
  phases: PhaseMilliseconds;
  /** The largest backend memory figures seen over the measured steps. */
  memory: BackendMemory;
  /** The reference: a square float32 matMul on the same backend in the same run. */
  matMul: { size: number; milliseconds: number; gigaflops: number };
  /** Milliseconds of one training step over milliseconds of the reference matMul. */
  stepToMatMulRatio: number;
}

/** Waits until everything enqueued so far on the backend has run: reads a tiny tensor made after it back, asynchronously. */
async function drainBackend(anchor: tf.Tensor): Promise<void> {
  // The backends run kernels in submission order, so a kernel enqueued now finishes after all earlier ones.
  const probe = tf.tidy(() => tf.sum(tf.slice(tf.reshape(anchor, [-1]), 0, 1)));
  await probe.data();
  probe.dispose();
}

/** Milliseconds of one `size`² float32 matMul, the median of 5 runs after a warm-up. */
async function measureMatMul(size: number): Promise<number> {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const times: number[] = [];
  for (let run = 0; run < 6; run++) {
    await drainBackend(a);
    const started = performance.now();
    const product = tf.matMul(a, b);
    await drainBackend(product);
    product.dispose();
    if (run > 0) times.push(performance.now() - started);
  }
  tf.dispose([a, b]);
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

/** The training configuration a bench runs with: the default recipe's settings at the chosen size. */
function benchConfig(options: BenchOptions): TrainingConfig {
  const sources = options.data
    ? [{ kind: 'folder' as const, directory: options.data, exclude: [] }]
    : [{ kind: 'synthetic-indoor' as const, sceneCount: 2, seed: 1000 }];
  return validateTrainingConfig(
    {
      preset: options.preset,
      gridSize: options.gridSize,
      seed: 7,
      data: { sources, pointBudget: options.points, minClicks: 10, maxClicks: 30, cacheDirectory: options.cacheDirectory },
      schedule: { steps: options.warmupSteps + options.steps, warmupSteps: 0 },
      validation: { everySteps: 0 },
    },
    'bench',
  );
}

/** The larger of two optional byte counts. */
function larger(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** Runs one step phase by phase, each drained before the next; returns the phase times and the finest voxel count. */
async function measureStep(context: StepContext, stepIndex: number): Promise<{ phases: PhaseMilliseconds; points: number; voxels: number }> {
  const started = performance.now();
  const prepared = await prepareStep(context, stepIndex);
  const preparedAt = performance.now();
  // The forward pass alone, to a completed read of the loss (its intermediates freed by the tidy).
  let terms: tf.Tensor | undefined;
  let voxels = 0;
  const total = tf.tidy(() => {
    const forward = computeStepLoss(context.model, prepared.scene, prepared.step, context.config.loss);
    terms = forward.terms;
    voxels = forward.voxelCount;
    return forward.total;
  });
  await total.data();
  tf.dispose([total, terms!]);
  const forwardDone = performance.now();
  const { gradients, terms: stepTerms } = computeStepGradients(context, prepared);
  const smallest = [...gradients.values()].reduce((a, b) => (b.size < a.size ? b : a));
  await drainBackend(smallest);
  const backwardDone = performance.now();
  stepTerms.dispose();
  const norm = applyStepGradients(context, gradients, prepared.learningRate);
  await drainBackend(norm);
  norm.dispose();
  const optimizerDone = performance.now();
  return {
    phases: {
      data: preparedAt - started,
      forward: forwardDone - preparedAt,
      backward: backwardDone - forwardDone - (forwardDone - preparedAt),
      optimizer: optimizerDone - backwardDone,
    },
    points: prepared.scene.pointCount,
    voxels,
  };
}

/**
 * `pointclick-train bench`: training steps of a preset on the active backend, timed phase by phase (each phase
 * drained by an asynchronous read, so the figures are device time, not enqueue time), the backend's memory,
 * and a large matMul on the same backend in the same run as the reference.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const config = benchConfig(options);
  const segmenterConfig = createSegmenterConfig(config.preset, config.seed, config.gridSize);
  const scenes = await loadPreprocessedScenes(config.data.sources, { cacheDirectory: config.data.cacheDirectory, voxelSize: segmenterConfig.backbone.gridSize, seed: config.seed });
  const model = new InteractiveSegmentationModel(segmenterConfig);
  const optimizer = new AdamOptimizer({ weightDecay: config.optimizer.weightDecay, beta1: config.optimizer.beta1, beta2: config.optimizer.beta2, epsilon: config.optimizer.epsilon });
  model.setTraining(true);
  const context = createStepContext(config, scenes, model, optimizer);
  const backend = tf.getBackend();
  options.log(`bench: ${config.preset} (${model.countParams().toLocaleString('en-US')} parameters) on ${backend}, ${scenes.length} scenes, points per step ${options.points}`);
  const totals: PhaseMilliseconds = { data: 0, forward: 0, backward: 0, optimizer: 0 };
  let memory = readBackendMemory();
  let points = 0;
  let voxels = 0;
  try {
    for (let step = 0; step < options.warmupSteps + options.steps; step++) {
      const measured = await measureStep(context, step);
      const now = readBackendMemory();
      memory = { ...now, tensorBytes: Math.max(memory.tensorBytes, now.tensorBytes), backendBytes: larger(memory.backendBytes, now.backendBytes), gpuBytesInUse: larger(memory.gpuBytesInUse, now.gpuBytesInUse) };
      const label = step < options.warmupSteps ? 'warm-up' : 'step';
      const { phases } = measured;
      options.log(`  ${label} ${step + 1}: ${measured.points} points, data ${phases.data.toFixed(0)} ms, forward ${phases.forward.toFixed(0)} ms, backward ${phases.backward.toFixed(0)} ms, optimizer ${phases.optimizer.toFixed(0)} ms, ${backend} memory ${formatBytes(now.backendBytes)}`);
      if (step < options.warmupSteps) continue;
      for (const key of Object.keys(totals) as (keyof PhaseMilliseconds)[]) totals[key] += phases[key];
      points += measured.points;
      voxels += measured.voxels;
    }
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  const phases = Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, value / options.steps])) as unknown as PhaseMilliseconds;
  const stepMilliseconds = phases.data + phases.forward + phases.backward + phases.optimizer;
  const matMulMilliseconds = await measureMatMul(options.matMulSize);
  return {
    backend,
    preset: config.preset,
    parameterCount: model.countParams(),
    meanPoints: points / options.steps,
    meanVoxels: voxels / options.steps,
    steps: options.steps,
    stepsPerSecond: 1000 / stepMilliseconds,
    phases,
    memory,
    matMul: { size: options.matMulSize, milliseconds: matMulMilliseconds, gigaflops: (2 * options.matMulSize ** 3) / (matMulMilliseconds * 1e6) },
    stepToMatMulRatio: stepMilliseconds / matMulMilliseconds,
  };
}

/** The bench result as printed lines. */
export function formatBenchResult(result: BenchResult): string[] {
  const { phases, matMul, memory } = result;
  return [
    `${result.preset} on ${result.backend}: ${result.stepsPerSecond.toFixed(3)} steps/s over ${result.steps} steps (mean ${Math.round(result.meanPoints)} points, ${Math.round(result.meanVoxels)} voxels per step)`,
    `  ms per step: data ${phases.data.toFixed(1)}, forward ${phases.forward.toFixed(1)}, backward ${phases.backward.toFixed(1)}, optimizer ${phases.optimizer.toFixed(1)}`,
    `  memory: ${result.backend} ${formatBytes(memory.backendBytes)} held by the backend (peak bound), tensors ${formatBytes(memory.tensorBytes)}`,
    `  reference: ${matMul.size}×${matMul.size} float32 matMul ${matMul.milliseconds.toFixed(2)} ms (${matMul.gigaflops.toFixed(1)} GFLOP/s); one step = ${result.stepToMatMulRatio.toFixed(1)} matMuls`,
  ];
}
