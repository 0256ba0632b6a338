import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  SPARSE_CONVOLUTION,
  SPARSE_CONVOLUTION_FEATURE_GRAD,
  SPARSE_CONVOLUTION_WEIGHT_GRAD,
  type SparseConvolutionFeatureGradAttrs,
  type SparseConvolutionFeatureGradInputs,
  type SparseConvolutionInputs,
  type SparseConvolutionWeightGradAttrs,
  type SparseConvolutionWeightGradInputs,
} from '../../kernels/kernel-names.js';
import { FlatProgram, filled, intUniforms } from './flat-program.js';

/*
 * Sparse convolution on WebGPU without the `[rows, offsets·channels]` im2col buffer: every shader reads
 * neighbour rows straight from the features (or scatters into them) through the neighbour table. Sizes are
 * uniforms, not baked into the shaders, so one pipeline serves every layer. A neighbour outside
 * [0, sourceRows) is absent (the op range-checks `Int32Array` tables on the CPU; a tensor's values never
 * reach the CPU here, so out-of-range entries are skipped rather than reported). Every shader reads
 * `uniforms` (Dawn drops an unused uniform binding and the backend's bind group then fails to validate).
 */

/** Forward: one invocation per output element `(row, column)`, summing over offsets and input channels. */
class SparseConvolutionProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'sourceRows : i32, channels : i32, offsets : i32,';

  constructor(
    rows: number,
    columns: number,
    private readonly withBias: boolean,
  ) {
    super([rows, columns], rows * columns);
    this.variableNames = withBias ? ['features', 'neighbours', 'weights', 'bias'] : ['features', 'neighbours', 'weights'];
    this.shaderKey = `pointclickSparseConvolution_${withBias}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let columns = uniforms.outShape[1];
        let row = index / columns;
        let column = index - row * columns;
        var sum = ${this.withBias ? 'bias[column]' : '0.0'};
        for (var offset = 0; offset < uniforms.offsets; offset++) {
          let neighbour = neighbours[row * uniforms.offsets + offset];
          if (neighbour < 0 || neighbour >= uniforms.sourceRows) { continue; }
          let featureBase = neighbour * uniforms.channels;
          let weightBase = offset * uniforms.channels * columns + column;
          for (var channel = 0; channel < uniforms.channels; channel++) {
            sum += features[featureBase + channel] * weights[weightBase + channel * columns];
          }
        }
        result[index] = sum;
      }
    `;
  }
}

/**
 * Weight gradient: one invocation per `(chunk, kernel row, column)`, summing `features[neighbour] · dy` over
 * the chunk's rows (chunks keep every invocation's loop short and give small layers enough invocations).
 */
class SparseConvolutionWeightGradProgram extends FlatProgram {
  variableNames = ['features', 'neighbours', 'outputGradient'];
  shaderKey = 'pointclickSparseConvolutionWeightGrad';
  uniforms = 'sourceRows : i32, channels : i32, offsets : i32, rows : i32, chunkRows : i32,';

  constructor(chunks: number, kernelRows: number, columns: number) {
    super([chunks, kernelRows, columns], chunks * kernelRows * columns);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let columns = uniforms.outShape[2];
        let kernelRows = uniforms.outShape[1];
        let chunk = index / (kernelRows * columns);
        let within = index - chunk * kernelRows * columns;
        let kernelRow = within / columns;
        let column = within - kernelRow * columns;
        let offset = kernelRow / uniforms.channels;
        let channel = kernelRow - offset * uniforms.channels;
        let first = chunk * uniforms.chunkRows;
        let last = min(first + uniforms.chunkRows, uniforms.rows);
        var sum = 0.0;
        for (var row = first; row < last; row++) {
          let neighbour = neighbours[row * uniforms.offsets + offset];
          if (neighbour < 0 || neighbour >= uniforms.sourceRows) { continue; }
          sum += features[neighbour * uniforms.channels + channel] * outputGradient[row * columns + column];
        }
        result[index] = sum;
      }
    `;
  }
}

/**
 * Feature gradient: one invocation per `(row, offset, channel)` computes `dy[row] · W[offset·channels + channel]`
 * and adds it to the neighbour's row with a compare-exchange loop on the float's bits (WGSL has no float
 * atomics; TF.js's own UnsortedSegmentSum does the same). A source row receives at most `offsets` additions
 * per channel, so contention is low; the summation order, and so the last bits, may vary between runs.
 */
class SparseConvolutionFeatureGradProgram extends FlatProgram {
  variableNames = ['outputGradient', 'neighbours', 'weights'];
  shaderKey = 'pointclickSparseConvolutionFeatureGrad';
  uniforms = 'sourceRows : i32, channels : i32, offsets : i32, rows : i32, columns : i32,';
  atomic = true;

  constructor(sourceRows: number, channels: number, invocations: number) {
    super([sourceRows, channels], invocations);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.rows * uniforms.offsets * uniforms.channels) { return; }
        let slot = index / uniforms.channels; // row * offsets + offset
        let channel = index - slot * uniforms.channels;
        let neighbour = neighbours[slot];
        if (neighbour < 0 || neighbour >= uniforms.sourceRows) { return; }
        let row = slot / uniforms.offsets;
        let offset = slot - row * uniforms.offsets;
        let columns = uniforms.columns;
        let gradientBase = row * columns;
        let weightBase = (offset * uniforms.channels + channel) * columns;
        var value = 0.0;
        for (var column = 0; column < columns; column++) {
          value += outputGradient[gradientBase + column] * weights[weightBase + column];
        }
        let destination = neighbour * uniforms.channels + channel;
        var old = atomicLoad(&result[destination]);
        loop {
          let exchange = atomicCompareExchangeWeak(&result[destination], old, bitcast<i32>(bitcast<f32>(old) + value));
          if (exchange.exchanged) { break; }
          old = exchange.old_value;
        }
      }
    `;
  }
}

const sparseConvolutionWebGpu: KernelFunc = ({ inputs, backend }) => {
  const { features, neighbours, weights, bias } = inputs as SparseConvolutionInputs;
  const [sourceRows, channels] = features.shape;
  const [rows, offsets] = neighbours.shape;
  const columns = weights.shape[1];
  const program = new SparseConvolutionProgram(rows, columns, bias != null);
  const uniforms = intUniforms(sourceRows, channels, offsets);
  const programInputs = bias == null ? [features, neighbours, weights] : [features, neighbours, weights, bias];
  return (backend as WebGPUBackend).runWebGPUProgram(program, programInputs, 'float32', uniforms);
};

const sparseConvolutionWeightGradWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { features, neighbours, outputGradient } = inputs as SparseConvolutionWeightGradInputs;
  const { chunkRows } = attrs as unknown as SparseConvolutionWeightGradAttrs;
  const [sourceRows, channels] = features.shape;
  const [rows, offsets] = neighbours.shape;
  const columns = outputGradient.shape[1];
  const chunks = Math.max(1, Math.ceil(rows / chunkRows));
  const program = new SparseConvolutionWeightGradProgram(chunks, offsets * channels, columns);
  const uniforms = intUniforms(sourceRows, channels, offsets, rows, chunkRows);
  return (backend as WebGPUBackend).runWebGPUProgram(program, [features, neighbours, outputGradient], 'float32', uniforms);
};

const sparseConvolutionFeatureGradWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { outputGradient, neighbours, weights } = inputs as SparseConvolutionFeatureGradInputs;
  const { sourceRows } = attrs as unknown as SparseConvolutionFeatureGradAttrs;
  const [rows, offsets] = neighbours.shape;
  const [kernelRows, columns] = weights.shape;
  const channels = kernelRows / offsets;
  const webgpu = backend as WebGPUBackend;
  const output = filled(webgpu, [sourceRows, channels], 0, 'float32'); // [sourceRows, channels], accumulated into
  if (rows * offsets * channels === 0) return output;
  const program = new SparseConvolutionFeatureGradProgram(sourceRows, channels, rows * offsets * channels);
  const uniforms = intUniforms(sourceRows, channels, offsets, rows, columns);
  return webgpu.runWebGPUProgram(program, [outputGradient, neighbours, weights], 'float32', uniforms, output);
};

/** `PointclickSparseConvolution` on WebGPU. */
export const sparseConvolutionWebGpuConfig: KernelConfig = { kernelName: SPARSE_CONVOLUTION, backendName: 'webgpu', kernelFunc: sparseConvolutionWebGpu };
/** `PointclickSparseConvolutionWeightGrad` on WebGPU. */
export const sparseConvolutionWeightGradWebGpuConfig: KernelConfig = {
  kernelName: SPARSE_CONVOLUTION_WEIGHT_GRAD,
  backendName: 'webgpu',
  kernelFunc: sparseConvolutionWeightGradWebGpu,
};
/** `PointclickSparseConvolutionFeatureGrad` on WebGPU. */
export const sparseConvolutionFeatureGradWebGpuConfig: KernelConfig = {
  kernelName: SPARSE_CONVOLUTION_FEATURE_GRAD,
  backendName: 'webgpu',
  kernelFunc: sparseConvolutionFeatureGradWebGpu,
};
