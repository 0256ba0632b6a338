import { describe, expect, it } from 'vitest';
import { checkImportedMemoryModule, compileWasmKernel, findClangVersion, WASM_KERNEL_SOURCES } from '../scripts/build-wasm-kernels.js';
import { MAT_MUL_WASM_BASE64, MAT_MUL_WASM_COMPILER } from '../src/backends/wasm/mat-mul-wasm-binary.js';
import { PATCH_ATTENTION_WASM_BASE64, PATCH_ATTENTION_WASM_COMPILER } from '../src/backends/wasm/patch-attention-wasm-binary.js';

const clangVersion = findClangVersion();
let hasObjdump = true;
try {
  // Only to know whether the imported-memory check can run here (llvm-objdump comes with clang/lld on Debian).
  (await import('node:child_process')).execFileSync('llvm-objdump', ['--version'], { stdio: 'ignore' });
} catch {
  hasObjdump = false;
}

/** Each embedded module, its entry points, and what it imports. */
const modules = [
  {
    source: 'src/backends/wasm/native/patch-attention-kernel.c',
    base64: PATCH_ATTENTION_WASM_BASE64,
    compiler: PATCH_ATTENTION_WASM_COMPILER,
    exports: ['memory', '__heap_base', 'scratch_floats', 'patch_attention_forward', 'patch_attention_backward'],
    imports: [] as WebAssembly.ModuleImportDescriptor[],
  },
  {
    source: 'src/backends/wasm/native/mat-mul-kernel.c',
    base64: MAT_MUL_WASM_BASE64,
    compiler: MAT_MUL_WASM_COMPILER,
    exports: ['mat_mul_packed_floats', 'mat_mul_pack', 'mat_mul_packed', 'sparse_convolution_packed', 'segment_sum', 'mask_logits_with_priors'],
    // The tfjs backend's memory, so operands are read in place.
    imports: [{ module: 'env', name: 'memory', kind: 'memory' }] as WebAssembly.ModuleImportDescriptor[],
  },
];

describe.each(modules)('embedded wasm module from $source', ({ source, base64, compiler, exports, imports }) => {
  const embedded = Buffer.from(base64, 'base64');
  const kernel = WASM_KERNEL_SOURCES.find((entry) => entry.source === source)!;
  // Another clang version emits other (equally valid) bytes, so only the recorded one is compared.
  const comparable = clangVersion === compiler;
  if (!comparable) {
    console.warn(`Embedded ${source} module not compared with a fresh compile: needs ${compiler}, found ${clangVersion ?? 'no clang'} (apt-get install -y clang lld).`);
  }

  it('is a valid module with the entry points the kernel calls and only the expected imports', () => {
    const module = new WebAssembly.Module(embedded);
    const names = WebAssembly.Module.exports(module).map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(exports));
    expect(WebAssembly.Module.imports(module)).toEqual(imports);
    expect(kernel.importsMemory).toBe(imports.length > 0);
  });

  it.skipIf(!comparable)(`matches a fresh compile of ${source} (run build:wasm after editing the C)`, () => {
    expect(compileWasmKernel(kernel).equals(embedded)).toBe(true);
  });

  it.skipIf(!kernel.importsMemory || !hasObjdump)('has no static data and never touches a stack in the memory it borrows', () => {
    expect(() => checkImportedMemoryModule(embedded, source)).not.toThrow();
  });
});

describe('imported-memory module check', () => {
  it('rejects a module with a data section', () => {
    // Minimal module: magic, version, then a data section (id 11) holding zero segments.
    const withData = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x00]);
    expect(() => checkImportedMemoryModule(withData, 'with-data.wasm')).toThrow(/data section/);
  });
});
