import { getKernel, type KernelConfig, type KernelFunc, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { MASK_LOGITS_WITH_PRIORS, type MaskLogitsWithPriorsInputs } from '../../kernels/kernel-names.js';
import { FlatProgram, filled, intUniforms } from './flat-program.js';

/**
 * The mask logits with their priors in one WGSL pass, one invocation per element. The gains and biases are
 * stacked into one `scalars` buffer first ([distanceGain, distanceBias, geodesicGain, geodesicBias], the terms
 * present, in that order; read on the GPU, no read-back): with eight inputs and the output the pass would
 * need nine storage buffers, over WebGPU's default limit of eight. A shader compiler may fuse a multiply and
 * an add, so results can differ from the composite in the last bit.
 */
class MaskLogitsProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'columns : i32,';

  constructor(
    rows: number,
    columns: number,
    private readonly terms: { rowBias: boolean; distance: boolean; geodesic: boolean },
  ) {
    super([rows, columns], rows * columns);
    this.variableNames = ['product'];
    if (terms.rowBias) this.variableNames.push('rowBias');
    if (terms.distance) this.variableNames.push('distanceKernel');
    if (terms.geodesic) this.variableNames.push('geodesicDistances');
    if (terms.distance || terms.geodesic) this.variableNames.push('scalars');
    this.shaderKey = `pointclickMaskLogits_${terms.rowBias}_${terms.distance}_${terms.geodesic}`;
  }

  getUserCode(): string {
    const { rowBias, distance, geodesic } = this.terms;
    const geodesicSlot = distance ? 2 : 0;
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        var value = product[index];
        ${rowBias ? 'value = value + rowBias[index % uniforms.columns];' : ''}
        ${distance ? 'value = value + (distanceKernel[index] * scalars[0] + scalars[1]);' : ''}
        ${geodesic ? `value = value + (scalars[${geodesicSlot + 1}] - geodesicDistances[index] * scalars[${geodesicSlot}]);` : ''}
        result[index] = value;
      }
    `;
  }
}

/** The scalars side by side in one `[count]` tensor, through the backend's own `Pack` kernel. */
function stackScalars(backend: WebGPUBackend, scalars: TensorInfo[]): TensorInfo {
  const pack = getKernel('Pack', 'webgpu');
  if (pack == null) throw new Error("the webgpu backend has no 'Pack' kernel");
  // Pack takes its inputs as a list, not a named map.
  return pack.kernelFunc({ inputs: scalars as unknown as NamedTensorInfoMap, backend, attrs: { axis: 0 } }) as TensorInfo;
}

const maskLogitsWebGpu: KernelFunc = ({ inputs, backend }) => {
  const named = inputs as MaskLogitsWithPriorsInputs;
  const webgpu = backend as WebGPUBackend;
  const [rows, columns] = named.product.shape;
  if (rows * columns === 0) return filled(webgpu, [rows, columns], 0, 'float32');
  const terms = { rowBias: named.rowBias != null, distance: named.distanceKernel != null, geodesic: named.geodesicDistances != null };
  const program = new MaskLogitsProgram(rows, columns, terms);
  const scalarInputs = [
    ...(terms.distance ? [named.distanceGain, named.distanceBias] : []),
    ...(terms.geodesic ? [named.geodesicGain, named.geodesicBias] : []),
  ] as TensorInfo[];
  const scalars = scalarInputs.length > 0 ? stackScalars(webgpu, scalarInputs) : undefined;
  const programInputs = program.variableNames.map((name) => (name === 'scalars' ? scalars : named[name as keyof MaskLogitsWithPriorsInputs]) as TensorInfo);
  try {
    return webgpu.runWebGPUProgram(program, programInputs, 'float32', intUniforms(columns));
  } finally {
    if (scalars) webgpu.disposeData(scalars.dataId);
  }
};

/** `PointclickMaskLogitsWithPriors` on WebGPU. */
export const maskLogitsWebGpuConfig: KernelConfig = { kernelName: MASK_LOGITS_WITH_PRIORS, backendName: 'webgpu', kernelFunc: maskLogitsWebGpu };
