import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module.js';
import { fromHalfBits, toHalfBits } from './half-precision.js';

/** Element types weights can be stored as: float32 exactly, or float16 at half the size (~3 significant digits). */
export type WeightStorageType = 'float32' | 'float16';

/** One tensor's entry in a weight manifest. */
export interface WeightEntry {
  /** Dotted variable path. */
  name: string;
  /** Tensor shape. */
  shape: number[];
  /** Stored element type; weights are float32 in memory either way. */
  dtype: WeightStorageType;
  /** Offset of the first byte in the weight blob. */
  byteOffset: number;
  /** Number of bytes. */
  byteLength: number;
}

/** Raised when stored weights do not fit a module: nothing is assigned in that case. */
export class WeightLoadError extends Error {
  override readonly name = 'WeightLoadError';
}

/** Serialises every variable of `module` into a manifest and one little-endian blob of `dtype` elements. */
export function serializeWeights(
  module: Module,
  options: { dtype?: WeightStorageType } = {},
): { manifest: WeightEntry[]; data: Uint8Array } {
  const dtype = options.dtype ?? 'float32';
  const elementBytes = dtype === 'float32' ? 4 : 2;
  const variables = module.namedVariables();
  const manifest: WeightEntry[] = [];
  let byteLength = 0;
  for (const [name, variable] of variables) {
    if (variable.dtype !== 'float32') throw new Error(`Variable '${name}' has dtype ${variable.dtype}; only float32 is stored`);
    manifest.push({ name, shape: [...variable.shape], dtype, byteOffset: byteLength, byteLength: variable.size * elementBytes });
    byteLength += variable.size * elementBytes;
  }
  const data = new Uint8Array(byteLength);
  const floats = new Float32Array(data.buffer, 0, dtype === 'float32' ? byteLength / 4 : 0);
  const halves = new Uint16Array(data.buffer, 0, dtype === 'float16' ? byteLength / 2 : 0);
  for (const entry of manifest) {
    const values = variables.get(entry.name)!.dataSync() as Float32Array;
    if (dtype === 'float32') floats.set(values, entry.byteOffset / 4);
    else for (let index = 0; index < values.length; index++) halves[entry.byteOffset / 2 + index] = toHalfBits(values[index]);
  }
  return { manifest, data };
}

/**
 * Assigns stored weights to `module`. Every name, shape and byte range is checked before the first
 * assignment, so a mismatch leaves the module untouched.
 * @param source Name used in error messages (e.g. the weight file path).
 */
export function loadWeights(module: Module, manifest: WeightEntry[], data: Uint8Array, source = 'weights'): void {
  const variables = module.namedVariables();
  const stored = new Map(manifest.map((entry) => [entry.name, entry]));
  const missing = [...variables.keys()].filter((name) => !stored.has(name));
  const unexpected = [...stored.keys()].filter((name) => !variables.has(name));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new WeightLoadError(
      `${source}: weights do not match the model architecture` +
        (missing.length ? `; missing ${missing.length} (first: '${missing[0]}')` : '') +
        (unexpected.length ? `; unexpected ${unexpected.length} (first: '${unexpected[0]}')` : ''),
    );
  }
  for (const [name, variable] of variables) {
    const entry = stored.get(name)!;
    const expectedShape = variable.shape.join('x');
    if (entry.shape.join('x') !== expectedShape) {
      throw new WeightLoadError(`${source}: '${name}' has shape [${entry.shape}] but the model expects [${variable.shape}]`);
    }
    if (entry.dtype !== 'float32' && entry.dtype !== 'float16') {
      throw new WeightLoadError(`${source}: '${name}' has unsupported dtype '${String(entry.dtype)}' (expected float32 or float16)`);
    }
    const elementBytes = entry.dtype === 'float32' ? 4 : 2;
    if (entry.byteLength !== variable.size * elementBytes || entry.byteOffset % elementBytes !== 0) {
      throw new WeightLoadError(`${source}: '${name}' byte range is inconsistent with its shape`);
    }
    if (entry.byteOffset + entry.byteLength > data.byteLength) {
      throw new WeightLoadError(
        `${source}: truncated: '${name}' needs bytes ${entry.byteOffset}..${entry.byteOffset + entry.byteLength} but the file has ${data.byteLength}`,
      );
    }
  }
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const floats = new Float32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 2));
  for (const [name, variable] of variables) {
    const entry = stored.get(name)!;
    let values: Float32Array;
    if (entry.dtype === 'float32') {
      values = floats.subarray(entry.byteOffset / 4, (entry.byteOffset + entry.byteLength) / 4);
    } else {
      const start = entry.byteOffset / 2;
      values = new Float32Array(variable.size);
      for (let index = 0; index < values.length; index++) values[index] = fromHalfBits(halves[start + index]);
    }
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}
