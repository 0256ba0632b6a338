import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { maskLogitsWebGpuConfig } from './mask-logits-webgpu.js';
import { patchAttentionGradWebGpuConfig, patchAttentionWebGpuConfig } from './patch-attention-webgpu.js';
import { gatherRowsWebGpuConfig, segmentMaxGradWebGpuConfig, segmentMaxWebGpuConfig, segmentSumWebGpuConfig } from './segment-webgpu.js';
import {
  sparseConvolutionFeatureGradWebGpuConfig,
  sparseConvolutionWebGpuConfig,
  sparseConvolutionWeightGradWebGpuConfig,
} from './sparse-convolution-webgpu.js';

/** Kernels this package adds to the WebGPU backend. */
export const WEBGPU_KERNEL_CONFIGS: KernelConfig[] = [
  patchAttentionWebGpuConfig,
  patchAttentionGradWebGpuConfig,
  sparseConvolutionWebGpuConfig,
  sparseConvolutionWeightGradWebGpuConfig,
  sparseConvolutionFeatureGradWebGpuConfig,
  gatherRowsWebGpuConfig,
  segmentSumWebGpuConfig,
  segmentMaxWebGpuConfig,
  segmentMaxGradWebGpuConfig,
  maskLogitsWebGpuConfig,
];

for (const config of WEBGPU_KERNEL_CONFIGS) registerKernel(config);
