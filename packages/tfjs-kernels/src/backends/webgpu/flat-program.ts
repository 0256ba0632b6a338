import { getKernel, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP: [number, number, number] = [64, 1, 1];

/**
 * A flat program: one invocation per element of a range (`invocations`, often but not always the output size),
 * 64 per workgroup, the index handed to `main(index)`. Sizes travel as uniforms, so one pipeline serves every
 * shape. Every shader must read `uniforms`: Dawn drops an unused uniform binding and the backend's bind group
 * then fails to validate.
 */
export abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  abstract uniforms: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize = WORKGROUP;
  size = true;

  constructor(outputShape: number[], invocations: number) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: [0] };
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, [invocations], this.workgroupSize);
  }

  abstract getUserCode(): string;
}

/** A tensor of `shape` filled with `value` on the backend, through its own `Fill` kernel (a buffer to accumulate into). */
export function filled(backend: WebGPUBackend, shape: number[], value: number, dtype: DataType): TensorInfo {
  const fill = getKernel('Fill', 'webgpu');
  if (fill == null) throw new Error("the webgpu backend has no 'Fill' kernel");
  return fill.kernelFunc({ inputs: {}, backend, attrs: { shape, value, dtype } }) as TensorInfo;
}

/** Int32 uniforms in declaration order. */
export function intUniforms(...values: number[]): { type: string; data: number[] }[] {
  return values.map((value) => ({ type: 'int32', data: [value] }));
}
