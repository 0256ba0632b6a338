import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';

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

/** Plain-array gradient of segment max: scatters `dy` to the winning rows. Output is zeroed here. */
export function segmentMaxGradValues(dy: Float32Array, argmax: Int32Array, channels: number, output: Float32Array): void {
  output.fill(0);
  for (let slot = 0; slot < argmax.length; slot++) {
    const row = argmax[slot];
    if (row >= 0) output[row * channels + (slot % channels)] += dy[slot];
  }
}
