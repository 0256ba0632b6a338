import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { GELU, LAYER_NORM, type GeluInputs, type LayerNormAttrs, type LayerNormInputs } from '../../kernels/kernel-names.js';
import { geluValues, layerNormValues } from '../shared/row-norm-values.js';
import type { CpuBackendLike } from './cpu-backend-like.js';

const layerNormCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as LayerNormInputs;
  const cpu = backend as unknown as CpuBackendLike;
  const values = (tensor: typeof x) => cpu.data.get(tensor.dataId).values;
  const output = new Float32Array(values(x).length);
  layerNormValues(values(x), values(gamma), values(beta), (attrs as unknown as LayerNormAttrs).epsilon, x.shape[x.shape.length - 1], output);
  return cpu.makeTensorInfo([...x.shape], 'float32', output);
};

const geluCpu: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as GeluInputs;
  const cpu = backend as unknown as CpuBackendLike;
  const values = cpu.data.get(x.dataId).values;
  const output = new Float32Array(values.length);
  geluValues(values, output);
  return cpu.makeTensorInfo([...x.shape], 'float32', output);
};

/** `PointclickLayerNorm` on the cpu backend. */
export const layerNormCpuConfig: KernelConfig = { kernelName: LAYER_NORM, backendName: 'cpu', kernelFunc: layerNormCpu };
/** `PointclickGelu` on the cpu backend. */
export const geluCpuConfig: KernelConfig = { kernelName: GELU, backendName: 'cpu', kernelFunc: geluCpu };
