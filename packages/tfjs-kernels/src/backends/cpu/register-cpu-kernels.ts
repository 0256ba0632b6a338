import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { maskLogitsCpuConfig } from './mask-logits-cpu.js';
import { segmentMaxCpuConfig } from './segment-max-cpu.js';
import { segmentMaxGradCpuConfig } from './segment-max-grad-cpu.js';
import { segmentSumCpuConfig } from './segment-sum-cpu.js';
import { geluCpuConfig, layerNormCpuConfig } from './row-norm-cpu.js';

/** Kernels this package adds to the cpu backend. */
export const CPU_KERNEL_CONFIGS: KernelConfig[] = [segmentMaxCpuConfig, segmentMaxGradCpuConfig, segmentSumCpuConfig, maskLogitsCpuConfig, layerNormCpuConfig, geluCpuConfig];

for (const config of CPU_KERNEL_CONFIGS) registerKernel(config);
