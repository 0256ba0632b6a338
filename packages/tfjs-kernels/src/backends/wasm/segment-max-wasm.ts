import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, type SegmentMaxAttrs, type SegmentMaxInputs } from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';
import { segmentMaxValues } from '../shared/segment-max-values.js';
import { findMatMulWasmRuntime } from './mat-mul-wasm.js';
import { fillWasmOutputs, type WasmBackendLike } from './wasm-backend-like.js';

/**
 * Segment max on the wasm heap: float32 in C (`native/segment-max-kernel.c`, in place on the backend's memory;
 * about a third of the JavaScript loop's time on the backbone's pooling), elsewhere JavaScript over heap views.
 * Both make the same comparisons in the same row order, so maxima and argmax agree to the bit.
 */
const segmentMaxWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentMaxInputs;
  const { numSegments } = attrs as unknown as SegmentMaxAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const channels = x.shape[1];
  const [maxima, argmax] = [wasm.makeOutput([numSegments, channels], 'float32'), wasm.makeOutput([numSegments, channels], 'int32')];
  const heap = (tensor: TensorInfo) => wasm.typedArrayFromHeap(tensor);
  const runtime = x.dtype === 'float32' ? findMatMulWasmRuntime(backend) : null;
  return fillWasmOutputs(wasm, [maxima, argmax], () => {
    if (runtime == null) {
      segmentMaxValues(heap(x) as Float32Array, heap(segmentIds) as Int32Array, channels, numSegments, heap(maxima) as Float32Array, heap(argmax) as Int32Array);
      return;
    }
    const ids = heap(segmentIds) as Int32Array;
    const badRow = runtime.kernel.segment_max(heap(maxima).byteOffset, heap(argmax).byteOffset, heap(x).byteOffset, ids.byteOffset, x.shape[0], channels, numSegments);
    if (badRow >= 0) {
      throw new KernelArgumentError('segmentMax', `segmentIds[${badRow}]`, `in [0, ${numSegments})`, String(ids[badRow]));
    }
  });
};

/** `PointclickSegmentMax` on wasm. */
export const segmentMaxWasmConfig: KernelConfig = { kernelName: SEGMENT_MAX, backendName: 'wasm', kernelFunc: segmentMaxWasm };
