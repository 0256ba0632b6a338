import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of `BackendWasm` the JavaScript-over-wasm-memory kernels use (structural, so this file
 * needs no runtime import of the backend). Views from `typedArrayFromHeap` are invalidated when the
 * heap grows, so kernels allocate every output before taking views.
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Runs `fill`, which writes `outputs` through views of the wasm heap, and returns `outputs`; when `fill` throws
 * (a rejected input), the outputs are freed before the error goes on, so no tensor leaks.
 */
export function fillWasmOutputs<Outputs extends TensorInfo | TensorInfo[]>(wasm: WasmBackendLike, outputs: Outputs, fill: () => void): Outputs {
  try {
    fill();
  } catch (error) {
    const list: TensorInfo[] = Array.isArray(outputs) ? outputs : [outputs];
    for (const output of list) wasm.disposeData(output.dataId, true);
    throw error;
  }
  return outputs;
}
