import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { PATCH_ATTENTION, type PatchAttentionAttrs, type PatchAttentionInputs } from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';

/**
 * One invocation per query row: two passes over the row's patch (the logit maximum, then the
 * exponentials, their sum and the weighted values), so no [patchSize, patchSize] tensor is written.
 * Patch size and channel count are baked into the shader (its cache key); the scale is a uniform.
 * The shader must read `uniforms`: Dawn drops an unused uniform binding from the layout and the
 * backend's bind group then fails to validate.
 */
class PatchAttentionProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames = ['queries', 'keys', 'values'];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'scale : f32,';

  constructor(
    shape: number[],
    private readonly patchSize: number,
    private readonly channels: number,
  ) {
    this.outputShape = shape; // [patchCount, headCount, patchSize, headChannels]
    this.dispatchLayout = { x: [0] };
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, [shape[0] * shape[1] * patchSize], this.workgroupSize);
    this.shaderKey = `pointclickPatchAttention_${patchSize}_${channels}`;
  }

  getUserCode(): string {
    const scale = 'uniforms.scale';
    return `
      const PATCH_SIZE = ${this.patchSize};
      const CHANNELS = ${this.channels};
      fn main(index : i32) {
        let row = index;
        if (row >= uniforms.outShape[0] * uniforms.outShape[1] * PATCH_SIZE) { return; }
        let queryBase = row * CHANNELS;
        let blockBase = (row / PATCH_SIZE) * PATCH_SIZE * CHANNELS;
        var maximum = -3.402823e+38f;
        for (var column = 0; column < PATCH_SIZE; column++) {
          var dot = 0.0;
          for (var channel = 0; channel < CHANNELS; channel++) {
            dot += queries[queryBase + channel] * keys[blockBase + column * CHANNELS + channel];
          }
          maximum = max(maximum, dot * ${scale});
        }
        var total = 0.0;
        var accumulator : array<f32, ${this.channels}>;
        for (var column = 0; column < PATCH_SIZE; column++) {
          var dot = 0.0;
          for (var channel = 0; channel < CHANNELS; channel++) {
            dot += queries[queryBase + channel] * keys[blockBase + column * CHANNELS + channel];
          }
          let weight = exp(dot * ${scale} - maximum);
          total += weight;
          for (var channel = 0; channel < CHANNELS; channel++) {
            accumulator[channel] += weight * values[blockBase + column * CHANNELS + channel];
          }
        }
        for (var channel = 0; channel < CHANNELS; channel++) {
          result[queryBase + channel] = accumulator[channel] / total;
        }
      }
    `;
  }
}

/** Fused forward on WebGPU (WGSL). The gradient stays a stock-op composition on this backend. */
const patchAttentionWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { query, key, value } = inputs as PatchAttentionInputs;
  const { scale } = attrs as unknown as PatchAttentionAttrs;
  for (const [field, tensor] of Object.entries({ query, key, value })) {
    if (tensor.dtype !== 'float32') throw new KernelArgumentError('patchAttention', `${field}.dtype`, 'float32', tensor.dtype);
  }
  const [, , patchSize, channels] = query.shape;
  const program = new PatchAttentionProgram(query.shape, patchSize, channels);
  return (backend as WebGPUBackend).runWebGPUProgram(program, [query, key, value], 'float32', [{ type: 'float32', data: [scale] }]);
};

/** `PointclickPatchAttention` on WebGPU. */
export const patchAttentionWebGpuConfig: KernelConfig = {
  kernelName: PATCH_ATTENTION,
  backendName: 'webgpu',
  kernelFunc: patchAttentionWebGpu,
};
