import {
  customGrad,
  engine,
  matMul,
  mul,
  softmax,
  sub,
  sum,
  tidy,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import { PATCH_ATTENTION, PATCH_ATTENTION_GRAD, type PatchAttentionAttrs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from './argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';

/**
 * Multi-head attention inside fixed-size patches (Point Transformer V3's serialized patch
 * attention): for every patch and head, `softmax(q kᵀ · scale) v`.
 *
 * Runs the backend's fused `PointclickPatchAttention` kernel where registered, else batched
 * `tf.matMul` + `tf.softmax`. The gradient is written by hand (`dS = P ⊙ (dP − rowsum(dP ⊙ P))`)
 * and uses the fused `PointclickPatchAttentionGrad` kernel where registered.
 *
 * @param query [patchCount, headCount, patchSize, headChannels] float32.
 * @param key Same shape as `query`.
 * @param value Same shape as `query`.
 * @param scale Logit multiplier, usually `1 / sqrt(headChannels)`.
 * @returns [patchCount, headCount, patchSize, headChannels] float32.
 */
export function patchAttention(query: Tensor4D, key: Tensor4D, value: Tensor4D, scale: number): Tensor4D {
  for (const [field, tensor] of [
    ['key', key],
    ['value', value],
  ] as const) {
    if (tensor.rank !== 4 || tensor.shape.some((size, axis) => size !== query.shape[axis])) {
      throw new KernelArgumentError('patchAttention', `${field}.shape`, `query.shape [${query.shape}]`, `[${tensor.shape}]`);
    }
  }
  if (query.rank !== 4) throw new KernelArgumentError('patchAttention', 'query.rank', '4', String(query.rank));
  if (!Number.isFinite(scale)) throw new KernelArgumentError('patchAttention', 'scale', 'a finite number', String(scale));
  const run = customGrad(((q: Tensor, k: Tensor, v: Tensor, save: (tensors: Tensor[]) => void) => {
    save([q, k, v]);
    return {
      value: runPatchAttention(q as Tensor4D, k as Tensor4D, v as Tensor4D, scale),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        runPatchAttentionGrad(saved[0] as Tensor4D, saved[1] as Tensor4D, saved[2] as Tensor4D, dy as Tensor4D, scale),
    };
  }) as unknown as CustomGradientFunction);
  return run(query, key, value) as Tensor4D;
}

/** Forward pass: fused kernel or stock composition. */
function runPatchAttention(query: Tensor4D, key: Tensor4D, value: Tensor4D, scale: number): Tensor4D {
  if (hasKernel(PATCH_ATTENTION)) {
    const attrs: PatchAttentionAttrs = { scale };
    return engine().runKernel(PATCH_ATTENTION, { query, key, value }, attrs) as Tensor4D;
  }
  return referencePatchAttention(query, key, value, scale);
}

/** Backward pass: fused kernel or stock composition. Returns [dQuery, dKey, dValue]. */
function runPatchAttentionGrad(query: Tensor4D, key: Tensor4D, value: Tensor4D, outputGradient: Tensor4D, scale: number): Tensor4D[] {
  if (hasKernel(PATCH_ATTENTION_GRAD)) {
    const attrs: PatchAttentionAttrs = { scale };
    return engine().runKernel(PATCH_ATTENTION_GRAD, { query, key, value, outputGradient }, attrs) as unknown as Tensor4D[];
  }
  return tidy(() => {
    // [patchCount, headCount, patchSize, patchSize]
    const probabilities = softmax(mul(matMul(query, key, false, true), scale));
    const valueGradient = matMul(probabilities, outputGradient, true, false);
    const probabilityGradient = matMul(outputGradient, value, false, true);
    const rowDot = sum(mul(probabilityGradient, probabilities), -1, true);
    const logitGradient = mul(mul(probabilities, sub(probabilityGradient, rowDot)), scale);
    const queryGradient = matMul(logitGradient, key);
    const keyGradient = matMul(logitGradient, query, true, false);
    return [queryGradient, keyGradient, valueGradient] as Tensor4D[];
  });
}

/**
 * Plain stock-op patch attention (no custom gradient): the reference the fused kernels are
 * checked against.
 */
export function referencePatchAttention(query: Tensor4D, key: Tensor4D, value: Tensor4D, scale: number): Tensor4D {
  return tidy(() => matMul(softmax(mul(matMul(query, key, false, true), scale)), value));
}
