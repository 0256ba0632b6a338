/**
 * A wasm module embedded as base64 (the generated `*-wasm-binary.ts` files), compiled once: in the
 * background by {@link EmbeddedWasmModule.prepare} (browsers refuse synchronous compiles of more than
 * 4 KiB on the main thread), or synchronously by {@link EmbeddedWasmModule.module} if it is needed first.
 */
export interface EmbeddedWasmModule {
  /** Starts the asynchronous compile; resolves when done. A failure is left to `module()` to report. */
  prepare(): Promise<void>;
  /** The compiled module, compiling it synchronously when `prepare` has not finished. */
  module(): WebAssembly.Module;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Wraps the base64 bytes of one module; nothing is decoded or compiled until asked. */
export function embeddedWasmModule(base64: string): EmbeddedWasmModule {
  let compiled: WebAssembly.Module | undefined;
  return {
    prepare() {
      if (compiled != null || typeof WebAssembly === 'undefined') return Promise.resolve();
      return WebAssembly.compile(decodeBase64(base64) as BufferSource).then(
        (module) => {
          compiled ??= module;
        },
        () => undefined, // the synchronous compile in module() reports the error where it matters
      );
    },
    module() {
      compiled ??= new WebAssembly.Module(decodeBase64(base64) as BufferSource);
      return compiled;
    },
  };
}
