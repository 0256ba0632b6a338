import { util, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { SEGMENT_SUM, type SegmentSumAttrs, type SegmentSumInputs } from '../../kernels/kernel-names.js';
import { segmentSumValues } from '../shared/segment-sum-values.js';
import type { CpuBackendLike } from './cpu-backend-like.js';

/** O(rows · channels) segment sum; the stock cpu `UnsortedSegmentSum` is O(segments · rows · channels). */
const segmentSumCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentSumInputs;
  const { numSegments } = attrs as unknown as SegmentSumAttrs;
  const cpu = backend as unknown as CpuBackendLike;
  const channels = util.sizeFromShape(x.shape) / x.shape[0];
  const output = new Float32Array(numSegments * channels);
  segmentSumValues(cpu.data.get(x.dataId).values as Float32Array, cpu.data.get(segmentIds.dataId).values as Int32Array, channels, numSegments, output);
  return cpu.makeTensorInfo([numSegments, channels], 'float32', output);
};

/** `PointclickSegmentSum` on the cpu backend. */
export const segmentSumCpuConfig: KernelConfig = { kernelName: SEGMENT_SUM, backendName: 'cpu', kernelFunc: segmentSumCpu };
