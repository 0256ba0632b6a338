import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module/module.js';
import type { Initializer } from '../module/initializers.js';
import { Linear } from './linear.js';
import { gelu } from './activations.js';

/** Two linear layers with a GELU between them: `[..., in] → [..., hidden] → [..., out]`. */
export class Mlp extends Module {
  /** First layer. */
  readonly first: Linear;
  /** Second layer. */
  readonly second: Linear;

  constructor(
    name: string,
    inputChannels: number,
    hiddenChannels: number,
    outputChannels: number,
    initializer: Initializer,
    path: string,
  ) {
    super(name);
    this.first = this.addChild(new Linear('fc1', inputChannels, hiddenChannels, initializer, `${path}.fc1`));
    this.second = this.addChild(new Linear('fc2', hiddenChannels, outputChannels, initializer, `${path}.fc2`));
  }

  /** Applies the MLP. */
  apply(input: tf.Tensor): tf.Tensor {
    const hidden = gelu(this.first.apply(input));
    const output = this.second.apply(hidden);
    hidden.dispose();
    return output;
  }
}
