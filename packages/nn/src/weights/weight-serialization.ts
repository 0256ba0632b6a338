import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module.js';

/** One tensor's entry in a weight manifest. */
export interface WeightEntry {
  /** Dotted variable path. */
  name: string;
  /** Tensor shape. */
  shape: number[];
  /** Stored element type (weights are float32). */
  dtype: 'float32';
  /** Offset of the first byte in the weight blob. */
  byteOffset: number;
  /** Number of bytes. */
  byteLength: number;
}

/** Raised when stored weights do not fit a module: nothing is assigned in that case. */
export class WeightLoadError extends Error {
  override readonly name = 'WeightLoadError';
}

/** Serialises every variable of `module` into a manifest and one little-endian float32 blob. */
export function serializeWeights(module: Module): { manifest: WeightEntry[]; data: Uint8Array } {
  const variables = module.namedVariables();
  const manifest: WeightEntry[] = [];
  let byteLength = 0;
  for (const [name, variable] of variables) {
    if (variable.dtype !== 'float32') throw new Error(`Variable '${name}' has dtype ${variable.dtype}; only float32 is stored`);
    manifest.push({ name, shape: [...variable.shape], dtype: 'float32', byteOffset: byteLength, byteLength: variable.size * 4 });
    byteLength += variable.size * 4;
  }
  const data = new Uint8Array(byteLength);
  const floats = new Float32Array(data.buffer);
  for (const entry of manifest) {
    floats.set(variables.get(entry.name)!.dataSync() as Float32Array, entry.byteOffset / 4);
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
    if (entry.byteLength !== variable.size * 4 || entry.byteOffset % 4 !== 0) {
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
  for (const [name, variable] of variables) {
    const entry = stored.get(name)!;
    const values = floats.subarray(entry.byteOffset / 4, (entry.byteOffset + entry.byteLength) / 4);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}
