import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { MASK_LOGITS_WITH_PRIORS, type MaskLogitsWithPriorsInputs } from '../../kernels/kernel-names.js';
import { maskLogitsValues, readMaskLogitsValues } from '../shared/mask-logits-values.js';
import type { CpuBackendLike } from './cpu-backend-like.js';

/** The mask logits with their priors in one pass over plain arrays. */
const maskLogitsCpu: KernelFunc = ({ inputs, backend }) => {
  const named = inputs as MaskLogitsWithPriorsInputs;
  const cpu = backend as unknown as CpuBackendLike;
  const [rows, columns] = named.product.shape;
  const output = new Float32Array(rows * columns);
  maskLogitsValues(readMaskLogitsValues(named, (tensor) => cpu.data.get(tensor.dataId).values as Float32Array), columns, output);
  return cpu.makeTensorInfo([rows, columns], 'float32', output);
};

/** `PointclickMaskLogitsWithPriors` on the cpu backend. */
export const maskLogitsCpuConfig: KernelConfig = { kernelName: MASK_LOGITS_WITH_PRIORS, backendName: 'cpu', kernelFunc: maskLogitsCpu };
