import { getBackend, setBackend, ready } from '@tensorflow/tfjs-core';
import type { BackendInfo, BackendName, InitializeBackendOptions } from './backend-options.js';

/** How one environment (Node or browser) starts each backend; returns extra info or throws why not. */
export type BackendStarters = Record<BackendName, () => Promise<Omit<BackendInfo, 'backend' | 'fallbacks'>>>;

/**
 * Tries `preferred` (default webgpu), then webgpu, then wasm; cpu only when preferred. Shared by the
 * Node and browser entry points.
 */
export async function selectBackend(starters: BackendStarters, options: InitializeBackendOptions = {}): Promise<BackendInfo> {
  const order: BackendName[] = options.strict
    ? [options.preferred ?? 'webgpu']
    : [...new Set<BackendName>([options.preferred ?? 'webgpu', 'webgpu', 'wasm'])];
  const fallbacks: BackendInfo['fallbacks'] = [];
  for (const backend of order) {
    try {
      const details = await starters[backend]();
      if (!(await setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      await ready();
      if (getBackend() !== backend) throw new Error(`active backend is ${getBackend()}`);
      return { backend, ...details, fallbacks };
    } catch (error) {
      fallbacks.push({ backend, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new Error(`initializeBackend: no backend could start: ${fallbacks.map((entry) => `${entry.backend}: ${entry.reason}`).join('; ')}`);
}

/** The parts of WebGPU's `GPU` / `GPUAdapter` used to probe for an adapter (no @webgpu/types needed). */
export interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null>;
}
