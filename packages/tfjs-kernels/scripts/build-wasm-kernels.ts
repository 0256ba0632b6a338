/**
 * Rebuilds the hand-written wasm kernels from C and embeds their bytes (base64) in generated
 * TypeScript modules, so users and CI need no C toolchain.
 * Needs clang and wasm-ld (Debian: `apt-get install -y clang lld`); the matMul module's safety check
 * also runs llvm-objdump (same packages).
 * Run: pnpm --filter @pointclick/tfjs-kernels build:wasm
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

/**
 * clang flags shared by every kernel: wasm32 with SIMD128 (V8 ≥ 9.1, all current browsers), no libc,
 * no entry point, the `export_name` functions exported.
 */
export const CLANG_FLAGS = ['--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-fno-builtin', '-Wl,--no-entry', '-Wl,--export-dynamic'];

/** One hand-written kernel module: its C source, its generated TypeScript module and how it is linked. */
export interface WasmKernelSource {
  /** C source, relative to the package directory. */
  source: string;
  /** Further C sources linked into the same module (each a kernel of its own), relative to the package directory. */
  extraSources?: string[];
  /** Generated TypeScript module, relative to the package directory. */
  binaryModule: string;
  /** Prefix of the generated constants: `<prefix>_BASE64` and `<prefix>_COMPILER`. */
  constantPrefix: string;
  /** What the module is, for the generated TSDoc. */
  description: string;
  /** Linker flags after {@link CLANG_FLAGS}. */
  linkFlags: string[];
  /**
   * True when the module imports the tfjs backend's memory: it must then have no data segments and
   * never touch the stack pointer, or it would write over the backend's heap (checked after compiling).
   */
  importsMemory: boolean;
}

/** The kernels `build:wasm` compiles. */
export const WASM_KERNEL_SOURCES: WasmKernelSource[] = [
  {
    source: 'src/backends/wasm/native/patch-attention-kernel.c',
    binaryModule: 'src/backends/wasm/patch-attention-wasm-binary.ts',
    constantPrefix: 'PATCH_ATTENTION_WASM',
    description: 'The fused patch-attention kernel: a wasm32 + SIMD128 module',
    // Its own memory, a 64 KiB stack, and `__heap_base` so the loader knows where free memory starts.
    linkFlags: ['-Wl,-z,stack-size=65536', '-Wl,--export=__heap_base'],
    importsMemory: false,
  },
  {
    source: 'src/backends/wasm/native/mat-mul-kernel.c',
    // Kernels that also work in place on the backend's memory share the module (one instance, one loader).
    extraSources: ['src/backends/wasm/native/segment-sum-kernel.c', 'src/backends/wasm/native/segment-max-kernel.c', 'src/backends/wasm/native/mask-logits-kernel.c'],
    binaryModule: 'src/backends/wasm/mat-mul-wasm-binary.ts',
    constantPrefix: 'MAT_MUL_WASM',
    description: "The matMul, segment-sum, segment-max and mask-logits kernels: a wasm32 + SIMD128 module that imports the backend's memory",
    linkFlags: ['-Wl,--import-memory', '-Wl,-z,stack-size=0'],
    importsMemory: true,
  },
];

/** Absolute path of a package-relative path. */
export function resolvePackagePath(relative: string): string {
  return path.join(packageDirectory, relative);
}

/** First line of `clang --version`, or null when clang is not installed. */
export function findClangVersion(): string | null {
  try {
    return execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** Section ids of the wasm binary format that an imported-memory module must not have. */
const DATA_SECTION = 11;
const DATA_COUNT_SECTION = 12;

/** Ids of the top-level sections of a wasm module. */
export function listSectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let offset = 8; // magic + version
  while (offset < bytes.length) {
    const id = bytes[offset++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[offset++];
      size |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
    }
    ids.push(id);
    offset += size;
  }
  return ids;
}

/**
 * Throws unless a module that imports the backend's memory is safe to run in it: no data segments
 * (instantiation would write them over the backend's heap) and no use of any global (the only one is
 * the stack pointer, whose stack would sit at the start of the backend's memory).
 */
export function checkImportedMemoryModule(bytes: Uint8Array, name: string): void {
  const sections = listSectionIds(bytes);
  if (sections.includes(DATA_SECTION) || sections.includes(DATA_COUNT_SECTION)) {
    throw new Error(`${name}: has a data section; a module on the backend's memory must have no static data`);
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'pointclick-wasm-'));
  try {
    const file = path.join(directory, 'kernel.wasm');
    writeFileSync(file, bytes);
    const disassembly = execFileSync('llvm-objdump', ['-d', file], { encoding: 'utf8' });
    const line = disassembly.split('\n').find((text) => /\bglobal\.(get|set)\b/.test(text));
    if (line != null) throw new Error(`${name}: uses a global (the stack pointer?): ${line.trim()}; keep every value in locals`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Compiles `kernel` with {@link CLANG_FLAGS} and its link flags and returns the wasm bytes. Throws when clang fails. */
export function compileWasmKernel(kernel: WasmKernelSource): Buffer {
  const directory = mkdtempSync(path.join(tmpdir(), 'pointclick-wasm-'));
  try {
    const output = path.join(directory, 'kernel.wasm');
    const sources = [kernel.source, ...(kernel.extraSources ?? [])].map(resolvePackagePath);
    execFileSync('clang', [...CLANG_FLAGS, ...kernel.linkFlags, '-o', output, ...sources], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return readFileSync(output);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Text of the generated TypeScript module for `bytes`. */
export function renderBinaryModule(kernel: WasmKernelSource, bytes: Buffer, compiler: string): string {
  const base64 = bytes.toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  const prefix = kernel.constantPrefix;
  return [
    `// Generated by scripts/build-wasm-kernels.ts from ${[kernel.source, ...(kernel.extraSources ?? [])].map((source) => `native/${path.basename(source)}`).join(', ')}: do not edit by hand.`,
    '// Rebuild with `pnpm --filter @pointclick/tfjs-kernels build:wasm` (needs clang and wasm-ld).',
    '',
    `/** \`clang --version\` of the compiler that produced {@link ${prefix}_BASE64}. */`,
    `export const ${prefix}_COMPILER = '${compiler.replace(/[\\']/g, (character) => `\\${character}`)}';`,
    '',
    `/** ${kernel.description} (${bytes.length} bytes), base64. */`,
    `export const ${prefix}_BASE64 =`,
    ...lines.map((line, index) => `  '${line}'${index === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const compiler = findClangVersion();
  if (compiler == null) throw new Error('clang not found: install clang and lld (Debian: apt-get install -y clang lld)');
  for (const kernel of WASM_KERNEL_SOURCES) {
    const bytes = compileWasmKernel(kernel);
    if (kernel.importsMemory) checkImportedMemoryModule(bytes, kernel.source);
    writeFileSync(resolvePackagePath(kernel.binaryModule), renderBinaryModule(kernel, bytes, compiler));
    console.log(`${kernel.binaryModule}: ${bytes.length} bytes from ${compiler}`);
  }
}
