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
