import { customGrad, engine, gather, type Tensor, type Tensor1D, type Tensor2D } from '@tensorflow/tfjs-core';
import { GATHER_ROWS } from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';
import { unsortedSegmentSum } from './segment-sum-op.js';
import { toInt32Vector, toTensor } from './tensor-conversion.js';

/**
 * Gathers rows: `out[i, :] = x[indices[i], :]`. Uses the backend's `PointclickGatherRows` kernel
 * where registered (wasm: a direct copy, much faster than `tf.gather`), else `tf.gather`.
 * The gradient is {@link unsortedSegmentSum} of the output gradient by `indices`, so it works on
 * wasm too.
 *
 * @param x Rows, [rowCount, channels] float32 (int32 is accepted, without gradient).
 * @param indices Row to take for each output row, [gatherCount] int32, each in [0, rowCount).
 * @returns [gatherCount, channels], same dtype as `x`.
 */
export function gatherRows(x: Tensor2D, indices: Tensor1D | number[] | Int32Array): Tensor2D {
  const rows = toTensor(x, 'gatherRows', 'x');
  const ids = toInt32Vector(indices, 'gatherRows', 'indices');
  if (rows.rank !== 2) throw new KernelArgumentError('gatherRows', 'x.rank', '2', String(rows.rank));
  if (rows.dtype !== 'float32') return runGatherRows(rows, ids);
  const run = customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    // Saved, not closed over: indices made inside a tf.grad function are disposed before backprop.
    save([ids]);
    return {
      value: runGatherRows(input as Tensor2D, ids),
      gradFunc: (dy: Tensor, saved: Tensor[]) => unsortedSegmentSum(dy as Tensor2D, saved[0] as Tensor1D, rows.shape[0]),
    };
  }) as unknown as CustomGradientFunction);
  return run(rows) as Tensor2D;
}

function runGatherRows(rows: Tensor2D, ids: Tensor1D): Tensor2D {
  if (hasKernel(GATHER_ROWS)) return engine().runKernel(GATHER_ROWS, { x: rows, indices: ids }) as Tensor2D;
  return gather(rows, ids, 0);
}
