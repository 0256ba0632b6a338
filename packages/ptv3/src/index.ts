export { PointTransformerV3, createPointTransformerV3 } from './model/point-transformer-v3.js';
export type { PointHierarchy } from './model/point-transformer-v3.js';
export type { BackboneInput, BackboneLevel, BackboneOutput } from './model/backbone-output.js';
export { BASE_CONFIG, LITE_CONFIG, inputChannelsOf, validateConfig } from './model/point-transformer-config.js';
export type { InputLayout, PointTransformerV3Config, PointTransformerV3Preset } from './model/point-transformer-config.js';
export { countForwardFlops } from './model/flop-count.js';
export type { FlopCount } from './model/flop-count.js';
export { PointLevel, poolLevel, shuffleLevelOrders } from './levels/point-level.js';
export type { PooledLevel } from './levels/point-level.js';
export { sampleGrid } from './grid/grid-sampler.js';
export type { GridSample } from './grid/grid-sampler.js';
export {
  MAX_SERIALIZATION_DEPTH,
  SERIALIZATION_ORDERS,
  computeSerializationDepth,
  encodeHilbert,
  encodeSerializationCodes,
  encodeZOrder,
} from './serialization/serialization-codes.js';
export type { SerializationOrder } from './serialization/serialization-codes.js';
export { argsortCodes, invertPermutation } from './serialization/code-sort.js';
export { computePatchPadding } from './serialization/patch-padding.js';
export type { PatchPadding } from './serialization/patch-padding.js';
export { VoxelHash, buildNeighbourTable } from './sparse/voxel-hash.js';
export { gatherRows, patchAttention, segmentMax } from './ops/point-ops.js';
export type { SegmentLayout } from './ops/point-ops.js';
export { SubmanifoldConvolution } from './layers/submanifold-convolution.js';
export { SerializedAttention } from './layers/serialized-attention.js';
export { TransformerBlock } from './layers/transformer-block.js';
export type { TransformerBlockOptions } from './layers/transformer-block.js';
export { SerializedPooling } from './layers/serialized-pooling.js';
export { SerializedUnpooling } from './layers/serialized-unpooling.js';
export { dropPath } from './layers/drop-path.js';
export { PointTransformerInputError } from './errors/point-transformer-error.js';
export { fastGelu } from './layers/fast-gelu.js';
