import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, type SegmentMaxAttrs, type SegmentMaxInputs } from '../../kernels/kernel-names.js';
import { segmentMaxValues } from '../shared/segment-max-values.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

const segmentMaxWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentMaxInputs;
  const { numSegments } = attrs as unknown as SegmentMaxAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const channels = x.shape[1];
  const maxima = wasm.makeOutput([numSegments, channels], 'float32');
  const argmax = wasm.makeOutput([numSegments, channels], 'int32');
  try {
    segmentMaxValues(
      wasm.typedArrayFromHeap(x) as Float32Array,
      wasm.typedArrayFromHeap(segmentIds) as Int32Array,
      channels,
      numSegments,
      wasm.typedArrayFromHeap(maxima) as Float32Array,
      wasm.typedArrayFromHeap(argmax) as Int32Array,
    );
  } catch (error) {
    wasm.disposeData(maxima.dataId, true);
    wasm.disposeData(argmax.dataId, true);
    throw error;
  }
  return [maxima, argmax];
};

/** `PointclickSegmentMax` on wasm (JavaScript over the wasm heap). */
export const segmentMaxWasmConfig: KernelConfig = { kernelName: SEGMENT_MAX, backendName: 'wasm', kernelFunc: segmentMaxWasm };
