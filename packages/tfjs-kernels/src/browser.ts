/**
 * `@pointclick/tfjs-kernels/browser`: backend selection for browsers: WebGPU when
 * `navigator.gpu` gives an adapter, else wasm. Only apps call this; libraries never pick a backend.
 */
import type { BackendInfo, InitializeBackendOptions } from './runtime/backend-options.js';
import { selectBackend, type GpuLike } from './runtime/backend-selection.js';

/** Options of the browser `initializeBackend`. */
export interface BrowserBackendOptions extends InitializeBackendOptions {
  /**
   * URL prefix (with trailing slash) where the app serves the `.wasm` files of
   * `@tensorflow/tfjs-backend-wasm/dist`. Default: next to the bundled script.
   */
  wasmPath?: string;
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
