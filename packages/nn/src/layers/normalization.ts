import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '@pointclick/tfjs-kernels';
import { Module } from '../module/module.js';

/** Layer normalisation over the last axis with learned scale and shift. */
export class LayerNorm extends Module {
  /** Normalised channels. */
  readonly channels: number;
  /** Added to the variance for numerical stability. */
  readonly epsilon: number;
  /** `[channels]` */
  readonly gamma: tf.Variable;
  /** `[channels]` */
  readonly beta: tf.Variable;

  constructor(name: string, channels: number, epsilon = 1e-5) {
    super(name);
    this.channels = channels;
    this.epsilon = epsilon;
    this.gamma = this.addVariable('gamma', tf.ones([channels]));
    this.beta = this.addVariable('beta', tf.zeros([channels]));
  }

  /**
   * Normalises `[..., channels]` (`layerNorm` of `@pointclick/tfjs-kernels`: one fused kernel on cpu and wasm for
   * small tensors such as the decoder's queries, the stock ops otherwise).
   */
  apply(input: tf.Tensor): tf.Tensor {
    return layerNorm(input, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.epsilon);
  }
}

/**
 * Batch normalisation over the rows of `[rows, channels]` (for point clouds a "batch" is the set of
 * points). Training mode uses the batch statistics and updates the running ones; inference uses the
 * running statistics.
 */
export class BatchNorm extends Module {
  /** Normalised channels. */
  readonly channels: number;
  /** Added to the variance for numerical stability. */
  readonly epsilon: number;
  /** Weight of the new batch statistic in the running average (PyTorch convention). */
  readonly momentum: number;
  /** `[channels]` */
  readonly gamma: tf.Variable;
  /** `[channels]` */
  readonly beta: tf.Variable;
  /** `[channels]`, not trainable. */
  readonly runningMean: tf.Variable;
  /** `[channels]`, not trainable. */
  readonly runningVariance: tf.Variable;

  constructor(name: string, channels: number, epsilon = 1e-3, momentum = 0.01) {
    super(name);
    this.channels = channels;
    this.epsilon = epsilon;
    this.momentum = momentum;
    this.gamma = this.addVariable('gamma', tf.ones([channels]));
    this.beta = this.addVariable('beta', tf.zeros([channels]));
    this.runningMean = this.addVariable('running_mean', tf.zeros([channels]), false);
    this.runningVariance = this.addVariable('running_variance', tf.ones([channels]), false);
  }

  /** Normalises `[rows, channels]`. */
  apply(input: tf.Tensor2D): tf.Tensor2D {
    if (!this.training) {
      return tf.tidy(() =>
        tf.add(
          tf.mul(tf.mul(tf.sub(input, this.runningMean), tf.rsqrt(tf.add(this.runningVariance, this.epsilon))), this.gamma),
          this.beta,
        ),
      ) as tf.Tensor2D;
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(input, 0);
      // Running statistics are updated outside the gradient path.
      const rows = input.shape[0];
      const unbiased = rows > 1 ? tf.mul(variance, rows / (rows - 1)) : variance;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - this.momentum), tf.mul(mean, this.momentum)));
      this.runningVariance.assign(tf.add(tf.mul(this.runningVariance, 1 - this.momentum), tf.mul(unbiased, this.momentum)));
      const normalised = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.gamma), this.beta) as tf.Tensor2D;
    });
  }
}
