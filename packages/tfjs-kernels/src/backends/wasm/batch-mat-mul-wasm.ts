import { getKernel, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-backend-like.js';

/**
 * The stock wasm `BatchMatMul` with `transposeA` or `transposeB` runs 5–8× slower than the same product on
 * explicitly transposed operands (measured here: [7039,1728]ᵀ·[7039,64] 692 ms with the flag, 94 ms with a
 * transpose first). Every matMul gradient uses those flags, so training spent most of its time there.
 * This kernel transposes the flagged operand with the backend's own `Transpose` and calls the stock
 * kernel without flags.
 */
function createBatchMatMulWasm(stock: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
    const wasm = backend as unknown as WasmBackendLike;
    const swapLastTwo = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, axis) => axis);
      const rank = perm.length;
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
    };
    const left = transposeA ? swapLastTwo(a) : a;
    const right = transposeB ? swapLastTwo(b) : b;
    try {
      return stock({ inputs: { a: left, b: right }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (left !== a) wasm.disposeData(left.dataId);
      if (right !== b) wasm.disposeData(right.dataId);
    }
  };
}

/**
 * Replaces the wasm backend's `BatchMatMul` with the transpose-first version. Must run after the wasm
 * backend registered its kernels (importing `@tensorflow/tfjs-backend-wasm` does that).
 */
export function createBatchMatMulWasmConfig(): KernelConfig | undefined {
  const stock = getKernel('BatchMatMul', 'wasm');
  const transpose = getKernel('Transpose', 'wasm');
  if (!stock || !transpose) return undefined;
  unregisterKernel('BatchMatMul', 'wasm');
  // The stock setup binds the C++ entry point the stock kernel calls; keep it.
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: createBatchMatMulWasm(stock.kernelFunc, transpose.kernelFunc),
  };
}
