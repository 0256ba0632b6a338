import * as tf from '@tensorflow/tfjs-core';
import type { AugmentedScene, PreprocessedScene, TrainingStep } from '@pointclick/datasets';
import type { InteractiveSegmentationModel } from '@pointclick/segmenter';
import type { BackboneOutput } from '@pointclick/ptv3';
import { ConfigError, type TrainingConfig } from '../config/training-config.js';
import { clipGradientsByGlobalNorm, type AdamOptimizer } from './adam-optimizer.js';
import { readBackendMemory, type BackendMemory } from './backend-memory.js';
import { learningRateAt } from './learning-rate-schedule.js';
import { sampleTrainingStep } from './training-data.js';
import { computeStepLoss, drawCorrectionClicks, readStepLosses, type StepLosses } from './training-step.js';

/** Everything an optimisation step needs that does not change between steps. */
export interface StepContext {
  config: TrainingConfig;
  scenes: PreprocessedScene[];
  model: InteractiveSegmentationModel;
  optimizer: AdamOptimizer;
  /** Variables by path (the optimizer's keys). */
  variables: Map<string, tf.Variable>;
  trainable: tf.Variable[];
  /** Variable path by TF.js variable name (gradients come keyed by name). */
  pathOfVariable: Map<string, string>;
}

/** Builds the {@link StepContext} of a model in training mode. */
export function createStepContext(config: TrainingConfig, scenes: PreprocessedScene[], model: InteractiveSegmentationModel, optimizer: AdamOptimizer): StepContext {
  const variables = model.namedVariables();
  const pathOfVariable = new Map<string, string>();
  for (const [path, variable] of variables) pathOfVariable.set(variable.name, path);
  let trainable = config.optimizer.freezeBackbone ? model.decoder.trainableVariables() : model.trainableVariables();
  const only = config.optimizer.trainOnly;
  if (only) {
    const pathOf = (variable: tf.Variable) => pathOfVariable.get(variable.name) ?? variable.name;
    for (const pattern of only) {
      if (!trainable.some((variable) => pathOf(variable).includes(pattern))) {
        throw new ConfigError(`optimizer.trainOnly: '${pattern}' matches no trainable variable of the model${config.optimizer.freezeBackbone ? "'s decoder (freezeBackbone is on)" : ''}`);
      }
    }
    trainable = trainable.filter((variable) => only.some((pattern) => pathOf(variable).includes(pattern)));
  }
  return { config, scenes, model, optimizer, variables, trainable, pathOfVariable };
}

/** The data phase's result: the sample with its final clicks (drawn plus correction clicks). */
export interface PreparedStep {
  scene: AugmentedScene;
  step: TrainingStep;
  learningRate: number;
  /**
   * With `optimizer.freezeBackbone`: the scene's backbone output, computed once in inference mode and shared by
   * the correction rounds and the loss; `computeStepGradients` disposes it.
   */
  backbone?: BackboneOutput;
}

/**
 * Data phase: samples the step's scene and clicks (a pure function of seed and step) and, on correction steps,
 * adds error-driven clicks (reading the model's masks back asynchronously).
 */
export async function prepareStep(context: StepContext, stepIndex: number): Promise<PreparedStep> {
  const { config } = context;
  const sample = sampleTrainingStep(context.scenes, config, stepIndex);
  let backbone: BackboneOutput | undefined;
  if (config.optimizer.freezeBackbone) {
    context.model.backbone.setTraining(false); // no drop path: the frozen backbone is the one inference runs
    backbone = context.model.backbone.apply({ positions: sample.scene.positions, colors: sample.scene.colors });
  }
  const clicks = await drawCorrectionClicks(context.model, sample.scene, sample.step, sample.correctionRounds, backbone);
  const learningRate = learningRateAt(stepIndex, {
    peak: config.optimizer.learningRate,
    warmupSteps: config.schedule.warmupSteps,
    totalSteps: config.schedule.steps,
    finalFraction: config.schedule.finalLearningRateFraction,
  });
  return { scene: sample.scene, step: { ...sample.step, clicks }, learningRate, backbone };
}

/** Gradients of a step keyed by variable path, and the loss terms (kept; read with `readStepLosses`). */
export interface StepGradients {
  gradients: Map<string, tf.Tensor>;
  terms: tf.Tensor1D;
}

/** Forward and backward phase: the loss and its gradients, enqueued on the backend without reading anything back. */
export function computeStepGradients(context: StepContext, prepared: PreparedStep): StepGradients {
  let terms: tf.Tensor1D | undefined;
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = tf.variableGrads(() => {
      const result = computeStepLoss(context.model, prepared.scene, prepared.step, context.config.loss, prepared.backbone);
      terms = result.terms;
      return result.total;
    }, context.trainable));
  } finally {
    prepared.backbone?.dispose();
  }
  value.dispose();
  const gradients = new Map<string, tf.Tensor>();
  for (const [name, gradient] of Object.entries(grads)) gradients.set(context.pathOfVariable.get(name)!, gradient);
  return { gradients, terms: terms! };
}

/** Optimizer phase: clips the gradients by their global norm, applies Adam(W) and frees them. Returns the norm (kept). */
export function applyStepGradients(context: StepContext, gradients: Map<string, tf.Tensor>, learningRate: number): tf.Scalar {
  const gradientNorm = clipGradientsByGlobalNorm(gradients, context.config.optimizer.gradientClipNorm);
  context.optimizer.applyGradients(context.variables, gradients, learningRate);
  tf.dispose([...gradients.values()]);
  return gradientNorm;
}

/** One optimisation step's figures. */
export interface StepReport {
  figures: StepLosses;
  learningRate: number;
  gradientNorm: number;
  pointCount: number;
  /** The backend's memory once the step is enqueued (the WebGPU buffer pool or wasm heap bounds its peak). */
  memory: BackendMemory;
}

/**
 * Runs one whole optimisation step. The backend's work is enqueued before this resolves; the returned
 * `report` resolves once the step's figures are read back (asynchronously), so a caller can start the next
 * step before awaiting it and a WebGPU queue is never drained to read a loss.
 */
export async function runOptimizationStep(context: StepContext, stepIndex: number): Promise<{ report: Promise<StepReport> }> {
  const prepared = await prepareStep(context, stepIndex);
  const { gradients, terms } = computeStepGradients(context, prepared);
  const norm = applyStepGradients(context, gradients, prepared.learningRate);
  const memory = readBackendMemory();
  const report = (async (): Promise<StepReport> => {
    const [figures, [gradientNorm]] = await Promise.all([readStepLosses(terms, prepared.step.clicks.length), norm.data()]);
    norm.dispose();
    return { figures, learningRate: prepared.learningRate, gradientNorm, pointCount: prepared.scene.pointCount, memory };
  })();
  return { report };
}
