import {
  cast,
  customGrad,
  engine,
  greaterEqual,
  maximum,
  mul,
  reshape,
  scalar,
  tidy,
  unsortedSegmentSum as stockUnsortedSegmentSum,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { SEGMENT_SUM, type SegmentSumAttrs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';
import { gatherRows } from './row-gather-op.js';
import { toInt32Vector, toTensor } from './tensor-conversion.js';

/**
 * Sums the rows of `x` that share a segment id: `out[s] = Σ_{i: segmentIds[i] = s} x[i]`.
 * Rows with a negative id are dropped (TensorFlow's convention). Differentiable on every backend
 * (the gradient is a row gather), unlike the stock `tf.unsortedSegmentSum` whose kernel is missing
 * on wasm and costs O(numSegments · rows) on cpu.
 *
 * @param x Values, [rowCount, ...inner] float32.
 * @param segmentIds Segment of each row, [rowCount] int32, each in [-∞, numSegments).
 * @param numSegments Number of output rows.
 * @returns [numSegments, ...inner] float32.
 */
export function unsortedSegmentSum<T extends Tensor>(
  x: T | number[] | Float32Array,
  segmentIds: Tensor1D | number[] | Int32Array,
  numSegments: number,
): T {
  const values = toTensor(x, 'unsortedSegmentSum', 'x');
  const ids = toInt32Vector(segmentIds, 'unsortedSegmentSum', 'segmentIds');
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new KernelArgumentError('unsortedSegmentSum', 'numSegments', 'a non-negative integer', String(numSegments));
  }
  if (values.rank < 1 || ids.shape[0] !== values.shape[0]) {
    throw new KernelArgumentError(
      'unsortedSegmentSum',
      'segmentIds.shape[0]',
      `x.shape[0] (${values.shape[0]})`,
      String(ids.shape[0]),
    );
  }
  const innerShape = values.shape.slice(1);
  const channels = innerShape.reduce((product, size) => product * size, 1);
  const run = customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    // Saved, not closed over: ids made inside a tf.grad function are disposed before backprop.
    save([ids]);
    // [rowCount, channels]
    const rows = reshape(input, [values.shape[0], channels]) as Tensor2D;
    const summed = runSegmentSum(rows, ids, numSegments);
    return {
      value: reshape(summed, [numSegments, ...innerShape]),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tidy(() => {
          const savedIds = saved[0] as Tensor1D;
          const dyRows = reshape(dy, [numSegments, channels]) as Tensor2D;
          // Negative ids were dropped, so their rows get no gradient.
          const kept = cast(greaterEqual(savedIds, scalar(0, 'int32')), 'float32');
          const gathered = gatherRows(dyRows, maximum(savedIds, scalar(0, 'int32')) as Tensor1D);
          return reshape(mul(gathered, reshape(kept, [-1, 1])), input.shape);
        }),
    };
  }) as unknown as CustomGradientFunction);
  return run(values) as T;
}

/** Forward pass on [rowCount, channels] rows: the backend's kernel when it has one. */
export function runSegmentSum(rows: Tensor2D, ids: Tensor1D, numSegments: number): Tensor2D {
  if (hasKernel(SEGMENT_SUM)) {
    const attrs: SegmentSumAttrs = { numSegments };
    return engine().runKernel(SEGMENT_SUM, { x: rows, segmentIds: ids }, attrs) as Tensor2D;
  }
  return stockUnsortedSegmentSum(rows, ids, numSegments);
}
