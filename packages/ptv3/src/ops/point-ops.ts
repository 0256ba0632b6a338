import * as tf from '@tensorflow/tfjs-core';
import { GATHER_ROWS } from '@pointclick/tfjs-kernels';

/*
 * The row-gather and segment-reduction ops of the backbone, in one place so they can be switched to
 * `@pointclick/tfjs-kernels` (its gatherRows gradient currently fails when the op runs inside a
 * tf.tidy: the saved indices tensor is disposed before backprop). Until then they are JS implementations wrapped in
 * `tf.customGrad`: they read the input with `dataSync()` (a copy on cpu and wasm, a GPU read-back on
 * WebGPU) and copy rows with typed-array loops. Stock alternatives were measured slower on wasm
 * (`tf.gatherND` ≈ 1.3 s for 1.08 M rows × 64 channels) or lack gradients there (`tf.gather` needs
 * UnsortedSegmentSum, which wasm does not register).
 */

/**
 * out[i] = x[indices[i]]; an index equal to `x.shape[0]` yields a zero row (used for absent sparse
 * convolution neighbours). Gradient: scatter-add of dy into the source rows.
 * @param x `[rowCount, channels]` float32.
 * @param indices `gatheredCount` row indices in 0 … rowCount.
 * @returns `[gatheredCount, channels]`
 */
export function gatherRows(x: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const [rowCount, channels] = x.shape;
  const gathered = tf.customGrad(((input: tf.Tensor) => {
    return {
      value: runRowGather(input as tf.Tensor2D, indices),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync() as Float32Array;
        const accumulated = new Float32Array(rowCount * channels);
        scatterAddRows(upstream, indices, rowCount, channels, accumulated);
        return tf.tensor2d(accumulated, [rowCount, channels]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return gathered(x) as tf.Tensor2D;
}

/**
 * Forward row copy: the `@pointclick/tfjs-kernels` kernel where the app registered it for the active
 * backend (wasm: copies inside the heap), else a JS copy through `dataSync`.
 */
function runRowGather(x: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const [rowCount, channels] = x.shape;
  if (tf.getKernel(GATHER_ROWS, tf.getBackend()) !== undefined) {
    return tf.tidy(() => {
      let hasZeroRow = false;
      for (let index = 0; index < indices.length && !hasZeroRow; index++) hasZeroRow = indices[index] === rowCount;
      const source = hasZeroRow ? (tf.concat([x, tf.zeros([1, channels])], 0) as tf.Tensor2D) : x;
      const rows = tf.tensor1d(indices, 'int32');
      return tf.engine().runKernel(GATHER_ROWS, { x: source, indices: rows }) as tf.Tensor2D;
    });
  }
  const source = x.dataSync() as Float32Array;
  const output = new Float32Array(indices.length * channels);
  copyRows(source, indices, rowCount, channels, output);
  return tf.tensor2d(output, [indices.length, channels]);
}

function copyRows(source: Float32Array, indices: Int32Array, rowCount: number, channels: number, output: Float32Array): void {
  for (let row = 0; row < indices.length; row++) {
    const sourceRow = indices[row];
    if (sourceRow === rowCount) continue; // zero row
    output.set(source.subarray(sourceRow * channels, sourceRow * channels + channels), row * channels);
  }
}

function scatterAddRows(
  upstream: Float32Array,
  indices: Int32Array,
  rowCount: number,
  channels: number,
  accumulated: Float32Array,
): void {
  for (let row = 0; row < indices.length; row++) {
    const target = indices[row];
    if (target === rowCount) continue;
    const targetOffset = target * channels;
    const upstreamOffset = row * channels;
    for (let channel = 0; channel < channels; channel++) accumulated[targetOffset + channel] += upstream[upstreamOffset + channel];
  }
}

/** Segments in compressed form: the members of segment s are `members[offsets[s]] … members[offsets[s+1]-1]`. */
export interface SegmentLayout {
  /** Row indices grouped by segment. */
  members: Int32Array;
  /** `segmentCount + 1` offsets into `members`. */
  offsets: Int32Array;
  /** Segment of every row (`rowCount` entries). */
  segmentOfRow: Int32Array;
}

/**
 * Channel-wise maximum over the rows of each segment (torch_scatter `segment_csr(reduce="max")`);
 * every segment must be non-empty. Gradient flows to the first row attaining the maximum.
 * @param x `[rowCount, channels]`
 * @returns `[segmentCount, channels]`
 */
export function segmentMax(x: tf.Tensor2D, layout: SegmentLayout): tf.Tensor2D {
  const [rowCount, channels] = x.shape;
  const segmentCount = layout.offsets.length - 1;
  const reduced = tf.customGrad(((input: tf.Tensor) => {
    const source = input.dataSync() as Float32Array;
    const output = new Float32Array(segmentCount * channels);
    const winners = new Int32Array(segmentCount * channels);
    for (let segment = 0; segment < segmentCount; segment++) {
      const begin = layout.offsets[segment];
      const end = layout.offsets[segment + 1];
      const outputOffset = segment * channels;
      const firstRow = layout.members[begin];
      for (let channel = 0; channel < channels; channel++) {
        output[outputOffset + channel] = source[firstRow * channels + channel];
        winners[outputOffset + channel] = firstRow;
      }
      for (let member = begin + 1; member < end; member++) {
        const row = layout.members[member];
        const rowOffset = row * channels;
        for (let channel = 0; channel < channels; channel++) {
          const value = source[rowOffset + channel];
          if (value > output[outputOffset + channel]) {
            output[outputOffset + channel] = value;
            winners[outputOffset + channel] = row;
          }
        }
      }
    }
    return {
      value: tf.tensor2d(output, [segmentCount, channels]),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync() as Float32Array;
        const accumulated = new Float32Array(rowCount * channels);
        for (let slot = 0; slot < winners.length; slot++) {
          accumulated[winners[slot] * channels + (slot % channels)] += upstream[slot];
        }
        return tf.tensor2d(accumulated, [rowCount, channels]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return reduced(x) as tf.Tensor2D;
}

/**
 * Scaled dot-product attention inside independent patches: softmax(q kᵀ · scale) v per patch and head.
 * Stock batched matMul + softmax (the kernels package's fused `patchAttention` replaces it).
 * @param query `[patchCount, heads, patchSize, headChannels]`, likewise `key` and `value`.
 * @param scale logit scale, usually headChannels^-0.5.
 * @returns `[patchCount, heads, patchSize, headChannels]`
 */
export function patchAttention(query: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [patchCount, heads, patchSize, headChannels] = query.shape;
    const flat = (tensor: tf.Tensor4D): tf.Tensor3D => tf.reshape(tensor, [patchCount * heads, patchSize, headChannels]);
    const logits = tf.matMul(tf.mul(flat(query), scale), flat(key), false, true); // [patchCount*heads, patchSize, patchSize]
    const attended = tf.matMul(tf.softmax(logits), flat(value));
    return tf.reshape(attended, [patchCount, heads, patchSize, headChannels]);
  });
}
