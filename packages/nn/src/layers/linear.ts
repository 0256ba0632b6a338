import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module/module.js';
import type { Initializer } from '../module/initializers.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether to add a bias vector. Default true. */
  bias?: boolean;
}

/** y = x W + b over the last axis; any leading axes are kept. */
export class Linear extends Module {
  /** Input channels. */
  readonly inputChannels: number;
  /** Output channels. */
  readonly outputChannels: number;
  /** `[inputChannels, outputChannels]` */
  readonly weight: tf.Variable;
  /** `[outputChannels]`, absent when built without bias. */
  readonly bias?: tf.Variable;

  constructor(
    name: string,
    inputChannels: number,
    outputChannels: number,
    initializer: Initializer,
    path: string,
    options: LinearOptions = {},
  ) {
    super(name);
    this.inputChannels = inputChannels;
    this.outputChannels = outputChannels;
    this.weight = this.addVariable(
      'weight',
      initializer.glorotUniform(`${path}.weight`, [inputChannels, outputChannels], inputChannels, outputChannels),
    );
    if (options.bias ?? true) this.bias = this.addVariable('bias', tf.zeros([outputChannels]));
  }

  /** Applies the layer to `[..., inputChannels]`, returning `[..., outputChannels]`. */
  apply(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = input.shape;
      const flat = shape.length === 2 ? (input as tf.Tensor2D) : tf.reshape(input, [-1, this.inputChannels]) as tf.Tensor2D;
      let output: tf.Tensor = tf.matMul(flat, this.weight);
      if (this.bias) output = tf.add(output, this.bias);
      return shape.length === 2 ? output : tf.reshape(output, [...shape.slice(0, -1), this.outputChannels]);
    });
  }
}
