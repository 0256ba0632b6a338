import * as tf from '@tensorflow/tfjs-core';

/** Settings of {@link AdamOptimizer}. */
export interface AdamSettings {
  /** Decoupled weight decay (AdamW) per unit learning rate; 0 gives plain Adam. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Adam / AdamW (Loshchilov & Hutter) with explicit, serialisable state, so a resumed run continues exactly.
 * Moments are keyed by variable name; the learning rate is passed per step (the schedule lives outside).
 */
export class AdamOptimizer {
  private readonly settings: AdamSettings;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();
  /** Number of updates applied so far. */
  stepCount = 0;

  constructor(settings: AdamSettings) {
    this.settings = settings;
  }

  /** Applies one update to `variables` from `gradients` (both keyed by variable name). */
  applyGradients(variables: Map<string, tf.Variable>, gradients: Map<string, tf.Tensor>, learningRate: number): void {
    this.stepCount++;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    const correction1 = 1 - beta1 ** this.stepCount;
    const correction2 = 1 - beta2 ** this.stepCount;
    for (const [name, gradient] of gradients) {
      const variable = variables.get(name);
      if (!variable) throw new Error(`gradient for unknown variable '${name}'`);
      let first = this.firstMoments.get(name);
      let second = this.secondMoments.get(name);
      if (!first || !second) {
        // tf.variable keeps its initial tensor's data alive; the tidy frees the temporary handle.
        first = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
        second = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
        this.firstMoments.set(name, first);
        this.secondMoments.set(name, second);
      }
      const firstMoment = first;
      const secondMoment = second;
      tf.tidy(() => {
        const newFirst = tf.add(tf.mul(firstMoment, beta1), tf.mul(gradient, 1 - beta1));
        const newSecond = tf.add(tf.mul(secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        firstMoment.assign(newFirst);
        secondMoment.assign(newSecond);
        const update = tf.div(tf.div(newFirst, correction1), tf.add(tf.sqrt(tf.div(newSecond, correction2)), epsilon));
        let next = tf.sub(variable, tf.mul(update, learningRate));
        if (weightDecay > 0 && variable.rank > 1) next = tf.sub(next, tf.mul(variable, learningRate * weightDecay));
        variable.assign(next);
      });
    }
  }

  /**
   * Moments and step count as named float32 arrays (for checkpoints), read back asynchronously (`data()`):
   * WebGPU in Node cannot read synchronously.
   */
  async exportState(): Promise<{ stepCount: number; tensors: Array<{ name: string; shape: number[]; values: Float32Array }> }> {
    const tensors: Array<{ name: string; shape: number[]; values: Float32Array }> = [];
    for (const [name, moment] of this.firstMoments) {
      tensors.push({ name: `m/${name}`, shape: [...moment.shape], values: (await moment.data()) as Float32Array });
      const second = this.secondMoments.get(name)!;
      tensors.push({ name: `v/${name}`, shape: [...second.shape], values: (await second.data()) as Float32Array });
    }
    return { stepCount: this.stepCount, tensors };
  }

  /** Restores what {@link exportState} produced. */
  importState(state: { stepCount: number; tensors: Array<{ name: string; shape: number[]; values: Float32Array }> }): void {
    this.dispose();
    this.stepCount = state.stepCount;
    for (const { name, shape, values } of state.tensors) {
      const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false));
      if (name.startsWith('m/')) this.firstMoments.set(name.slice(2), variable);
      else if (name.startsWith('v/')) this.secondMoments.set(name.slice(2), variable);
      else throw new Error(`optimizer state: unexpected tensor '${name}'`);
    }
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const moment of [...this.firstMoments.values(), ...this.secondMoments.values()]) moment.dispose();
    this.firstMoments.clear();
    this.secondMoments.clear();
  }
}

/**
 * Scales every gradient by min(1, maxNorm / globalNorm) (Pascanu et al.), in place in the map. The scale is
 * computed on the backend, so nothing is read back and a WebGPU step is not blocked.
 * @param maxNorm Largest global L2 norm; 0 disables clipping.
 * @returns the global L2 norm before clipping, a scalar the caller disposes (read it with `data()`).
 */
export function clipGradientsByGlobalNorm(gradients: Map<string, tf.Tensor>, maxNorm: number): tf.Scalar {
  // Summed pairwise, not with tf.addN: WebGPU's AddN binds every input to one shader, and hundreds of
  // gradients pass the device's storage-buffer limit (the pipeline is invalid and the step's work is lost).
  const norm = tf.tidy(() => tf.sqrt([...gradients.values()].map((gradient) => tf.sum(tf.square(gradient))).reduce((sum, square) => tf.add(sum, square))) as tf.Scalar);
  if (maxNorm > 0 && gradients.size > 0) {
    // min(1, maxNorm / norm): 1 leaves gradients below the limit as they are.
    const scale = tf.tidy(() => tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.maximum(norm, tf.scalar(1e-30)))));
    for (const [name, gradient] of gradients) {
      gradients.set(name, tf.mul(gradient, scale));
      gradient.dispose();
    }
    scale.dispose();
  }
  return norm;
}
