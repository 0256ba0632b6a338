import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { SEGMENT_SUM, type SegmentSumAttrs, type SegmentSumInputs } from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';
import { segmentSumValues } from '../shared/segment-sum-values.js';
import { findMatMulWasmRuntime } from './mat-mul-wasm.js';
import { fillWasmOutputs, type WasmBackendLike } from './wasm-backend-like.js';

/**
 * Segment sum on the wasm heap: float32 in C (`native/segment-sum-kernel.c`, in place on the backend's memory),
 * int32 or a backend without a plain memory in JavaScript over heap views; both add rows in order, so they
 * round alike. The wasm backend ships no `UnsortedSegmentSum`, which also breaks `tf.gather`'s gradient there.
 */
const segmentSumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentSumInputs;
  const { numSegments } = attrs as unknown as SegmentSumAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const rowCount = x.shape[0];
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const channels = rowCount === 0 ? util.sizeFromShape(innerShape) : util.sizeFromShape(x.shape) / rowCount;
  const output = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
  const heap = (tensor: TensorInfo) => wasm.typedArrayFromHeap(tensor);
  const runtime = x.dtype === 'float32' ? findMatMulWasmRuntime(backend) : null;
  return fillWasmOutputs(wasm, output, () => {
    if (runtime == null || numSegments * channels === 0) {
      segmentSumValues(heap(x) as Float32Array, heap(segmentIds) as Int32Array, channels, numSegments, heap(output) as Float32Array);
      return;
    }
    const ids = heap(segmentIds) as Int32Array;
    const badRow = runtime.kernel.segment_sum(heap(output).byteOffset, heap(x).byteOffset, ids.byteOffset, rowCount, channels, numSegments);
    if (badRow >= 0) {
      throw new KernelArgumentError('unsortedSegmentSum', `segmentIds[${badRow}]`, `below numSegments (${numSegments})`, String(ids[badRow]));
    }
  });
};

/** `PointclickSegmentSum` on wasm. */
export const segmentSumWasmConfig: KernelConfig = { kernelName: SEGMENT_SUM, backendName: 'wasm', kernelFunc: segmentSumWasm };

/** The stock `UnsortedSegmentSum` kernel, missing from `@tensorflow/tfjs-backend-wasm` 4.22. */
export const unsortedSegmentSumWasmConfig: KernelConfig = { kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: segmentSumWasm };
