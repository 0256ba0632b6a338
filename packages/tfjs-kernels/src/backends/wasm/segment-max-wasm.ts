import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, type SegmentMaxAttrs, type SegmentMaxInputs } from '../../kernels/kernel-names.js';
import { segmentMaxValues } from '../shared/segment-max-values.js';
import { fillWasmOutputs, type WasmBackendLike } from './wasm-backend-like.js';

const segmentMaxWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentMaxInputs;
  const { numSegments } = attrs as unknown as SegmentMaxAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const [maxima, argmax] = [wasm.makeOutput([numSegments, x.shape[1]], 'float32'), wasm.makeOutput([numSegments, x.shape[1]], 'int32')];
  const heap = (tensor: TensorInfo) => wasm.typedArrayFromHeap(tensor);
  return fillWasmOutputs(wasm, [maxima, argmax], () =>
    segmentMaxValues(heap(x) as Float32Array, heap(segmentIds) as Int32Array, x.shape[1], numSegments, heap(maxima) as Float32Array, heap(argmax) as Int32Array),
  );
};

/** `PointclickSegmentMax` on wasm (JavaScript over the wasm heap). */
export const segmentMaxWasmConfig: KernelConfig = { kernelName: SEGMENT_MAX, backendName: 'wasm', kernelFunc: segmentMaxWasm };
