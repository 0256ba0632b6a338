import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MaskLogitsWithPriorsInputs } from '../../kernels/kernel-names.js';

/** Plain-array values of the mask-logits inputs; a term is present when its values are. */
export interface MaskLogitsValues {
  product: Float32Array;
  rowBias?: Float32Array;
  distanceKernel?: Float32Array;
  distanceGain: number;
  distanceBias: number;
  geodesicDistances?: Float32Array;
  geodesicGain: number;
  geodesicBias: number;
}

/**
 * `PointclickMaskLogitsWithPriors` over plain arrays (the cpu kernel): writes `output` [rows × columns]. Each
 * step is rounded to float32 (`Math.fround`) in the composite's order, so the result equals the stock ops'.
 */
export function maskLogitsValues(values: MaskLogitsValues, columns: number, output: Float32Array): void {
  const { product, rowBias, distanceKernel, geodesicDistances } = values;
  const round = Math.fround;
  const distanceGain = round(values.distanceGain);
  const distanceBias = round(values.distanceBias);
  const geodesicGain = round(values.geodesicGain);
  const geodesicBias = round(values.geodesicBias);
  for (let index = 0; index < output.length; index++) {
    let value = product[index];
    if (rowBias) value = round(value + rowBias[index % columns]);
    if (distanceKernel) value = round(value + round(round(distanceKernel[index] * distanceGain) + distanceBias));
    if (geodesicDistances) value = round(value + round(geodesicBias - round(geodesicDistances[index] * geodesicGain)));
    output[index] = value;
  }
}

/** The kernel's inputs as plain arrays, through `read` (a backend's view of a tensor's float32 values). */
export function readMaskLogitsValues(inputs: MaskLogitsWithPriorsInputs, read: (tensor: TensorInfo) => Float32Array): MaskLogitsValues {
  const optional = (tensor: TensorInfo | undefined) => (tensor ? read(tensor) : undefined);
  const scalar = (tensor: TensorInfo | undefined) => (tensor ? read(tensor)[0] : 0);
  return {
    product: read(inputs.product),
    rowBias: optional(inputs.rowBias),
    distanceKernel: optional(inputs.distanceKernel),
    distanceGain: scalar(inputs.distanceGain),
    distanceBias: scalar(inputs.distanceBias),
    geodesicDistances: optional(inputs.geodesicDistances),
    geodesicGain: scalar(inputs.geodesicGain),
    geodesicBias: scalar(inputs.geodesicBias),
  };
}
