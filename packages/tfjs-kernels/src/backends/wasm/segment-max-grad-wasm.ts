import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX_GRAD, type SegmentMaxGradAttrs, type SegmentMaxGradInputs } from '../../kernels/kernel-names.js';
import { segmentMaxGradValues } from '../shared/segment-max-values.js';
import { fillWasmOutputs, type WasmBackendLike } from './wasm-backend-like.js';

/** O(segments · channels) scatter; the stock-op gradient (two gathers, equal, mul) is O(rows · channels) and much slower on wasm. */
const segmentMaxGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, argmax } = inputs as SegmentMaxGradInputs;
  const { rowCount } = attrs as unknown as SegmentMaxGradAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const channels = dy.shape[1];
  const output = wasm.makeOutput([rowCount, channels], 'float32');
  const heap = (tensor: TensorInfo) => wasm.typedArrayFromHeap(tensor);
  return fillWasmOutputs(wasm, output, () => segmentMaxGradValues(heap(dy) as Float32Array, heap(argmax) as Int32Array, channels, heap(output) as Float32Array));
};

/** `PointclickSegmentMaxGrad` on wasm. */
export const segmentMaxGradWasmConfig: KernelConfig = { kernelName: SEGMENT_MAX_GRAD, backendName: 'wasm', kernelFunc: segmentMaxGradWasm };
