import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { GELU, LAYER_NORM, type GeluInputs, type LayerNormAttrs, type LayerNormInputs } from '../../kernels/kernel-names.js';
import { geluValues, layerNormValues } from '../shared/row-norm-values.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

// JavaScript over views of the backend's heap: the ops send only small tensors here (the decoder's queries), where
// one kernel call instead of a dozen stock ones is what saves time, so there is no C version.

const layerNormWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as LayerNormInputs;
  const wasm = backend as unknown as WasmBackendLike;
  const output = wasm.makeOutput([...x.shape], 'float32');
  // Views are taken after the output is allocated (allocating may grow the heap and detach older views).
  const view = (tensor: typeof x) => wasm.typedArrayFromHeap(tensor) as Float32Array;
  layerNormValues(view(x), view(gamma), view(beta), (attrs as unknown as LayerNormAttrs).epsilon, x.shape[x.shape.length - 1], view(output));
  return output;
};

const geluWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as GeluInputs;
  const wasm = backend as unknown as WasmBackendLike;
  const output = wasm.makeOutput([...x.shape], 'float32');
  geluValues(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(output) as Float32Array);
  return output;
};

/** `PointclickLayerNorm` on wasm. */
export const layerNormWasmConfig: KernelConfig = { kernelName: LAYER_NORM, backendName: 'wasm', kernelFunc: layerNormWasm };
/** `PointclickGelu` on wasm. */
export const geluWasmConfig: KernelConfig = { kernelName: GELU, backendName: 'wasm', kernelFunc: geluWasm };
