import { embeddedWasmModule } from './embedded-wasm-module.js';
import { MAT_MUL_WASM_BASE64 } from './mat-mul-wasm-binary.js';

/**
 * Exports of the module compiled from `native/mat-mul-kernel.c`, `native/segment-sum-kernel.c`,
 * `native/segment-max-kernel.c` and `native/mask-logits-kernel.c` (pointers are byte offsets in the backend's heap).
 */
interface MatMulExports {
  mat_mul_packed_floats(inner: number, columns: number): number;
  mat_mul_pack(packed: number, b: number, inner: number, columns: number, transposed: number): void;
  mat_mul_packed(c: number, a: number, packed: number, rows: number, inner: number, columns: number): void;
  sparse_convolution_packed(
    output: number,
    x: number,
    neighbours: number,
    packed: number,
    bias: number,
    hasBias: number,
    zeros: number,
    rows: number,
    sourceRows: number,
    channels: number,
    offsets: number,
    columns: number,
  ): void;
  /** Returns -1, or the index of the first entry outside [-1, `sourceRows`]. */
  first_invalid_neighbour(neighbours: number, count: number, sourceRows: number): number;
  /** Returns -1, or the first row whose id is ≥ `segments`. */
  segment_sum(output: number, x: number, ids: number, rows: number, channels: number, segments: number): number;
  /** Returns -1, or the first row whose id is outside [0, `segments`). */
  segment_max(maxima: number, argmax: number, x: number, ids: number, rows: number, channels: number, segments: number): number;
  mask_logits_with_priors(
    output: number,
    product: number,
    rowBias: number,
    distanceKernel: number,
    distanceGain: number,
    distanceBias: number,
    geodesicDistances: number,
    geodesicGain: number,
    geodesicBias: number,
    rows: number,
    columns: number,
    terms: number,
  ): void;
}

/**
 * The parts of the tfjs wasm backend's Emscripten module the kernel uses: its memory (Emscripten keeps
 * the instance's exports in `asm`, memory included) and its allocator.
 */
interface EmscriptenModuleLike {
  asm?: { memory?: unknown };
  wasmMemory?: unknown;
  HEAPU8?: Uint8Array;
  _malloc?: (bytes: number) => number;
  _free?: (pointer: number) => void;
}

/** The backend's memory and allocator, bound to an instance of the matMul module on that memory. */
export interface MatMulWasmRuntime {
  kernel: MatMulExports;
  malloc(bytes: number): number;
  free(pointer: number): void;
}

const embedded = embeddedWasmModule(MAT_MUL_WASM_BASE64);
/** One instance per backend memory (a new wasm backend instance has a new memory). */
const runtimes = new WeakMap<WebAssembly.Memory, MatMulWasmRuntime | null>();

/**
 * Compiles the module asynchronously (called when the wasm kernels are registered). The module is
 * about 7 KiB, over the 4 KiB that browsers compile synchronously on the main thread, so there the
 * first product must come after this promise resolves; Node and workers may use the synchronous
 * fallback in {@link findMatMulWasmRuntime}.
 */
export function prepareMatMulWasm(): Promise<void> {
  return embedded.prepare();
}

/**
 * The matMul module instantiated on the wasm backend's own memory, or null when the backend does not
 * expose a plain (non-shared) `WebAssembly.Memory` and its allocator: the multi-threaded build's memory
 * is shared, which this module does not declare, and there the stock kernel (XNNPACK on several
 * threads) is kept. The kernel then reads and writes tensors in place, with no copy.
 */
export function findMatMulWasmRuntime(backend: unknown): MatMulWasmRuntime | null {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  if (module == null || typeof WebAssembly === 'undefined') return null;
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const cached = runtimes.get(memory);
  if (cached !== undefined) return cached;
  let runtime: MatMulWasmRuntime | null = null;
  const { _malloc: malloc, _free: free } = module;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  // HEAPU8 is the backend's view of the same memory; a mismatch means this is not the layout assumed here.
  if (!shared && malloc != null && free != null && module.HEAPU8?.buffer === memory.buffer) {
    const instance = new WebAssembly.Instance(embedded.module(), { env: { memory } });
    runtime = { kernel: instance.exports as unknown as MatMulExports, malloc: (bytes) => malloc(bytes), free: (pointer) => free(pointer) };
  }
  runtimes.set(memory, runtime);
  return runtime;
}
