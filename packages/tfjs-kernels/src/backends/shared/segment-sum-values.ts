import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';

/**
 * Plain-array unsorted segment sum shared by the cpu and wasm JavaScript kernels. Writes into
 * `output` ([numSegments, channels], zeroed here); negative ids are dropped, ids ≥ numSegments
 * throw {@link KernelArgumentError}.
 */
export function segmentSumValues(
  values: Float32Array | Int32Array,
  segmentIds: Int32Array,
  channels: number,
  numSegments: number,
  output: Float32Array | Int32Array,
): void {
  output.fill(0);
  const rowCount = segmentIds.length;
  for (let row = 0; row < rowCount; row++) {
    const segment = segmentIds[row];
    if (segment < 0) continue;
    if (segment >= numSegments) {
      throw new KernelArgumentError('unsortedSegmentSum', `segmentIds[${row}]`, `below numSegments (${numSegments})`, String(segment));
    }
    const inputBase = row * channels;
    const outputBase = segment * channels;
    for (let channel = 0; channel < channels; channel++) output[outputBase + channel] += values[inputBase + channel];
  }
}
