/**
 * `@pointclick/tfjs-kernels/browser`: backend selection for browsers: WebGPU when
 * `navigator.gpu` gives an adapter, else wasm. Only apps call this; libraries never pick a backend.
 */
import { env } from '@tensorflow/tfjs-core';
import type { BackendInfo, InitializeBackendOptions } from './runtime/backend-options.js';
import { selectBackend, type GpuLike } from './runtime/backend-selection.js';

/** Options of the browser `initializeBackend`. */
export interface BrowserBackendOptions extends InitializeBackendOptions {
  /**
   * URL prefix (with trailing slash) where the app serves the `.wasm` files of
   * `@tensorflow/tfjs-backend-wasm/dist`. Default: next to the bundled script.
   */
  wasmPath?: string;
  /**
   * Whether the wasm backend may load TF.js's multi-threaded build where the page allows it (cross-origin
   * isolated). Default false: that build's memory is shared, which this package's wasm kernels (sparse
   * convolution, patch attention, packed matMul, segment sums and maxima, row gathers, mask logits) cannot run
   * on, so there every one of them falls back to a JavaScript loop over the heap; only TF.js's own kernels
   * would use the threads.
   */
  wasmThreads?: boolean;
}

/**
 * Initialises a TF.js backend in the browser and registers this package's kernels for it.
 *
 * @example
 * const { backend, adapter } = await initializeBackend({ wasmPath: '/tfjs-wasm/' });
 */
export async function initializeBackend(options: BrowserBackendOptions = {}): Promise<BackendInfo> {
  const selected = await selectBackend(
    {
      webgpu: async () => {
        const gpu = (globalThis as unknown as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
        if (gpu == null) throw new Error('navigator.gpu is missing');
        const adapter = await gpu.requestAdapter();
        if (adapter == null) throw new Error('navigator.gpu found no adapter');
        await import('./webgpu.js');
        const info = adapter.info;
        return { adapter: [info?.vendor, info?.architecture, info?.description].filter((part) => part).join(' / ') };
      },
      wasm: async () => {
        const wasm = await import('./wasm.js');
        if (options.wasmPath != null) wasm.setWasmPaths(options.wasmPath);
        // Read once, when tf.setBackend('wasm') first initialises the backend: false picks the single-threaded
        // SIMD build, whose plain memory this package's kernels run on.
        if (options.wasmThreads !== true) env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        return {};
      },
      cpu: async () => {
        await import('./cpu.js');
        return {};
      },
    },
    options,
  );
  if (selected.backend === 'wasm') selected.threads = (await import('./wasm.js')).getThreadsCount();
  return selected;
}

export type { BackendInfo, BackendName, InitializeBackendOptions } from './runtime/backend-options.js';
