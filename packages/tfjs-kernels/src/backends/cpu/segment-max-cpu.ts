import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, type SegmentMaxAttrs, type SegmentMaxInputs } from '../../kernels/kernel-names.js';
import { segmentMaxValues } from '../shared/segment-max-values.js';
import type { CpuBackendLike } from './cpu-backend-like.js';

const segmentMaxCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentMaxInputs;
  const { numSegments } = attrs as unknown as SegmentMaxAttrs;
  const cpu = backend as unknown as CpuBackendLike;
  const channels = x.shape[1];
  const { maxima, argmax } = segmentMaxValues(
    cpu.data.get(x.dataId).values as Float32Array,
    cpu.data.get(segmentIds.dataId).values as Int32Array,
    channels,
    numSegments,
  );
  return [
    cpu.makeTensorInfo([numSegments, channels], 'float32', maxima),
    cpu.makeTensorInfo([numSegments, channels], 'int32', argmax),
  ] as TensorInfo[];
};

/** `PointclickSegmentMax` on the cpu backend. */
export const segmentMaxCpuConfig: KernelConfig = { kernelName: SEGMENT_MAX, backendName: 'cpu', kernelFunc: segmentMaxCpu };
