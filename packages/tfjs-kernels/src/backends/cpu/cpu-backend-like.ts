import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of `MathBackendCPU` the JavaScript kernels use (kept structural to avoid a runtime import). */
export interface CpuBackendLike {
  data: { get(dataId: DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array | Int32Array): TensorInfo;
}
