import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { createBatchMatMulWasmConfig } from './batch-mat-mul-wasm.js';
import { gatherRowsWasmConfig } from './row-gather-wasm.js';
import { segmentMaxGradWasmConfig } from './segment-max-grad-wasm.js';
import { segmentMaxWasmConfig } from './segment-max-wasm.js';
import { segmentSumWasmConfig, unsortedSegmentSumWasmConfig } from './segment-sum-wasm.js';

/** Kernels this package adds to the wasm backend. */
export const WASM_KERNEL_CONFIGS: KernelConfig[] = [
  unsortedSegmentSumWasmConfig,
  segmentSumWasmConfig,
  segmentMaxWasmConfig,
  segmentMaxGradWasmConfig,
  gatherRowsWasmConfig,
];

for (const config of WASM_KERNEL_CONFIGS) registerKernel(config);

// Overrides a stock kernel, so it is registered apart from the kernels this package adds.
const batchMatMulConfig = createBatchMatMulWasmConfig();
if (batchMatMulConfig) registerKernel(batchMatMulConfig);
