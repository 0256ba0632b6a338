import type { PointTransformerV3Config } from './point-transformer-config.js';
import { inputChannelsOf } from './point-transformer-config.js';

/** Analytic multiply-add count of one forward pass (2 FLOPs per multiply-add), by layer kind. */
export interface FlopCount {
  /** Sparse convolutions (stem and every xCPE), counted densely over the kernel as executed (im2col). */
  convolution: number;
  /** Linear layers (xCPE linear, qkv, proj, MLP, pooling and unpooling projections). */
  linear: number;
  /** Patch attention (q·kᵀ and attention·v over padded patches). */
  attention: number;
  /** Sum of the above; element-wise ops (norms, GELU, softmax) are not counted. */
  total: number;
}

/**
 * FLOPs of a forward pass given the voxel count of every level (finest first, one per encoder stage).
 */
export function countForwardFlops(config: PointTransformerV3Config, voxelCounts: number[]): FlopCount {
  let convolution = 0;
  let linear = 0;
  let attention = 0;
  const block = (voxels: number, channels: number, patchSize: number) => {
    convolution += 2 * voxels * 27 * channels * channels;
    const hidden = Math.round(channels * config.mlpRatio);
    linear += 2 * voxels * (channels * channels + 3 * channels * channels + channels * channels + 2 * channels * hidden);
    const size = Math.min(patchSize, voxels);
    const paddedTokens = Math.ceil(voxels / size) * size;
    attention += 4 * paddedTokens * size * channels;
  };
  convolution += 2 * voxelCounts[0] * config.stemKernelSize ** 3 * inputChannelsOf(config.inputLayout) * config.encoderChannels[0];
  config.encoderDepths.forEach((depth, stage) => {
    if (stage > 0) linear += 2 * voxelCounts[stage - 1] * config.encoderChannels[stage - 1] * config.encoderChannels[stage];
    for (let index = 0; index < depth; index++) block(voxelCounts[stage], config.encoderChannels[stage], config.encoderPatchSizes[stage]);
  });
  const decoderChannels = [...config.decoderChannels, config.encoderChannels[config.encoderChannels.length - 1]];
  for (let stage = config.decoderDepths.length - 1; stage >= 0; stage--) {
    linear += 2 * voxelCounts[stage + 1] * decoderChannels[stage + 1] * decoderChannels[stage];
    linear += 2 * voxelCounts[stage] * config.encoderChannels[stage] * decoderChannels[stage];
    for (let index = 0; index < config.decoderDepths[stage]; index++) {
      block(voxelCounts[stage], decoderChannels[stage], config.decoderPatchSizes[stage]);
    }
  }
  return { convolution, linear, attention, total: convolution + linear + attention };
}
