/**
 * Backend-agnostic kernel names with their input and attribute types, in the style of
 * `@tensorflow/tfjs-core`'s `kernel_names.ts`. Each backend registers one `KernelConfig` per name
 * (see `src/backends/<backend>/register-<backend>-kernels.ts`); the ops in `src/ops` call
 * `engine().runKernel` with these names when the active backend has the kernel, and fall back to a
 * composition of stock ops otherwise.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Row-wise maximum per segment: outputs `[values, argmax]`. */
export const SEGMENT_MAX = 'PointclickSegmentMax';
/** Inputs of {@link SEGMENT_MAX}: `x` [rowCount, channels] float32, `segmentIds` [rowCount] int32. */
export type SegmentMaxInputs = { x: TensorInfo; segmentIds: TensorInfo };
/** Attributes of {@link SEGMENT_MAX}. */
export interface SegmentMaxAttrs extends NamedAttrMap {
  /** Number of output rows (segments); ids must lie in [0, numSegments). */
  numSegments: number;
}

/** Gradient of {@link SEGMENT_MAX}: `out[argmax[s, c], c] += dy[s, c]`. */
export const SEGMENT_MAX_GRAD = 'PointclickSegmentMaxGrad';
/** Inputs of {@link SEGMENT_MAX_GRAD}: `dy` [numSegments, channels] float32, `argmax` [numSegments, channels] int32. */
export type SegmentMaxGradInputs = { dy: TensorInfo; argmax: TensorInfo };
/** Attributes of {@link SEGMENT_MAX_GRAD}. */
export interface SegmentMaxGradAttrs extends NamedAttrMap {
  /** Rows of the forward input `x`. */
  rowCount: number;
}

/** Row gather: `out[i, :] = x[indices[i], :]`. */
export const GATHER_ROWS = 'PointclickGatherRows';
/** Inputs of {@link GATHER_ROWS}: `x` [rowCount, channels], `indices` [gatherCount] int32. */
export type GatherRowsInputs = { x: TensorInfo; indices: TensorInfo };

/** Unsorted segment sum over rows: `out[s, :] = Σ_{i: ids[i] = s} x[i, :]`; negative ids are dropped. */
export const SEGMENT_SUM = 'PointclickSegmentSum';
/** Inputs of {@link SEGMENT_SUM}: `x` [rowCount, channels], `segmentIds` [rowCount] int32. */
export type SegmentSumInputs = { x: TensorInfo; segmentIds: TensorInfo };
/** Attributes of {@link SEGMENT_SUM}. */
export interface SegmentSumAttrs extends NamedAttrMap {
  /** Number of output rows (segments). */
  numSegments: number;
}

/** Fused attention within patches: `softmax(q kᵀ · scale) v` for every patch and head. */
export const PATCH_ATTENTION = 'PointclickPatchAttention';
/** Gradient of {@link PATCH_ATTENTION}: outputs `[queryGradient, keyGradient, valueGradient]`. */
export const PATCH_ATTENTION_GRAD = 'PointclickPatchAttentionGrad';
/** Inputs of {@link PATCH_ATTENTION}: each [patchCount, headCount, patchSize, headChannels] float32. */
export type PatchAttentionInputs = { query: TensorInfo; key: TensorInfo; value: TensorInfo };
/** Inputs of {@link PATCH_ATTENTION_GRAD}: the forward inputs plus `outputGradient` of the same shape. */
export type PatchAttentionGradInputs = PatchAttentionInputs & { outputGradient: TensorInfo };
/** Attributes of {@link PATCH_ATTENTION} and {@link PATCH_ATTENTION_GRAD}. */
export interface PatchAttentionAttrs extends NamedAttrMap {
  /** Multiplier applied to the logits before the softmax, usually `1 / sqrt(headChannels)`. */
  scale: number;
}

/**
 * Submanifold sparse convolution, gather fused into the product:
 * `out[v, :] = bias + Σ_k Σ_j features[neighbours[v, k], j] · weights[k·channels + j, :]`; a neighbour
 * of -1 or `sourceRows` (`features.shape[0]`) is absent and contributes nothing.
 */
export const SPARSE_CONVOLUTION = 'PointclickSparseConvolution';
/**
 * Inputs of {@link SPARSE_CONVOLUTION}: `features` [sourceRows, channels] float32, `neighbours`
 * [rows, offsets] int32, `weights` [offsets·channels, outputChannels] float32 (rows offset-major),
 * optional `bias` [outputChannels] float32.
 */
export type SparseConvolutionInputs = { features: TensorInfo; neighbours: TensorInfo; weights: TensorInfo; bias?: TensorInfo };

/**
 * Gradient of {@link SPARSE_CONVOLUTION} with respect to `features`:
 * `out[neighbours[v, k], j] += Σ_o outputGradient[v, o] · weights[k·channels + j, o]` for every present neighbour.
 */
export const SPARSE_CONVOLUTION_FEATURE_GRAD = 'PointclickSparseConvolutionFeatureGrad';
/** Inputs of {@link SPARSE_CONVOLUTION_FEATURE_GRAD}: `outputGradient` [rows, outputChannels], `neighbours`, `weights` as in the forward pass. */
export type SparseConvolutionFeatureGradInputs = { outputGradient: TensorInfo; neighbours: TensorInfo; weights: TensorInfo };
/** Attributes of {@link SPARSE_CONVOLUTION_FEATURE_GRAD}. */
export interface SparseConvolutionFeatureGradAttrs extends NamedAttrMap {
  /** Rows of the forward input `features` (the output's rows). */
  sourceRows: number;
}

/**
 * Gradient of {@link SPARSE_CONVOLUTION} with respect to `weights`, in row chunks:
 * `out[c, k·channels + j, o] = Σ_{v in chunk c} features[neighbours[v, k], j] · outputGradient[v, o]`;
 * the weight gradient is the sum over chunks (axis 0), which the op takes.
 */
export const SPARSE_CONVOLUTION_WEIGHT_GRAD = 'PointclickSparseConvolutionWeightGrad';
/** Inputs of {@link SPARSE_CONVOLUTION_WEIGHT_GRAD}: `features`, `neighbours` as in the forward pass, `outputGradient` [rows, outputChannels]. */
export type SparseConvolutionWeightGradInputs = { features: TensorInfo; neighbours: TensorInfo; outputGradient: TensorInfo };
/** Attributes of {@link SPARSE_CONVOLUTION_WEIGHT_GRAD}. */
export interface SparseConvolutionWeightGradAttrs extends NamedAttrMap {
  /** Output rows summed per chunk; the output has `ceil(rows / chunkRows)` chunks. */
  chunkRows: number;
}

/**
 * The decoder's mask logits with their click priors, one pass:
 * `out[r, c] = ((product[r, c] + rowBias[c]) + (distanceKernel[r, c]·distanceGain + distanceBias))
 * + (geodesicBias − geodesicDistances[r, c]·geodesicGain)`, each bracketed term only when its inputs are given.
 */
export const MASK_LOGITS_WITH_PRIORS = 'PointclickMaskLogitsWithPriors';
/**
 * Inputs of {@link MASK_LOGITS_WITH_PRIORS}, all float32: `product` [rows, columns]; optional `rowBias`
 * ([columns] or [1, columns]); the distance term `distanceKernel` [rows, columns] with scalars `distanceGain`,
 * `distanceBias` (all three or none); the geodesic term `geodesicDistances` [rows, columns] with scalars
 * `geodesicGain`, `geodesicBias` (all three or none).
 */
export type MaskLogitsWithPriorsInputs = {
  product: TensorInfo;
  rowBias?: TensorInfo;
  distanceKernel?: TensorInfo;
  distanceGain?: TensorInfo;
  distanceBias?: TensorInfo;
  geodesicDistances?: TensorInfo;
  geodesicGain?: TensorInfo;
  geodesicBias?: TensorInfo;
};

/**
 * Layer normalisation over the last axis, one pass per row: `out = (x − mean)/√(variance + epsilon)·gamma + beta`
 * (mean and biased variance of the row, in float64, rounded to float32 once at the end).
 */
export const LAYER_NORM = 'PointclickLayerNorm';
/** Inputs of {@link LAYER_NORM}, all float32: `x` [..., channels], `gamma` and `beta` [channels]. */
export type LayerNormInputs = { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
/** Attributes of {@link LAYER_NORM}: `epsilon`, added to the variance. */
export interface LayerNormAttrs extends NamedAttrMap {
  epsilon: number;
}

/** GELU, tanh approximation, element-wise: `out = x·sigmoid(2√(2/π)·(x + 0.044715·x³))` (float64, rounded once). */
export const GELU = 'PointclickGelu';
/** Inputs of {@link GELU}: `x`, float32, any shape. */
export type GeluInputs = { x: TensorInfo };
