import { getKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  GATHER_ROWS,
  SEGMENT_MAX,
  SEGMENT_MAX_GRAD,
  SEGMENT_SUM,
  type GatherRowsInputs,
  type SegmentMaxAttrs,
  type SegmentMaxGradAttrs,
  type SegmentMaxGradInputs,
  type SegmentMaxInputs,
  type SegmentSumAttrs,
  type SegmentSumInputs,
} from '../../kernels/kernel-names.js';
import { FlatProgram, filled, intUniforms } from './flat-program.js';

/*
 * Row gather, segment sum and segment max (with its gradient) on WebGPU, one invocation per element.
 * Ids and indices never reach the CPU here, so an id outside its range is skipped (its row contributes
 * nothing, or an output row reads zeros) rather than reported; the cpu and wasm kernels report it.
 *
 * WGSL has atomics on 32-bit integers only. The sum adds floats with a compare-exchange loop on their bits
 * (as TF.js's own UnsortedSegmentSum does), so the last bits may vary with the order of the additions. The
 * maximum needs no float atomics: floats are mapped to integers in the same order (`orderedKey`), a first
 * pass takes `atomicMax` of the keys per segment and channel, a second takes `atomicMin` of the row index
 * among the rows that hold that key (the first row wins a tie, as on cpu and wasm), and a last pass reads the
 * winning values back and writes -1 for empty segments. Each pass touches every element once: O(rows ·
 * channels), against O(rows · channels · log rows) for the stock-op composition used where no kernel exists.
 */

/** Below every key of a finite float: the start value of the `atomicMax` pass (an empty segment keeps it). */
const KEY_FLOOR = -2147483648;

/**
 * WGSL: a float's bits as an i32 that orders like the floats (negative floats have their magnitude bits
 * flipped). −0 takes +0's key, so that the two tie as they compare equal on cpu and wasm.
 */
const ORDERED_KEY = `
  fn orderedKey(value : f32) -> i32 {
    let bits = bitcast<i32>(value);
    let negativeZero = -2147483647 - 1;
    return select(select(bits ^ 0x7fffffff, bits, bits >= 0), 0, bits == negativeZero);
  }
`;

/** `out[i, c] = x[indices[i], c]`; an index outside [0, rowCount) reads zeros. Any dtype (the output's is `x`'s). */
class GatherRowsProgram extends FlatProgram {
  variableNames = ['x', 'indices'];
  shaderKey: string;
  uniforms = 'rowCount : i32, channels : i32,';

  constructor(
    gatherCount: number,
    channels: number,
    private readonly floatValues: boolean,
  ) {
    super([gatherCount, channels], gatherCount * channels);
    this.shaderKey = `pointclickGatherRows_${floatValues}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let slot = index / uniforms.channels;
        let channel = index - slot * uniforms.channels;
        let row = indices[slot];
        if (row < 0 || row >= uniforms.rowCount) {
          result[index] = ${this.floatValues ? '0.0' : '0'};
          return;
        }
        result[index] = x[row * uniforms.channels + channel];
      }
    `;
  }
}

/**
 * One atomic pass over the elements of `x`, each into its segment's row of `result` (elements with an id
 * outside [0, segmentCount) are skipped):
 * - `sum`: adds the element to the zero-filled output (compare-exchange on the float bits);
 * - `maxKey`: segment max pass 1, `atomicMax` of the element's ordered key;
 * - `maxRow`: segment max pass 2, `atomicMin` of the row index where the element's key is the segment's maximum.
 */
class SegmentScatterProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'elementCount : i32, channels : i32, segmentCount : i32,';
  atomic = true;

  constructor(
    segmentCount: number,
    channels: number,
    elementCount: number,
    private readonly pass: 'sum' | 'maxKey' | 'maxRow',
  ) {
    super([segmentCount, channels], elementCount);
    this.variableNames = pass === 'maxRow' ? ['x', 'segmentIds', 'keys'] : ['x', 'segmentIds'];
    this.shaderKey = `pointclickSegmentScatter_${pass}`;
  }

  getUserCode(): string {
    const body = {
      sum: `
        var old = atomicLoad(&result[destination]);
        loop {
          let exchange = atomicCompareExchangeWeak(&result[destination], old, bitcast<i32>(bitcast<f32>(old) + x[index]));
          if (exchange.exchanged) { break; }
          old = exchange.old_value;
        }`,
      maxKey: 'atomicMax(&result[destination], orderedKey(x[index]));',
      maxRow: 'if (orderedKey(x[index]) == keys[destination]) { atomicMin(&result[destination], row); }',
    }[this.pass];
    return `
      ${ORDERED_KEY}
      fn main(index : i32) {
        if (index >= uniforms.elementCount) { return; }
        let row = index / uniforms.channels;
        let segment = segmentIds[row];
        if (segment < 0 || segment >= uniforms.segmentCount) { return; }
        let destination = segment * uniforms.channels + (index - row * uniforms.channels);
        ${body}
      }
    `;
  }
}

/**
 * Segment max, pass 3: the winning row's value (`values` output) or the winning row with -1 for an empty
 * segment (`rows` output). `rowCount` marks an empty segment: the `atomicMin` pass starts from it.
 */
class SegmentMaxResultProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'rowCount : i32, channels : i32,';

  constructor(
    segmentCount: number,
    channels: number,
    private readonly output: 'values' | 'rows',
  ) {
    super([segmentCount, channels], segmentCount * channels);
    this.variableNames = output === 'values' ? ['winners', 'x'] : ['winners'];
    this.shaderKey = `pointclickSegmentMaxResult_${output}`;
  }

  getUserCode(): string {
    const write =
      this.output === 'values'
        ? 'result[index] = select(x[winner * uniforms.channels + (index % uniforms.channels)], 0.0, empty);'
        : 'result[index] = select(winner, -1, empty);';
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let winner = winners[index];
        let empty = winner < 0 || winner >= uniforms.rowCount;
        ${write}
      }
    `;
  }
}

/** Segment max gradient: each segment's `dy` goes to its winning row (rows are in one segment each, so no two writes meet). */
class SegmentMaxGradProgram extends FlatProgram {
  variableNames = ['dy', 'argmax'];
  shaderKey = 'pointclickSegmentMaxGrad';
  uniforms = 'elementCount : i32, channels : i32, rowCount : i32,';

  constructor(rowCount: number, channels: number, elementCount: number) {
    super([rowCount, channels], elementCount);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.elementCount) { return; }
        let winner = argmax[index];
        if (winner < 0 || winner >= uniforms.rowCount) { return; }
        result[winner * uniforms.channels + (index % uniforms.channels)] = dy[index];
      }
    `;
  }
}

const gatherRowsWebGpu: KernelFunc = ({ inputs, backend }) => {
  const { x, indices } = inputs as GatherRowsInputs;
  const [rowCount, channels] = x.shape;
  const gatherCount = indices.shape[0];
  const webgpu = backend as WebGPUBackend;
  if (gatherCount * channels === 0 || rowCount === 0) return filled(webgpu, [gatherCount, channels], 0, x.dtype);
  const program = new GatherRowsProgram(gatherCount, channels, x.dtype === 'float32');
  return webgpu.runWebGPUProgram(program, [x, indices], x.dtype, intUniforms(rowCount, channels));
};

const segmentSumWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentSumInputs;
  const { numSegments } = attrs as unknown as SegmentSumAttrs;
  const webgpu = backend as WebGPUBackend;
  if (x.dtype !== 'float32') {
    // The compare-exchange adds floats; other dtypes go to the backend's own kernel.
    const stock = getKernel('UnsortedSegmentSum', 'webgpu');
    if (stock == null) throw new Error("the webgpu backend has no 'UnsortedSegmentSum' kernel");
    return stock.kernelFunc({ inputs: { x, segmentIds }, backend, attrs: { numSegments } });
  }
  const [rowCount, channels] = x.shape;
  const output = filled(webgpu, [numSegments, channels], 0, 'float32');
  const elementCount = rowCount * channels;
  if (elementCount === 0 || numSegments === 0) return output;
  const program = new SegmentScatterProgram(numSegments, channels, elementCount, 'sum');
  return webgpu.runWebGPUProgram(program, [x, segmentIds], 'float32', intUniforms(elementCount, channels, numSegments), output);
};

const segmentMaxWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as SegmentMaxInputs;
  const { numSegments } = attrs as unknown as SegmentMaxAttrs;
  const [rowCount, channels] = x.shape;
  const webgpu = backend as WebGPUBackend;
  const elementCount = rowCount * channels;
  if (elementCount === 0 || numSegments === 0) {
    return [filled(webgpu, [numSegments, channels], 0, 'float32'), filled(webgpu, [numSegments, channels], -1, 'int32')];
  }
  const sizes = intUniforms(elementCount, channels, numSegments);
  // [numSegments, channels] int32 each: the largest key, then the first row holding it (rowCount: none).
  const keys = filled(webgpu, [numSegments, channels], KEY_FLOOR, 'int32');
  const winners = filled(webgpu, [numSegments, channels], rowCount, 'int32');
  webgpu.runWebGPUProgram(new SegmentScatterProgram(numSegments, channels, elementCount, 'maxKey'), [x, segmentIds], 'int32', sizes, keys);
  webgpu.runWebGPUProgram(new SegmentScatterProgram(numSegments, channels, elementCount, 'maxRow'), [x, segmentIds, keys], 'int32', sizes, winners);
  const resultSizes = intUniforms(rowCount, channels);
  const values = webgpu.runWebGPUProgram(new SegmentMaxResultProgram(numSegments, channels, 'values'), [winners, x], 'float32', resultSizes);
  const argmax = webgpu.runWebGPUProgram(new SegmentMaxResultProgram(numSegments, channels, 'rows'), [winners], 'int32', resultSizes);
  webgpu.disposeData(keys.dataId);
  webgpu.disposeData(winners.dataId);
  return [values, argmax];
};

const segmentMaxGradWebGpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, argmax } = inputs as SegmentMaxGradInputs;
  const { rowCount } = attrs as unknown as SegmentMaxGradAttrs;
  const [segmentCount, channels] = dy.shape;
  const webgpu = backend as WebGPUBackend;
  const output = filled(webgpu, [rowCount, channels], 0, 'float32');
  const elementCount = segmentCount * channels;
  if (elementCount === 0 || rowCount === 0) return output;
  const program = new SegmentMaxGradProgram(rowCount, channels, elementCount);
  return webgpu.runWebGPUProgram(program, [dy, argmax], 'float32', intUniforms(elementCount, channels, rowCount), output);
};

/** `PointclickGatherRows` on WebGPU. */
export const gatherRowsWebGpuConfig: KernelConfig = { kernelName: GATHER_ROWS, backendName: 'webgpu', kernelFunc: gatherRowsWebGpu };
/** `PointclickSegmentSum` on WebGPU. */
export const segmentSumWebGpuConfig: KernelConfig = { kernelName: SEGMENT_SUM, backendName: 'webgpu', kernelFunc: segmentSumWebGpu };
/** `PointclickSegmentMax` on WebGPU. */
export const segmentMaxWebGpuConfig: KernelConfig = { kernelName: SEGMENT_MAX, backendName: 'webgpu', kernelFunc: segmentMaxWebGpu };
/** `PointclickSegmentMaxGrad` on WebGPU. */
export const segmentMaxGradWebGpuConfig: KernelConfig = { kernelName: SEGMENT_MAX_GRAD, backendName: 'webgpu', kernelFunc: segmentMaxGradWebGpu };
