/** A TF.js backend this package knows how to initialise. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** Options of `initializeBackend` (from `@pointclick/tfjs-kernels/node` or `/browser`). */
export interface InitializeBackendOptions {
  /**
   * Backend to try first. Default: WebGPU when an adapter is found, else wasm. `'cpu'` (the pure
   * JavaScript backend, ~1 GFLOP/s) is used only when asked for here.
   */
  preferred?: BackendName;
  /**
   * Only try `preferred` and throw if it cannot start, instead of falling back. Default false.
   */
  strict?: boolean;
}

/** What `initializeBackend` started. */
export interface BackendInfo {
  /** The active TF.js backend name (`tf.getBackend()`). */
  backend: BackendName;
  /** WebGPU adapter description (vendor, architecture, driver), when the backend is WebGPU. */
  adapter?: string;
  /** wasm worker threads in use, when the backend is wasm (1 in Node: threaded wasm cannot start there). */
  threads?: number;
  /** Backends tried before this one, with why each failed. */
  fallbacks: { backend: BackendName; reason: string }[];
}
