import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits } from './mask-bce-loss.js';
import { DEFAULT_DICE_EPSILON, diceLoss } from './mask-dice-loss.js';
import { classCrossEntropy, DEFAULT_IGNORE_LABEL, readClassLabels, type ClassLabels } from './class-cross-entropy-loss.js';
import { LossInputError } from './loss-input-error.js';
import { toValidityWeights, type IgnoreMask } from './point-weights.js';

/** One decoder stage's predictions (structurally the decoder's stage output). */
export interface StagePrediction {
  /** Mask logits, `[pointCount, queryCount]`. */
  maskLogits: tf.Tensor2D;
  /** Class logits, `[queryCount, classCount]`. */
  classLogits: tf.Tensor2D;
}

/** Inputs of {@link totalLoss}. */
export interface TotalLossInput {
  /** Predictions of every decoder stage; each is supervised (deep supervision). */
  stages: readonly StagePrediction[];
  /** Ground-truth mask of each query's object, `[pointCount, queryCount]`, values in [0, 1]. */
  targets: tf.Tensor2D;
  /** Class of each query's object, `[queryCount]` (the ignore label for none). */
  classLabels: ClassLabels;
  /** Unlabeled points, `[pointCount]`, non-zero = ignore in BCE and Dice. */
  ignoreMask?: IgnoreMask;
}

/** Loss weights λ of Eq. 8 and loss options. */
export interface TotalLossOptions {
  /** λ_BCE. Default {@link DEFAULT_LOSS_WEIGHTS}.bce. */
  bce?: number;
  /** λ_Dice. Default {@link DEFAULT_LOSS_WEIGHTS}.dice. */
  dice?: number;
  /** λ_CE. Default {@link DEFAULT_LOSS_WEIGHTS}.ce. */
  ce?: number;
  /** ε of Eq. 10. Default 1. */
  diceEpsilon?: number;
  /** Class label left out of the CE term. Default -1. */
  ignoreLabel?: number;
  /** Per-class CE weights `[classCount]`. Default: all 1. */
  classWeights?: ArrayLike<number>;
}

/**
 * Default λ's: Mask3D's loss weights (mask BCE 5, Dice 2, class CE 2), which AGILE3D inherits for its
 * mask terms; the paper does not state its values.
 */
export const DEFAULT_LOSS_WEIGHTS: Readonly<{ bce: number; dice: number; ce: number }> = Object.freeze({
  bce: 5,
  dice: 2,
  ce: 2,
});

/** Output of {@link totalLoss}: scalars, each summed over the decoder stages. */
export interface TotalLossOutput {
  /** Eq. 8 summed over stages: Σ_stages λ_BCE·BCE + λ_Dice·Dice + λ_CE·CE. */
  total: tf.Scalar;
  /** Σ_stages BCE (unweighted). */
  bce: tf.Scalar;
  /** Σ_stages Dice (unweighted). */
  dice: tf.Scalar;
  /** Σ_stages CE (unweighted). */
  ce: tf.Scalar;
}

/**
 * Eq. 8 with deep supervision: the weighted sum of BCE (Eq. 9), Dice (Eq. 10) and class cross-entropy
 * (Eq. 11), summed over every decoder stage, all against the same targets.
 */
export function totalLoss(input: TotalLossInput, options: TotalLossOptions = {}): TotalLossOutput {
  const { stages, targets, classLabels, ignoreMask } = input;
  if (stages.length === 0) throw new LossInputError('totalLoss', 'stages.length', 'at least 1', '0');
  if (targets.rank !== 2) throw new LossInputError('totalLoss', 'targets.rank', '2 ([pointCount, queryCount])', String(targets.rank));
  const [pointCount, queryCount] = targets.shape;
  const weights = {
    bce: options.bce ?? DEFAULT_LOSS_WEIGHTS.bce,
    dice: options.dice ?? DEFAULT_LOSS_WEIGHTS.dice,
    ce: options.ce ?? DEFAULT_LOSS_WEIGHTS.ce,
  };
  const ignoreLabel = options.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
  stages.forEach((stage, index) => {
    if (stage.maskLogits.shape.join(',') !== targets.shape.join(',')) {
      throw new LossInputError('totalLoss', `stages[${index}].maskLogits.shape`, `[${targets.shape}] like targets`, `[${stage.maskLogits.shape}]`);
    }
    if (stage.classLogits.rank !== 2 || stage.classLogits.shape[0] !== queryCount) {
      throw new LossInputError('totalLoss', `stages[${index}].classLogits.shape`, `[${queryCount}, classCount]`, `[${stage.classLogits.shape}]`);
    }
  });
  // Read and check the labels once rather than per stage.
  const labels = readClassLabels(classLabels, queryCount, stages[0].classLogits.shape[1], ignoreLabel, 'totalLoss');
  return tf.tidy(() => {
    // Convert the ignore mask once; a [pointCount] tensor of 0/1 is what the losses accept.
    const validity = toValidityWeights(ignoreMask, pointCount, 'totalLoss');
    const ignore = validity ? (tf.reshape(tf.sub(1, validity), [pointCount]) as tf.Tensor1D) : undefined;
    let bce: tf.Tensor = tf.scalar(0);
    let dice: tf.Tensor = tf.scalar(0);
    let ce: tf.Tensor = tf.scalar(0);
    for (const stage of stages) {
      bce = tf.add(bce, binaryCrossEntropyWithLogits(stage.maskLogits, targets, { ignoreMask: ignore }));
      dice = tf.add(dice, diceLoss(stage.maskLogits, targets, { ignoreMask: ignore, epsilon: options.diceEpsilon ?? DEFAULT_DICE_EPSILON }));
      ce = tf.add(ce, classCrossEntropy(stage.classLogits, labels, { ignoreLabel, classWeights: options.classWeights }));
    }
    // Eq. 8
    const total = tf.addN([tf.mul(bce, weights.bce), tf.mul(dice, weights.dice), tf.mul(ce, weights.ce)]);
    return { total: total as tf.Scalar, bce: bce as tf.Scalar, dice: dice as tf.Scalar, ce: ce as tf.Scalar };
  });
}
