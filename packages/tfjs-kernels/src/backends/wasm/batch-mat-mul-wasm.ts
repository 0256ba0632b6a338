import { backend_util, getKernel, unregisterKernel, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { findMatMulWasmRuntime, type MatMulWasmRuntime } from './mat-mul-wasm.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

/**
 * Which kernel the wasm `BatchMatMul` override runs: `'auto'` picks per shape (see
 * {@link choosePackedMatMul}), `'stock'` always the backend's own kernel, `'packed'` this package's
 * kernel wherever it applies (float32, same or broadcast-from-one batch, a non-shared memory).
 */
export type WasmMatMulKernel = 'auto' | 'stock' | 'packed';

let selectedKernel: WasmMatMulKernel = 'auto';

/**
 * Chooses the wasm matMul kernel (for benchmarks and comparisons; the default `'auto'` is what apps
 * want). Returns the previous choice.
 */
export function setWasmMatMulKernel(kernel: WasmMatMulKernel): WasmMatMulKernel {
  const previous = selectedKernel;
  selectedKernel = kernel;
  return previous;
}

/**
 * Whether the packed SIMD kernel beats the stock one for C[rows × columns] = A[rows × inner] · B.
 * Measured on wasm in Node (single thread; bench/kernels.bench.ts and the shapes of a `lite` PTv3
 * forward and its weight gradients): the packed kernel was faster on every shape tried, from
 * [43292, 16]·[16, 16] and [16, 43292]·[43292, 432] to 1024³ (about 1.3–2× there), so it is always
 * chosen; this is the one place to send a shape back to the stock kernel should one turn up.
 */
export function choosePackedMatMul(rows: number, inner: number, columns: number): boolean {
  return rows > 0 && inner >= 0 && columns > 0;
}

/** Number of elements of the batch dimensions (all but the last two) of `shape`. */
function batchSize(shape: number[]): number {
  return util.sizeFromShape(shape.slice(0, -2));
}

/**
 * Whether the batch dimensions of `a` and `b` are equal or one side has a single item, the cases the
 * packed kernel handles (anything else, like [2, 1] against [1, 2], goes to the stock kernel).
 */
function isSimpleBroadcast(shapeA: number[], shapeB: number[]): boolean {
  const batchA = batchSize(shapeA);
  const batchB = batchSize(shapeB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return false;
  const outerShape = backend_util.assertAndGetBroadcastShape(shapeA.slice(0, -2), shapeB.slice(0, -2));
  return util.sizeFromShape(outerShape) === Math.max(batchA, batchB);
}

/**
 * C = A · B with the packed kernel, on the backend's heap in place. `a` is [...batch, rows, inner]
 * (already untransposed); `b` is [...batch, inner, columns], or [...batch, columns, inner] when
 * `transposeB`. Batch sizes are equal, or one of them is 1 (broadcast).
 */
function multiplyPacked(runtime: MatMulWasmRuntime, wasm: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeB: boolean): TensorInfo {
  const [rows, inner] = a.shape.slice(-2);
  const columns = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const batchA = batchSize(a.shape);
  const batchB = batchSize(b.shape);
  const batch = Math.max(batchA, batchB);
  const outerShape = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  // [...batch, rows, columns]
  const output = wasm.makeOutput([...outerShape, rows, columns], 'float32');
  const { kernel } = runtime;
  const packedBytes = kernel.mat_mul_packed_floats(inner, columns) * 4;
  const packed = runtime.malloc(packedBytes * batchB);
  try {
    // Offsets into the backend's heap; they stay valid when the heap grows (views would not).
    const pointerA = wasm.typedArrayFromHeap(a).byteOffset;
    const pointerB = wasm.typedArrayFromHeap(b).byteOffset;
    const pointerC = wasm.typedArrayFromHeap(output).byteOffset;
    for (let item = 0; item < batchB; item++) {
      kernel.mat_mul_pack(packed + item * packedBytes, pointerB + item * inner * columns * 4, inner, columns, transposeB ? 1 : 0);
    }
    for (let item = 0; item < batch; item++) {
      const itemA = batchA === 1 ? 0 : item;
      const itemB = batchB === 1 ? 0 : item;
      kernel.mat_mul_packed(pointerC + item * rows * columns * 4, pointerA + itemA * rows * inner * 4, packed + itemB * packedBytes, rows, inner, columns);
    }
  } finally {
    runtime.free(packed);
  }
  return output;
}

/**
 * The stock wasm `BatchMatMul` with `transposeA` or `transposeB` runs 5–8× slower than the same product on
 * explicitly transposed operands (measured here: [7039,1728]ᵀ·[7039,64] 692 ms with the flag, 94 ms with a
 * transpose first). Every matMul gradient uses those flags, so training spent most of its time there.
 * This kernel transposes a flagged A with the backend's own `Transpose`; then it runs the packed SIMD
 * kernel (which reads a flagged B directly while packing it) where {@link choosePackedMatMul} says it is
 * faster, else the stock kernel without flags.
 */
function createBatchMatMulWasm(stock: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const wasm = backend as unknown as WasmBackendLike;
    const rows = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const inner = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const columns = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const batchA = batchSize(a.shape);
    const batchB = batchSize(b.shape);
    const runtime =
      selectedKernel !== 'stock' &&
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      rows * inner * columns * batchA * batchB > 0 &&
      isSimpleBroadcast(a.shape, b.shape) &&
      (selectedKernel === 'packed' || choosePackedMatMul(rows, inner, columns))
        ? findMatMulWasmRuntime(backend)
        : null;
    if (runtime == null && !transposeA && !transposeB) return stock({ inputs, backend, attrs });
    const swapLastTwo = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, axis) => axis);
      const rank = perm.length;
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
    };
    const left = transposeA ? swapLastTwo(a) : a;
    try {
      if (runtime != null) return multiplyPacked(runtime, wasm, left, b, transposeB);
      const right = transposeB ? swapLastTwo(b) : b;
      try {
        return stock({ inputs: { a: left, b: right }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        if (right !== b) wasm.disposeData(right.dataId);
      }
    } finally {
      if (left !== a) wasm.disposeData(left.dataId);
    }
  };
}

/**
 * Replaces the wasm backend's `BatchMatMul` with this package's version (packed SIMD kernel where it is
 * faster, transpose-first otherwise). Must run after the wasm backend registered its kernels
 * (importing `@tensorflow/tfjs-backend-wasm` does that).
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
