import * as tf from '@tensorflow/tfjs-core';
import {
  gatherRows as gatherKernelRows,
  patchAttention as runPatchAttention,
  segmentMax as runSegmentMax,
} from '@pointclick/tfjs-kernels';

/*
 * The row-gather, segment-reduction and attention ops of the backbone, as thin adapters over
 * `@pointclick/tfjs-kernels`: its kernels (cpu, wasm) and stock-op fallbacks (WebGPU) keep the data
 * on the backend, so no op here reads a tensor back with `dataSync()`. Only the index arrays, which
 * the hierarchy computes on the CPU anyway, are uploaded.
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
  return tf.tidy(() => {
    // The zero row is appended only when some index asks for it, so plain gathers copy nothing extra.
    const source = indices.includes(rowCount) ? (tf.concat([x, tf.zeros([1, channels])], 0) as tf.Tensor2D) : x; // [rowCount(+1), channels]
    return gatherKernelRows(source, indices);
  });
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
 * every segment must be non-empty. Gradient flows to the row attaining the maximum (the lowest row
 * index on ties). Runs the kernels package's `segmentMax` on `layout.segmentOfRow`.
 * @param x `[rowCount, channels]`
 * @returns `[segmentCount, channels]`
 */
export function segmentMax(x: tf.Tensor2D, layout: SegmentLayout): tf.Tensor2D {
  const segmentCount = layout.offsets.length - 1;
  return tf.tidy(() => runSegmentMax(x, layout.segmentOfRow, segmentCount));
}

/**
 * Scaled dot-product attention inside independent patches: softmax(q kᵀ · scale) v per patch and head,
 * through the kernels package's `patchAttention` (fused kernel where registered, else batched matMul +
 * softmax with a hand-written gradient).
 * @param query `[patchCount, heads, patchSize, headChannels]`, likewise `key` and `value`.
 * @param scale logit scale, usually headChannels^-0.5.
 * @returns `[patchCount, heads, patchSize, headChannels]`
 */
export function patchAttention(query: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, scale: number): tf.Tensor4D {
  return runPatchAttention(query, key, value, scale);
}
