import { Tensor, tensor, tensor1d, type Tensor1D } from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';

/** Accepts a tensor or a flat array (made 1-D); used at op boundaries. */
export function toTensor<T extends Tensor>(value: T | number[] | Float32Array, op: string, field: string): T {
  if (value instanceof Tensor) return value;
  if (Array.isArray(value) || value instanceof Float32Array) return tensor(value) as T;
  throw new KernelArgumentError(op, field, 'a tf.Tensor or a number array', typeof value);
}

/** Accepts an int32 vector tensor or an integer array. */
export function toInt32Vector(value: Tensor1D | number[] | Int32Array, op: string, field: string): Tensor1D {
  const vector = value instanceof Tensor ? value : Array.isArray(value) || value instanceof Int32Array ? tensor1d(value, 'int32') : null;
  if (vector == null) throw new KernelArgumentError(op, field, 'a tf.Tensor1D or an integer array', typeof value);
  if (vector.dtype !== 'int32') throw new KernelArgumentError(op, `${field}.dtype`, "'int32'", `'${vector.dtype}'`);
  if (vector.rank !== 1) throw new KernelArgumentError(op, `${field}.rank`, '1', String(vector.rank));
  return vector;
}
