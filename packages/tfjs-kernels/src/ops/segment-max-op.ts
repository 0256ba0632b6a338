import {
  cast,
  customGrad,
  engine,
  equal,
  mul,
  range,
  reshape,
  tensor2d,
  tidy,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, type SegmentMaxAttrs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from './argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';
import { gatherRows } from './row-gather-op.js';
import { toInt32Vector, toTensor } from './tensor-conversion.js';

/**
 * Per-segment, per-channel maximum of rows (max pooling of points into voxels or clusters).
 * Empty segments give 0. The gradient goes only to the row that holds the maximum (the first such
 * row on ties), like max pooling.
 *
 * Uses the backend's `PointclickSegmentMax` kernel (cpu, wasm and webgpu in this package); on other
 * backends it reads the data back and computes in JavaScript.
 *
 * @param x Values, [rowCount, channels] float32.
 * @param segmentIds Segment of each row, [rowCount] int32, each in [0, numSegments).
 * @param numSegments Number of output rows.
 * @returns [numSegments, channels] float32.
 */
export function segmentMax(x: Tensor2D, segmentIds: Tensor1D | number[] | Int32Array, numSegments: number): Tensor2D {
  const values = toTensor(x, 'segmentMax', 'x');
  const ids = toInt32Vector(segmentIds, 'segmentMax', 'segmentIds');
  if (values.rank !== 2) throw new KernelArgumentError('segmentMax', 'x.rank', '2', String(values.rank));
  if (ids.shape[0] !== values.shape[0]) {
    throw new KernelArgumentError('segmentMax', 'segmentIds.shape[0]', `x.shape[0] (${values.shape[0]})`, String(ids.shape[0]));
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new KernelArgumentError('segmentMax', 'numSegments', 'a non-negative integer', String(numSegments));
  }
  const rowCount = values.shape[0];
  const run = customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    const [maxima, argmax] = segmentMaxWithArgmax(input as Tensor2D, ids, numSegments);
    save([argmax]);
    return {
      value: maxima,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tidy(() => {
          const winners = saved[0] as Tensor2D;
          // [rowCount, channels]: for each row, the winning row index of its segment.
          const winnerPerRow = gatherRows(winners, ids);
          const isWinner = equal(winnerPerRow, reshape(range(0, rowCount, 1, 'int32'), [rowCount, 1]));
          return mul(gatherRows(dy as Tensor2D, ids), cast(isWinner, 'float32'));
        }),
    };
  }) as unknown as CustomGradientFunction);
  return run(values) as Tensor2D;
}

/**
 * Forward pass of {@link segmentMax} returning also the winning row per segment and channel.
 *
 * @returns `[maxima [numSegments, channels] float32, argmax [numSegments, channels] int32]`;
 *   argmax is -1 for empty segments.
 */
export function segmentMaxWithArgmax(x: Tensor2D, segmentIds: Tensor1D, numSegments: number): [Tensor2D, Tensor2D] {
  if (hasKernel(SEGMENT_MAX)) {
    const attrs: SegmentMaxAttrs = { numSegments };
    return engine().runKernel(SEGMENT_MAX, { x, segmentIds }, attrs) as unknown as [Tensor2D, Tensor2D];
  }
  const channels = x.shape[1];
  const result = segmentMaxValues(x.dataSync() as Float32Array, segmentIds.dataSync() as Int32Array, channels, numSegments);
  return [tensor2d(result.maxima, [numSegments, channels]), tensor2d(result.argmax, [numSegments, channels], 'int32')];
}

/**
 * Plain-array segment max shared by the JavaScript kernels (cpu, wasm) and the read-back fallback.
 * Throws {@link KernelArgumentError} on an id outside [0, numSegments).
 */
export function segmentMaxValues(
  values: Float32Array,
  segmentIds: Int32Array,
  channels: number,
  numSegments: number,
  maxima: Float32Array = new Float32Array(numSegments * channels),
  argmax: Int32Array = new Int32Array(numSegments * channels),
): { maxima: Float32Array; argmax: Int32Array } {
  argmax.fill(-1);
  maxima.fill(0);
  const rowCount = segmentIds.length;
  for (let row = 0; row < rowCount; row++) {
    const segment = segmentIds[row];
    if (!(segment >= 0 && segment < numSegments)) {
      throw new KernelArgumentError('segmentMax', `segmentIds[${row}]`, `in [0, ${numSegments})`, String(segment));
    }
    const inputBase = row * channels;
    const outputBase = segment * channels;
    for (let channel = 0; channel < channels; channel++) {
      const value = values[inputBase + channel];
      const slot = outputBase + channel;
      if (argmax[slot] < 0 || value > maxima[slot]) {
        maxima[slot] = value;
        argmax[slot] = row;
      }
    }
  }
  return { maxima, argmax };
}
