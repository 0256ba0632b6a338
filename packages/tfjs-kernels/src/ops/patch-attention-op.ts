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
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';

/**
 * Multi-head attention inside fixed-size patches (Point Transformer V3's serialized patch
 * attention): for every patch and head, `softmax(q kᵀ · scale) v`.
 *
 * Runs the backend's fused `PointclickPatchAttention` kernel where registered, else batched
 * `tf.matMul` + `tf.softmax`. The gradient is written by hand (`dS = P ⊙ (dP − rowsum(dP ⊙ P))`;
 * the stock path saves P from the forward pass instead of recomputing it)
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
    if (hasKernel(PATCH_ATTENTION)) {
      save([q, k, v]);
      const attrs: PatchAttentionAttrs = { scale };
      return {
        value: engine().runKernel(PATCH_ATTENTION, { query: q, key: k, value: v }, attrs) as Tensor4D,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [savedQuery, savedKey, savedValue] = saved as Tensor4D[];
          if (hasKernel(PATCH_ATTENTION_GRAD)) return runPatchAttentionGrad(savedQuery, savedKey, savedValue, dy as Tensor4D, scale);
          // A backend with a fused forward but no fused gradient: recompute P with stock ops.
          return tidy(() => {
            const probabilities = softmax(matMul(mul(savedQuery, scale), savedKey, false, true)) as Tensor4D;
            return stockPatchAttentionGrad(savedQuery, savedKey, savedValue, probabilities, dy as Tensor4D, scale);
          });
        },
      };
    }
    // Stock composition: the probabilities are saved for the backward pass instead of being
    // recomputed there (one batched matMul and a softmax fewer per training step; the stock
    // softmax gradient keeps the same tensor alive, so peak memory does not grow).
    // The scale is applied to q ([…, patchSize, headChannels]) rather than to the logits
    // ([…, patchSize, patchSize]): fewer multiplications whenever headChannels < patchSize.
    const probabilities = softmax(matMul(mul(q, scale), k, false, true)); // [patchCount, headCount, patchSize, patchSize]
    save([q, k, v, probabilities]);
    return {
      value: matMul(probabilities, v) as Tensor4D,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [savedQuery, savedKey, savedValue, savedProbabilities] = saved as Tensor4D[];
        if (hasKernel(PATCH_ATTENTION_GRAD)) return runPatchAttentionGrad(savedQuery, savedKey, savedValue, dy as Tensor4D, scale);
        return stockPatchAttentionGrad(savedQuery, savedKey, savedValue, savedProbabilities, dy as Tensor4D, scale);
      },
    };
  }) as unknown as CustomGradientFunction);
  return run(query, key, value) as Tensor4D;
}

/** Backward pass through the fused `PointclickPatchAttentionGrad` kernel. Returns [dQuery, dKey, dValue]. */
function runPatchAttentionGrad(query: Tensor4D, key: Tensor4D, value: Tensor4D, outputGradient: Tensor4D, scale: number): Tensor4D[] {
  const attrs: PatchAttentionAttrs = { scale };
  return engine().runKernel(PATCH_ATTENTION_GRAD, { query, key, value, outputGradient }, attrs) as unknown as Tensor4D[];
}

/**
 * Backward pass from stock ops, given the forward probabilities P = softmax(q kᵀ · scale):
 * dV = Pᵀ dY, dP = dY Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS K · scale, dK = dSᵀ Q · scale.
 * Returns [dQuery, dKey, dValue].
 */
function stockPatchAttentionGrad(
  query: Tensor4D,
  key: Tensor4D,
  value: Tensor4D,
  probabilities: Tensor4D,
  outputGradient: Tensor4D,
  scale: number,
): Tensor4D[] {
  return tidy(() => {
    const valueGradient = matMul(probabilities, outputGradient, true, false);
    const probabilityGradient = matMul(outputGradient, value, false, true); // [patchCount, headCount, patchSize, patchSize]
    const rowDot = sum(mul(probabilityGradient, probabilities), -1, true);
    const logitGradient = mul(probabilities, sub(probabilityGradient, rowDot));
    // The scale multiplies the [..., patchSize, headChannels] results, not the larger logit gradient.
    const queryGradient = mul(matMul(logitGradient, key), scale);
    const keyGradient = mul(matMul(logitGradient, query, true, false), scale);
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
