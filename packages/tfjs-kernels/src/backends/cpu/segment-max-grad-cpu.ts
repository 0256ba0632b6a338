import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { SEGMENT_MAX_GRAD, type SegmentMaxGradAttrs, type SegmentMaxGradInputs } from '../../kernels/kernel-names.js';
import { segmentMaxGradValues } from '../shared/segment-max-values.js';
import type { CpuBackendLike } from './cpu-backend-like.js';

const segmentMaxGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, argmax } = inputs as SegmentMaxGradInputs;
  const { rowCount } = attrs as unknown as SegmentMaxGradAttrs;
  const cpu = backend as unknown as CpuBackendLike;
  const channels = dy.shape[1];
  const output = new Float32Array(rowCount * channels);
  segmentMaxGradValues(cpu.data.get(dy.dataId).values as Float32Array, cpu.data.get(argmax.dataId).values as Int32Array, channels, output);
  return cpu.makeTensorInfo([rowCount, channels], 'float32', output);
};

/** `PointclickSegmentMaxGrad` on the cpu backend. */
export const segmentMaxGradCpuConfig: KernelConfig = { kernelName: SEGMENT_MAX_GRAD, backendName: 'cpu', kernelFunc: segmentMaxGradCpu };
