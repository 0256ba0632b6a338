import { describe, expect, it } from 'vitest';
import { compileWasmKernel, findClangVersion, PATCH_ATTENTION_SOURCE } from '../scripts/build-wasm-kernels.js';
import { PATCH_ATTENTION_WASM_BASE64, PATCH_ATTENTION_WASM_COMPILER } from '../src/backends/wasm/patch-attention-wasm-binary.js';

const embedded = Buffer.from(PATCH_ATTENTION_WASM_BASE64, 'base64');
const clangVersion = findClangVersion();
// Another clang version emits other (equally valid) bytes, so only the recorded one is compared.
const comparable = clangVersion === PATCH_ATTENTION_WASM_COMPILER;
if (!comparable) {
  console.warn(
    `Embedded patch-attention wasm not compared with a fresh compile: needs ${PATCH_ATTENTION_WASM_COMPILER}, found ${clangVersion ?? 'no clang'} (apt-get install -y clang lld).`,
  );
}

describe('embedded patch-attention wasm module', () => {
  it('is a valid module with the entry points the kernel calls', () => {
    const module = new WebAssembly.Module(embedded);
    const names = WebAssembly.Module.exports(module).map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['memory', '__heap_base', 'scratch_floats', 'patch_attention_forward', 'patch_attention_backward']));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
  });

  it.skipIf(!comparable)('matches a fresh compile of native/patch-attention-kernel.c (run build:wasm after editing the C)', () => {
    expect(compileWasmKernel(PATCH_ATTENTION_SOURCE).equals(embedded)).toBe(true);
  });
});
