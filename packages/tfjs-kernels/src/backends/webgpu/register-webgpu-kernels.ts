import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';

/** Kernels this package adds to the WebGPU backend. */
export const WEBGPU_KERNEL_CONFIGS: KernelConfig[] = [];

for (const config of WEBGPU_KERNEL_CONFIGS) registerKernel(config);
