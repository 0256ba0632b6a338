import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { createBatchMatMulWasmConfig } from './batch-mat-mul-wasm.js';
import { maskLogitsWasmConfig } from './mask-logits-wasm.js';
import { prepareMatMulWasm } from './mat-mul-wasm.js';
import { patchAttentionGradWasmConfig, patchAttentionWasmConfig, preparePatchAttentionWasm } from './patch-attention-wasm.js';
import { gatherRowsWasmConfig } from './row-gather-wasm.js';
import { geluWasmConfig, layerNormWasmConfig } from './row-norm-wasm.js';
import { segmentMaxGradWasmConfig } from './segment-max-grad-wasm.js';
import { segmentMaxWasmConfig } from './segment-max-wasm.js';
import { sparseConvolutionWasmConfig } from './sparse-convolution-wasm.js';
import { segmentSumWasmConfig, unsortedSegmentSumWasmConfig } from './segment-sum-wasm.js';

/** Kernels this package adds to the wasm backend. */
export const WASM_KERNEL_CONFIGS: KernelConfig[] = [
  unsortedSegmentSumWasmConfig,
  segmentSumWasmConfig,
  segmentMaxWasmConfig,
  segmentMaxGradWasmConfig,
  gatherRowsWasmConfig,
  patchAttentionWasmConfig,
  patchAttentionGradWasmConfig,
  sparseConvolutionWasmConfig,
  maskLogitsWasmConfig,
  layerNormWasmConfig,
  geluWasmConfig,
];

for (const config of WASM_KERNEL_CONFIGS) registerKernel(config);
// Compiles the fused attention module in the background (browsers refuse large synchronous compiles).
void preparePatchAttentionWasm();
void prepareMatMulWasm();

// Overrides a stock kernel, so it is registered apart from the kernels this package adds.
const batchMatMulConfig = createBatchMatMulWasmConfig();
if (batchMatMulConfig) registerKernel(batchMatMulConfig);
