import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SPARSE_CONVOLUTION, type SparseConvolutionInputs } from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';
import { findMatMulWasmRuntime, type MatMulWasmRuntime } from './mat-mul-wasm.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

/**
 * `PointclickSparseConvolution` on wasm: the weights are packed into 8-column panels (as for the packed
 * matMul) in a buffer from the backend's `_malloc`, then `sparse_convolution_packed` (native/mat-mul-kernel.c)
 * reads each output row's neighbour rows straight from the features tensor on the backend's heap, so
 * the `[rows, offsets·channels]` im2col buffer is never made. Neighbours are range-checked first.
 * Where the matMul module cannot run on the backend's memory (the threaded build's shared memory), a
 * plain JavaScript loop over the heap computes the same sums.
 */
const sparseConvolutionWasm: KernelFunc = ({ inputs, backend }) => {
  const { features, neighbours, weights, bias } = inputs as SparseConvolutionInputs;
  const wasm = backend as unknown as WasmBackendLike;
  const [sourceRows, channels] = features.shape;
  const [rows, offsets] = neighbours.shape;
  const columns = weights.shape[1];
  const runtime = findMatMulWasmRuntime(backend);
  const table = wasm.typedArrayFromHeap(neighbours) as Int32Array;
  // The range check in C where the module runs (SIMD compares; a sixth or less of this loop's time), else here.
  let invalid = runtime == null ? -1 : runtime.kernel.first_invalid_neighbour(table.byteOffset, table.length, sourceRows);
  for (let index = 0; runtime == null && index < table.length && invalid < 0; index++) {
    if (!(table[index] >= -1 && table[index] <= sourceRows)) invalid = index;
  }
  if (invalid >= 0) {
    throw new KernelArgumentError('sparseConvolution', `neighbours[${invalid}]`, `in [-1, ${sourceRows}]`, String(table[invalid]));
  }
  const output = wasm.makeOutput([rows, columns], 'float32'); // [rows, outputChannels]
  if (rows === 0 || columns === 0) return output;
  if (runtime == null) {
    convolveInJavaScript(wasm, output, features, neighbours, weights, bias);
    return output;
  }
  convolvePacked(runtime, wasm, output, features, neighbours, weights, bias, { rows, sourceRows, channels, offsets, columns });
  return output;
};

function convolvePacked(
  runtime: MatMulWasmRuntime,
  wasm: WasmBackendLike,
  output: TensorInfo,
  features: TensorInfo,
  neighbours: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  sizes: { rows: number; sourceRows: number; channels: number; offsets: number; columns: number },
): void {
  const { rows, sourceRows, channels, offsets, columns } = sizes;
  const { kernel } = runtime;
  const inner = offsets * channels;
  const packedBytes = kernel.mat_mul_packed_floats(inner, columns) * 4;
  // Packed weights, then `channels` floats the kernel zeroes for absent neighbours.
  const scratch = runtime.malloc(packedBytes + Math.max(channels, 1) * 4);
  try {
    // Offsets into the backend's heap; they stay valid when the heap grows (views would not).
    const pointerOf = (info: TensorInfo): number => wasm.typedArrayFromHeap(info).byteOffset;
    kernel.mat_mul_pack(scratch, pointerOf(weights), inner, columns, 0);
    kernel.sparse_convolution_packed(
      pointerOf(output),
      pointerOf(features),
      pointerOf(neighbours),
      scratch,
      bias == null ? 0 : pointerOf(bias),
      bias == null ? 0 : 1,
      scratch + packedBytes,
      rows,
      sourceRows,
      channels,
      offsets,
      columns,
    );
  } finally {
    runtime.free(scratch);
  }
}

/** The same sums in plain JavaScript (float32 accumulation per output row), for shared-memory builds. */
function convolveInJavaScript(wasm: WasmBackendLike, output: TensorInfo, features: TensorInfo, neighbours: TensorInfo, weights: TensorInfo, bias?: TensorInfo): void {
  const [sourceRows, channels] = features.shape;
  const [rows, offsets] = neighbours.shape;
  const columns = weights.shape[1];
  const x = wasm.typedArrayFromHeap(features) as Float32Array;
  const table = wasm.typedArrayFromHeap(neighbours) as Int32Array;
  const w = wasm.typedArrayFromHeap(weights) as Float32Array;
  const b = bias == null ? null : (wasm.typedArrayFromHeap(bias) as Float32Array);
  const out = wasm.typedArrayFromHeap(output) as Float32Array;
  const sums = new Float32Array(columns);
  for (let row = 0; row < rows; row++) {
    if (b != null) sums.set(b);
    else sums.fill(0);
    for (let offset = 0; offset < offsets; offset++) {
      const neighbour = table[row * offsets + offset];
      if (neighbour < 0 || neighbour >= sourceRows) continue;
      for (let channel = 0; channel < channels; channel++) {
        const value = x[neighbour * channels + channel];
        const base = (offset * channels + channel) * columns;
        for (let column = 0; column < columns; column++) sums[column] += value * w[base + column];
      }
    }
    out.set(sums, row * columns);
  }
}

/** `PointclickSparseConvolution` on wasm. */
export const sparseConvolutionWasmConfig: KernelConfig = { kernelName: SPARSE_CONVOLUTION, backendName: 'wasm', kernelFunc: sparseConvolutionWasm };
