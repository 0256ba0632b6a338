import { embeddedWasmModule } from './embedded-wasm-module.js';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  PATCH_ATTENTION,
  PATCH_ATTENTION_GRAD,
  type PatchAttentionAttrs,
  type PatchAttentionGradInputs,
  type PatchAttentionInputs,
} from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../kernels/kernel-argument-error.js';
import { PATCH_ATTENTION_WASM_BASE64 } from './patch-attention-wasm-binary.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

/** The trailing arguments of both kernels: how many blocks, their size, head channels, scale and scratch pointer. */
type BlockArguments = [blockCount: number, size: number, channels: number, scale: number, scratch: number];

/** Exports of the module compiled from `native/patch-attention-kernel.c` (pointers are byte offsets). */
interface PatchAttentionExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  scratch_floats(size: number, channels: number): number;
  patch_attention_forward(query: number, key: number, value: number, output: number, ...block: BlockArguments): void;
  patch_attention_backward(
    query: number,
    key: number,
    value: number,
    outputGradient: number,
    queryGradient: number,
    keyGradient: number,
    valueGradient: number,
    ...block: BlockArguments
  ): void;
}

/**
 * Floats per tensor copied into the kernel's memory at a time (1 MiB): bounds that memory (it never
 * shrinks) to about 7 MiB for the gradient, whatever the tensor size. Whole blocks only.
 */
const CHUNK_FLOATS = 1 << 18;
const PAGE_BYTES = 65536;

const embedded = embeddedWasmModule(PATCH_ATTENTION_WASM_BASE64);
let instance: PatchAttentionExports | undefined;

/**
 * Compiles the module asynchronously. Called when the wasm kernels are registered: browsers refuse a
 * synchronous compile of more than 4 KiB on the main thread, and this module is about 10 KiB.
 */
export function preparePatchAttentionWasm(): Promise<void> {
  return embedded.prepare();
}

/** The instantiated module (compiled synchronously if the asynchronous compile has not finished). */
function loadExports(): PatchAttentionExports {
  if (instance != null) return instance;
  instance = new WebAssembly.Instance(embedded.module(), {}).exports as unknown as PatchAttentionExports;
  return instance;
}

/**
 * Lays out `tensorCount` chunks of `chunkFloats` floats plus the block scratch in the kernel's memory,
 * growing it when needed. Returns the byte offset of each chunk, of the scratch, and a view of memory
 * taken after any growth.
 */
function reserve(kernel: PatchAttentionExports, tensorCount: number, chunkFloats: number, size: number, channels: number) {
  const base = (Number(kernel.__heap_base.value) + 15) & ~15;
  const chunkBytes = ((chunkFloats * 4 + 15) >> 4) << 4;
  const offsets = Array.from({ length: tensorCount }, (_, index) => base + index * chunkBytes);
  const scratch = base + tensorCount * chunkBytes;
  const end = scratch + kernel.scratch_floats(size, channels) * 4;
  const missing = end - kernel.memory.buffer.byteLength;
  if (missing > 0) kernel.memory.grow(Math.ceil(missing / PAGE_BYTES));
  return { offsets, scratch, heap: new Float32Array(kernel.memory.buffer) };
}

/**
 * Runs `run` over the blocks of `sources` in chunks: copies each chunk of every source into the
 * kernel's memory, calls `run(offsets, scratch, blocks)`, and copies the chunk of every destination out.
 */
function runInChunks(
  sources: Float32Array[],
  destinations: Float32Array[],
  blockCount: number,
  size: number,
  channels: number,
  run: (kernel: PatchAttentionExports, offsets: number[], scratch: number, blocks: number) => void,
): void {
  const blockFloats = size * channels;
  if (blockCount === 0 || blockFloats === 0) return;
  const kernel = loadExports();
  const chunkBlocks = Math.max(1, Math.min(blockCount, Math.floor(CHUNK_FLOATS / blockFloats)));
  const { offsets, scratch, heap } = reserve(kernel, sources.length + destinations.length, chunkBlocks * blockFloats, size, channels);
  for (let start = 0; start < blockCount; start += chunkBlocks) {
    const blocks = Math.min(chunkBlocks, blockCount - start);
    const from = start * blockFloats;
    const to = from + blocks * blockFloats;
    sources.forEach((source, index) => heap.set(source.subarray(from, to), offsets[index] >> 2));
    run(kernel, offsets, scratch, blocks);
    destinations.forEach((destination, index) => {
      const offset = offsets[sources.length + index] >> 2;
      destination.set(heap.subarray(offset, offset + (to - from)), from);
    });
  }
}

function checkFloat32(inputs: Record<string, TensorInfo>): void {
  for (const [field, tensor] of Object.entries(inputs)) {
    if (tensor.dtype !== 'float32') throw new KernelArgumentError('patchAttention', `${field}.dtype`, 'float32', tensor.dtype);
  }
}

/**
 * Fused forward pass: per (patch, head) block, logits, softmax and the value product stay in the
 * kernel's scratch (L1-sized for patch 64); no [patchCount, headCount, patchSize, patchSize] tensor
 * is allocated.
 */
const patchAttentionWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { query, key, value } = inputs as PatchAttentionInputs;
  const { scale } = attrs as unknown as PatchAttentionAttrs;
  checkFloat32({ query, key, value });
  const wasm = backend as unknown as WasmBackendLike;
  const [patchCount, headCount, size, channels] = query.shape;
  // [patchCount, headCount, patchSize, headChannels]
  const output = wasm.makeOutput(query.shape, 'float32');
  // Views taken after makeOutput, which may grow the backend's heap.
  const sources = [query, key, value].map((tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array);
  const destination = wasm.typedArrayFromHeap(output) as Float32Array;
  runInChunks(sources, [destination], patchCount * headCount, size, channels, (kernel, offsets, scratch, blocks) =>
    kernel.patch_attention_forward(offsets[0], offsets[1], offsets[2], offsets[3], blocks, size, channels, scale, scratch),
  );
  return output;
};

/** Fused gradient: recomputes the probabilities per block, then the five products of the backward pass. */
const patchAttentionGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { query, key, value, outputGradient } = inputs as PatchAttentionGradInputs;
  const { scale } = attrs as unknown as PatchAttentionAttrs;
  checkFloat32({ query, key, value, outputGradient });
  const wasm = backend as unknown as WasmBackendLike;
  const [patchCount, headCount, size, channels] = query.shape;
  // Each [patchCount, headCount, patchSize, headChannels]
  const gradients = [0, 1, 2].map(() => wasm.makeOutput(query.shape, 'float32'));
  const sources = [query, key, value, outputGradient].map((tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array);
  const destinations = gradients.map((tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array);
  runInChunks(sources, destinations, patchCount * headCount, size, channels, (kernel, offsets, scratch, blocks) =>
    kernel.patch_attention_backward(...(offsets as [number, number, number, number, number, number, number]), blocks, size, channels, scale, scratch),
  );
  return gradients;
};

/** `PointclickPatchAttention` on wasm: the fused C kernel (SIMD128) in its own wasm module. */
export const patchAttentionWasmConfig: KernelConfig = { kernelName: PATCH_ATTENTION, backendName: 'wasm', kernelFunc: patchAttentionWasm };

/** `PointclickPatchAttentionGrad` on wasm: the fused C gradient kernel. */
export const patchAttentionGradWasmConfig: KernelConfig = { kernelName: PATCH_ATTENTION_GRAD, backendName: 'wasm', kernelFunc: patchAttentionGradWasm };
