/**
 * `@pointclick/tfjs-kernels/node`: backend selection for Node. WebGPU through Dawn (the `webgpu`
 * npm package) when an adapter is found, else wasm (single-threaded: the threaded build's worker is
 * a blob: URL Node cannot load). Only apps call this; libraries never pick a backend.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { env } from '@tensorflow/tfjs-core';
import type { BackendInfo, InitializeBackendOptions } from './runtime/backend-options.js';
import { selectBackend, type GpuLike } from './runtime/backend-selection.js';

/**
 * Initialises a TF.js backend in Node and registers this package's kernels for it.
 *
 * @example
 * const { backend, adapter } = await initializeBackend(); // 'webgpu' with an adapter, else 'wasm'
 */
export async function initializeBackend(options: InitializeBackendOptions = {}): Promise<BackendInfo> {
  return selectBackend(
    {
      webgpu: async () => ({ adapter: await startNodeWebGpu() }),
      wasm: async () => {
        const wasm = await import('./wasm.js');
        env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setWasmPaths(wasmDistDirectory());
        return { threads: 1 };
      },
      cpu: async () => {
        await import('./cpu.js');
        return {};
      },
    },
    options,
  );
}

/** Directory holding the installed `@tensorflow/tfjs-backend-wasm` `.wasm` files, with a trailing slash. */
export function wasmDistDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

let webGpuAdapterDescription: string | undefined;

/**
 * Installs Dawn's `navigator.gpu` and WebGPU globals, then imports the WebGPU backend. Throws when
 * the `webgpu` package is missing or finds no adapter (without a GPU, see README "WebGPU without a GPU").
 *
 * @returns A description of the adapter: vendor, architecture and driver.
 */
export async function startNodeWebGpu(): Promise<string> {
  if (webGpuAdapterDescription != null) return webGpuAdapterDescription;
  const dawn = (await import('webgpu')) as unknown as {
    create(flags: string[]): GpuLike;
    globals: Record<string, unknown>;
  };
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (adapter == null) throw new Error('webgpu (Dawn) found no adapter');
  const info = adapter.info;
  const description = [info?.vendor, info?.architecture, info?.description].filter((part) => part).join(' / ') || 'unknown adapter';
  Object.assign(globalThis, dawn.globals);
  const scope = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
  if (scope.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (scope.navigator.gpu == null) {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  }
  await import('./webgpu.js');
  webGpuAdapterDescription = description;
  return description;
}

export type { BackendInfo, BackendName, InitializeBackendOptions } from './runtime/backend-options.js';
