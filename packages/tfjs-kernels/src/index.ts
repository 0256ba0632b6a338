export { gatherRows } from './ops/row-gather-op.js';
export { maskLogitsWithPriors, composeMaskLogitsWithPriors } from './ops/mask-logits-op.js';
export type { MaskLogitsPriors, MaskPriorTerm } from './ops/mask-logits-op.js';
export { patchAttention, referencePatchAttention } from './ops/patch-attention-op.js';
export { layerNorm, composeLayerNorm, gelu, composeGelu, ROW_NORM_KERNEL_ELEMENT_LIMIT } from './ops/row-norm-op.js';
export { segmentMax, segmentMaxWithArgmax } from './ops/segment-max-op.js';
export { sparseConvolution, composeSparseConvolution } from './ops/sparse-convolution-op.js';
export { unsortedSegmentSum } from './ops/segment-sum-op.js';
export { KernelArgumentError } from './kernels/kernel-argument-error.js';
export {
  GATHER_ROWS,
  GELU,
  LAYER_NORM,
  MASK_LOGITS_WITH_PRIORS,
  PATCH_ATTENTION,
  PATCH_ATTENTION_GRAD,
  SEGMENT_MAX,
  SEGMENT_MAX_GRAD,
  SEGMENT_SUM,
  SPARSE_CONVOLUTION,
  SPARSE_CONVOLUTION_FEATURE_GRAD,
  SPARSE_CONVOLUTION_WEIGHT_GRAD,
} from './kernels/kernel-names.js';
export type {
  GatherRowsInputs,
  GeluInputs,
  LayerNormAttrs,
  LayerNormInputs,
  MaskLogitsWithPriorsInputs,
  PatchAttentionAttrs,
  PatchAttentionGradInputs,
  PatchAttentionInputs,
  SegmentMaxAttrs,
  SegmentMaxGradAttrs,
  SegmentMaxGradInputs,
  SegmentMaxInputs,
  SegmentSumAttrs,
  SegmentSumInputs,
  SparseConvolutionFeatureGradAttrs,
  SparseConvolutionFeatureGradInputs,
  SparseConvolutionInputs,
  SparseConvolutionWeightGradAttrs,
  SparseConvolutionWeightGradInputs,
} from './kernels/kernel-names.js';
export type { BackendName, BackendInfo, InitializeBackendOptions } from './runtime/backend-options.js';
