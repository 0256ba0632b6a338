import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import {
  PATCH_ATTENTION,
  PATCH_ATTENTION_GRAD,
  type PatchAttentionAttrs,
  type PatchAttentionGradInputs,
  type PatchAttentionInputs,
} from '../../kernels/kernel-names.js';
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

/** Fused forward on WebGPU (WGSL); the gradient is {@link patchAttentionGradWebGpuConfig}. */
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

/**
 * Backward pass in the style of FlashAttention-2, in four shaders that never write a
 * [patchSize, patchSize] tensor. With P_ij = exp(scale·q_i·k_j − lse_i) recomputed where needed and
 * D_i = Σ_j P_ij (dY_i·v_j) = dY_i·O_i:
 *   statistics (per query row): lse_i and D_i;
 *   dQ_i = scale · Σ_j P_ij (dY_i·v_j − D_i) k_j (per query row);
 *   dK_j = scale · Σ_i P_ij (dY_i·v_j − D_i) q_i and dV_j = Σ_i P_ij dY_i (per key row).
 */
type GradientPart = 'statistics' | 'query' | 'key' | 'value';

class PatchAttentionGradProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'scale : f32, rows : i32,';

  constructor(
    private readonly part: GradientPart,
    shape: number[],
    private readonly patchSize: number,
    private readonly channels: number,
  ) {
    const rows = shape[0] * shape[1] * patchSize;
    this.outputShape = part === 'statistics' ? [rows, 2] : shape; // statistics: [rows, (lse, D)]
    this.variableNames = part === 'statistics' ? ['queries', 'keys', 'values', 'outputGradient'] : ['queries', 'keys', 'values', 'outputGradient', 'statistics'];
    this.dispatchLayout = { x: [0] };
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, [rows], this.workgroupSize);
    this.shaderKey = `pointclickPatchAttentionGrad_${part}_${patchSize}_${channels}`;
  }

  getUserCode(): string {
    const header = `
      const PATCH_SIZE = ${this.patchSize};
      const CHANNELS = ${this.channels};
      fn dotRows(a : i32, b : i32, useValues : bool) -> f32 {
        var dot = 0.0;
        for (var channel = 0; channel < CHANNELS; channel++) {
          if (useValues) {
            dot += outputGradient[a + channel] * values[b + channel];
          } else {
            dot += queries[a + channel] * keys[b + channel];
          }
        }
        return dot;
      }
    `;
    // Per query row: its offset and its patch's first row's offset in the [rows, CHANNELS] inputs.
    const queryRowMain = `${header}
      fn main(index : i32) {
        let row = index;
        if (row >= uniforms.rows) { return; }
        let rowBase = row * CHANNELS;
        let blockBase = (row / PATCH_SIZE) * PATCH_SIZE * CHANNELS;
`;
    if (this.part === 'statistics') {
      return `${queryRowMain}        var maximum = -3.402823e+38f;
        for (var column = 0; column < PATCH_SIZE; column++) {
          maximum = max(maximum, dotRows(rowBase, blockBase + column * CHANNELS, false) * uniforms.scale);
        }
        var total = 0.0;
        var weighted = 0.0;
        for (var column = 0; column < PATCH_SIZE; column++) {
          let weight = exp(dotRows(rowBase, blockBase + column * CHANNELS, false) * uniforms.scale - maximum);
          total += weight;
          weighted += weight * dotRows(rowBase, blockBase + column * CHANNELS, true);
        }
        result[row * 2] = maximum + log(total);
        result[row * 2 + 1] = weighted / total;
      }
    `;
    }
    if (this.part === 'query') {
      return `${queryRowMain}        let logSum = statistics[row * 2];
        let rowDot = statistics[row * 2 + 1];
        var accumulator : array<f32, ${this.channels}>;
        for (var column = 0; column < PATCH_SIZE; column++) {
          let keyBase = blockBase + column * CHANNELS;
          let probability = exp(dotRows(rowBase, keyBase, false) * uniforms.scale - logSum);
          let logitGradient = probability * (dotRows(rowBase, keyBase, true) - rowDot);
          for (var channel = 0; channel < CHANNELS; channel++) {
            accumulator[channel] += logitGradient * keys[keyBase + channel];
          }
        }
        for (var channel = 0; channel < CHANNELS; channel++) {
          result[rowBase + channel] = accumulator[channel] * uniforms.scale;
        }
      }
    `;
    }
    // Key and value gradients: one invocation per key row j, summing over the query rows i of its patch.
    const accumulate =
      this.part === 'key'
        ? 'accumulator[channel] += probability * (dotRows(queryBase, keyBase, true) - statistics[queryRow * 2 + 1]) * queries[queryBase + channel];'
        : 'accumulator[channel] += probability * outputGradient[queryBase + channel];';
    const factor = this.part === 'key' ? ' * uniforms.scale' : '';
    return `${header}
      fn main(index : i32) {
        let keyRow = index;
        if (keyRow >= uniforms.rows) { return; }
        let keyBase = keyRow * CHANNELS;
        let firstRow = (keyRow / PATCH_SIZE) * PATCH_SIZE;
        var accumulator : array<f32, ${this.channels}>;
        for (var within = 0; within < PATCH_SIZE; within++) {
          let queryRow = firstRow + within;
          let queryBase = queryRow * CHANNELS;
          let probability = exp(dotRows(queryBase, keyBase, false) * uniforms.scale - statistics[queryRow * 2]);
          for (var channel = 0; channel < CHANNELS; channel++) {
            ${accumulate}
          }
        }
        for (var channel = 0; channel < CHANNELS; channel++) {
          result[keyBase + channel] = accumulator[channel]${factor};
        }
      }
    `;
  }
}

/** Fused backward on WebGPU: `[queryGradient, keyGradient, valueGradient]`. */
const patchAttentionGradWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { query, key, value, outputGradient } = inputs as PatchAttentionGradInputs;
  const { scale } = attrs as unknown as PatchAttentionAttrs;
  const webgpu = backend as WebGPUBackend;
  const [patchCount, headCount, patchSize, channels] = query.shape;
  const uniforms = [
    { type: 'float32', data: [scale] },
    { type: 'int32', data: [patchCount * headCount * patchSize] },
  ];
  const forwardInputs = [query, key, value, outputGradient];
  const statistics = webgpu.runWebGPUProgram(new PatchAttentionGradProgram('statistics', query.shape, patchSize, channels), forwardInputs, 'float32', uniforms);
  const gradients = (['query', 'key', 'value'] as const).map((part) =>
    webgpu.runWebGPUProgram(new PatchAttentionGradProgram(part, query.shape, patchSize, channels), [...forwardInputs, statistics], 'float32', uniforms),
  );
  webgpu.disposeData(statistics.dataId);
  return gradients;
};

/** `PointclickPatchAttentionGrad` on WebGPU. */
export const patchAttentionGradWebGpuConfig: KernelConfig = {
  kernelName: PATCH_ATTENTION_GRAD,
  backendName: 'webgpu',
  kernelFunc: patchAttentionGradWebGpu,
};
