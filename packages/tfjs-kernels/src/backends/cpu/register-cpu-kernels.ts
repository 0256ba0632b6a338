import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { segmentMaxCpuConfig } from './segment-max-cpu.js';
import { segmentMaxGradCpuConfig } from './segment-max-grad-cpu.js';
import { segmentSumCpuConfig } from './segment-sum-cpu.js';

/** Kernels this package adds to the cpu backend. */
export const CPU_KERNEL_CONFIGS: KernelConfig[] = [segmentMaxCpuConfig, segmentMaxGradCpuConfig, segmentSumCpuConfig];

for (const config of CPU_KERNEL_CONFIGS) registerKernel(config);
