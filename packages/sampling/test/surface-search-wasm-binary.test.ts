import { describe, expect, it } from 'vitest';
import { compileSurfaceSearch, findClangVersion, SURFACE_SEARCH_SOURCE } from '../scripts/build-wasm.js';
import { SURFACE_SEARCH_WASM_BASE64, SURFACE_SEARCH_WASM_COMPILER } from '../src/surface-search-wasm-binary.js';

const clangVersion = findClangVersion();
// Another clang version emits other (equally valid) bytes, so only the recorded one is compared.
const comparable = clangVersion === SURFACE_SEARCH_WASM_COMPILER;
if (!comparable) {
  console.warn(
    `Embedded ${SURFACE_SEARCH_SOURCE} module not compared with a fresh compile: needs ${SURFACE_SEARCH_WASM_COMPILER}, found ${clangVersion ?? 'no clang'} (apt-get install -y clang lld).`,
  );
}

describe(`embedded wasm module from ${SURFACE_SEARCH_SOURCE}`, () => {
  const embedded = Buffer.from(SURFACE_SEARCH_WASM_BASE64, 'base64');

  it('is a valid module with its own memory, no imports and the entry points the loader calls', () => {
    const module = new WebAssembly.Module(embedded);
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(WebAssembly.Module.exports(module).map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['memory', '__heap_base', 'prune_dominated_edges', 'search_buckets']),
    );
  });

  it.skipIf(!comparable)(`matches a fresh compile of ${SURFACE_SEARCH_SOURCE} (run build:wasm after editing the C)`, () => {
    expect(compileSurfaceSearch().equals(embedded)).toBe(true);
  });
});
