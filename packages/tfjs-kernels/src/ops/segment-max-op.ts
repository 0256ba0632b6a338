import {
  cast,
  customGrad,
  engine,
  equal,
  mul,
  range,
  reshape,
  add,
  concat,
  fill,
  gather,
  greater,
  less,
  logicalAnd,
  logicalOr,
  neg,
  notEqual,
  scalar,
  slice,
  sub,
  tidy,
  tile,
  topk,
  unsortedSegmentSum,
  where,
  zeros,
  zerosLike,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { SEGMENT_MAX, SEGMENT_MAX_GRAD, type SegmentMaxAttrs, type SegmentMaxGradAttrs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';
import { gatherRows } from './row-gather-op.js';
import { toInt32Vector, toTensor } from './tensor-conversion.js';

const FLOAT32_MAX = 3.4028234663852886e38;

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
    // ids are saved too: ids made inside a tf.grad function are disposed before backprop.
    save([argmax, ids]);
    return {
      value: maxima,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tidy(() => {
          if (hasKernel(SEGMENT_MAX_GRAD)) {
            const attrs: SegmentMaxGradAttrs = { rowCount };
            return engine().runKernel(SEGMENT_MAX_GRAD, { dy, argmax: saved[0] }, attrs) as Tensor2D;
          }
          const [winners, savedIds] = saved as [Tensor2D, Tensor1D];
          // [rowCount, channels]: for each row, the winning row index of its segment.
          const winnerPerRow = gatherRows(winners, savedIds);
          const isWinner = equal(winnerPerRow, reshape(range(0, rowCount, 1, 'int32'), [rowCount, 1]));
          return mul(gatherRows(dy as Tensor2D, savedIds), cast(isWinner, 'float32'));
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
  return composeSegmentMax(x, segmentIds, numSegments);
}

/**
 * {@link segmentMaxWithArgmax} from stock ops only, for backends without a `PointclickSegmentMax`
 * kernel (and without synchronous read-back, like WebGPU): sort rows by segment (`tf.topk`), run a
 * segmented max scan in log2(rowCount) doubling steps carrying the winning row, then scatter each
 * segment's last row with `tf.unsortedSegmentSum`. O(rowCount · channels · log rowCount).
 */
export function composeSegmentMax(x: Tensor2D, segmentIds: Tensor1D, numSegments: number): [Tensor2D, Tensor2D] {
  return tidy(() => {
    const [rowCount, channels] = x.shape;
    if (rowCount === 0) return [zeros([numSegments, channels]), fill([numSegments, channels], -1, 'int32')] as [Tensor2D, Tensor2D];
    // Ascending segment order; ids are exact in float32 below 2^24.
    const order = topk(neg(cast(segmentIds, 'float32')), rowCount, true).indices;
    const sortedIds = reshape(gather(segmentIds, order), [rowCount, 1]); // [rowCount, 1]
    let best = gather(x, order) as Tensor2D; // [rowCount, channels]
    let bestRow = tile(reshape(order, [rowCount, 1]), [1, channels]) as Tensor2D; // [rowCount, channels]
    for (let step = 1; step < rowCount; step *= 2) {
      const head = rowCount - step;
      const previousIds = concat([fill([step, 1], -1, 'int32'), slice(sortedIds, [0, 0], [head, 1])]);
      const previousBest = concat([fill([step, channels], -FLOAT32_MAX), slice(best, [0, 0], [head, channels])]);
      const previousRow = concat([fill([step, channels], rowCount, 'int32'), slice(bestRow, [0, 0], [head, channels])]);
      const better = logicalOr(greater(previousBest, best), logicalAnd(equal(previousBest, best), less(previousRow, bestRow)));
      const takePrevious = logicalAnd(equal(previousIds, sortedIds), better);
      best = where(takePrevious, previousBest, best) as Tensor2D;
      bestRow = where(takePrevious, previousRow, bestRow) as Tensor2D;
    }
    // The last row of each run of equal ids holds that segment's result.
    const nextIds = concat([slice(sortedIds, [1, 0], [rowCount - 1, 1]), fill([1, 1], -1, 'int32')]);
    const isLast = notEqual(nextIds, sortedIds);
    const flatIds = reshape(sortedIds, [rowCount]) as Tensor1D;
    const maxima = unsortedSegmentSum(where(isLast, best, zerosLike(best)), flatIds, numSegments) as Tensor2D;
    // +1 so that empty segments (sum 0) come out as -1. Summed in float32 (exact below 2^24 rows):
    // WebGPU's stock int32 UnsortedSegmentSum returns float bit patterns.
    const winnerPlusOne = where(isLast, cast(add(bestRow, scalar(1, 'int32')), 'float32'), zerosLike(best));
    const argmax = cast(sub(unsortedSegmentSum(winnerPlusOne, flatIds, numSegments), 1), 'int32') as Tensor2D;
    return [maxima, argmax] as [Tensor2D, Tensor2D];
  });
}
