import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MASK_LOGITS_WITH_PRIORS, type MaskLogitsWithPriorsInputs } from '../../kernels/kernel-names.js';
import { maskLogitsValues, readMaskLogitsValues } from '../shared/mask-logits-values.js';
import { findMatMulWasmRuntime } from './mat-mul-wasm.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

/** Bits of the C kernel's `terms` argument (native/mask-logits-kernel.c). */
const ROW_BIAS = 1;
const DISTANCE = 2;
const GEODESIC = 4;

/**
 * The mask logits with their priors in one pass: in C (`native/mask-logits-kernel.c`) in place on the backend's
 * memory, or in JavaScript over heap views where the backend has no plain memory (the threaded build).
 */
const maskLogitsWasm: KernelFunc = ({ inputs, backend }) => {
  const named = inputs as MaskLogitsWithPriorsInputs;
  const wasm = backend as unknown as WasmBackendLike;
  const [rows, columns] = named.product.shape;
  const output = wasm.makeOutput([rows, columns], 'float32');
  // Views are taken after the output is allocated (allocating may grow the heap and detach older views).
  const view = (tensor: TensorInfo | undefined) => (tensor ? (wasm.typedArrayFromHeap(tensor) as Float32Array) : undefined);
  const scalar = (tensor: TensorInfo | undefined) => view(tensor)?.[0] ?? 0;
  const runtime = findMatMulWasmRuntime(backend);
  if (runtime == null) {
    maskLogitsValues(readMaskLogitsValues(named, (tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array), columns, view(output)!);
    return output;
  }
  const pointer = (tensor: TensorInfo | undefined) => view(tensor)?.byteOffset ?? 0;
  const terms = (named.rowBias ? ROW_BIAS : 0) | (named.distanceKernel ? DISTANCE : 0) | (named.geodesicDistances ? GEODESIC : 0);
  runtime.kernel.mask_logits_with_priors(
    pointer(output),
    pointer(named.product),
    pointer(named.rowBias),
    pointer(named.distanceKernel),
    scalar(named.distanceGain),
    scalar(named.distanceBias),
    pointer(named.geodesicDistances),
    scalar(named.geodesicGain),
    scalar(named.geodesicBias),
    rows,
    columns,
    terms,
  );
  return output;
};

/** `PointclickMaskLogitsWithPriors` on wasm. */
export const maskLogitsWasmConfig: KernelConfig = { kernelName: MASK_LOGITS_WITH_PRIORS, backendName: 'wasm', kernelFunc: maskLogitsWasm };
