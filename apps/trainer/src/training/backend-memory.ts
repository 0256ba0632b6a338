import * as tf from '@tensorflow/tfjs-core';

/** Memory of the active TF.js backend at one moment, in bytes. */
export interface BackendMemory {
  /** Backend name (`webgpu`, `wasm`, `cpu`). */
  backend: string;
  /** Bytes of live tensors (`tf.memory().numBytes`). */
  tensorBytes: number;
  /**
   * Bytes the backend holds from the device, a high-water mark that bounds a step's peak: on WebGPU the
   * buffers its pool has allocated (`numBytesAllocatedInGPU`, freed buffers are reused, not returned), on
   * wasm the size of the wasm heap (it only grows; wasm32 stops at 4 GiB); undefined on cpu.
   */
  backendBytes?: number;
  /** Bytes in GPU buffers now used by tensors (WebGPU only: `numBytesInGPU`). */
  gpuBytesInUse?: number;
}

/** The shapes of `tf.memory()` on WebGPU and of the wasm backend object this reads (not exported by TF.js). */
interface WebGpuMemoryInfo {
  numBytesInGPU?: number;
  numBytesAllocatedInGPU?: number;
}
interface WasmBackendMemory {
  wasm?: { HEAPU8?: Uint8Array };
}

/** Reads the active backend's memory figures; nothing is read back from the device. */
export function readBackendMemory(): BackendMemory {
  const backend = tf.getBackend();
  const info = tf.memory() as tf.MemoryInfo & WebGpuMemoryInfo;
  const memory: BackendMemory = { backend, tensorBytes: info.numBytes };
  if (backend === 'webgpu') {
    memory.backendBytes = info.numBytesAllocatedInGPU;
    memory.gpuBytesInUse = info.numBytesInGPU;
  } else if (backend === 'wasm') {
    memory.backendBytes = (tf.backend() as unknown as WasmBackendMemory).wasm?.HEAPU8?.buffer.byteLength;
  }
  return memory;
}

/** Bytes as `12.3 MB` / `1.25 GB` (powers of 1000). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
