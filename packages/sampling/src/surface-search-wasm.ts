import { SURFACE_SEARCH_WASM_BASE64 } from './surface-search-wasm-binary.js';

/** The exports of `src/native/surface-search.c` (pointers are byte offsets into `memory`). */
interface SurfaceSearchExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  prune_dominated_edges(pointCount: number, offsets: number, targets: number, costs: number, marks: number, keep: number, margin: number): number;
  search_buckets(
    offsets: number, targets: number, costs: number, tentative: number, next: number, previous: number, bucketOf: number, heads: number,
    settled: number, pointCount: number, source: number, limit: number, width: number, bucketCount: number, result: number,
  ): number;
}

/** Compiled once per process; undefined where WebAssembly is missing (the searches then run in JavaScript). */
let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled module, or null without WebAssembly or where a content security policy forbids compiling it.
 * Synchronous: the module is 2.3 KiB, under every browser's limit for main-thread compiles.
 */
function compileSurfaceSearch(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    if (typeof WebAssembly !== 'undefined') {
      const text = atob(SURFACE_SEARCH_WASM_BASE64);
      const bytes = new Uint8Array(text.length);
      for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
      try {
        compiled = new WebAssembly.Module(bytes);
      } catch (error) {
        // A page whose policy lacks 'wasm-unsafe-eval' refuses the compile (EvalError or CompileError).
        if (!(error instanceof Error)) throw error;
      }
    }
  }
  return compiled;
}

/**
 * What a helper thread needs to run a {@link SurfaceSearchKernel}'s searches in an instance of its own: the
 * compiled module, a copy of the kernel's memory (pruned rows; search buffers as every search leaves them) and
 * where each array lies in it.
 */
export interface SurfaceSearchImage {
  module: WebAssembly.Module;
  memory: ArrayBuffer;
  pointers: Readonly<Record<'offsets' | 'targets' | 'costs' | 'tentative' | 'next' | 'previous' | 'bucketOf' | 'settled' | 'result' | 'heads', number>>;
  pointCount: number;
}

/** Extra relative and absolute (× limit) margin of the pruning, 2⁻⁴⁰: far above float64 rounding, far below float32 resolution. */
export const PRUNING_MARGIN = 2 ** -40;

/**
 * One SurfaceGraph's search rows in a wasm instance of their own (so its memory goes with the graph): the
 * rows copied in once and pruned of dominated edges for searches capped at `limit` metres or less, the
 * search buffers, and room for `bucketCount` buckets. Returns undefined where WebAssembly is missing.
 */
export class SurfaceSearchKernel {
  /** Largest search cap in metres the pruned rows are exact for. */
  readonly limit: number;
  /** Buckets the queue has room for. */
  readonly bucketCapacity: number;
  /** Row entries left after pruning. */
  readonly keptEdgeCount: number;
  private readonly module: WebAssembly.Module;
  private readonly exports: SurfaceSearchExports;
  private readonly pointCount: number;
  private readonly pointers: Record<'offsets' | 'targets' | 'costs' | 'tentative' | 'next' | 'previous' | 'bucketOf' | 'settled' | 'result' | 'heads', number>;
  private readonly result: Float32Array;

  private constructor(module: WebAssembly.Module, offsets: Int32Array, targets: Int32Array, costs: Float32Array, limit: number, bucketCapacity: number) {
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as SurfaceSearchExports;
    const pointCount = offsets.length - 1;
    const edgeCount = targets.length;
    let cursor = Number(exports.__heap_base.value);
    const take = (bytes: number): number => {
      const start = Math.ceil(cursor / 8) * 8;
      cursor = start + bytes;
      return start;
    };
    const pointers = {
      offsets: take(4 * (pointCount + 1)), targets: take(4 * edgeCount), costs: take(4 * edgeCount),
      tentative: take(8 * pointCount), next: take(4 * pointCount), previous: take(4 * pointCount), bucketOf: take(4 * pointCount),
      settled: take(4 * pointCount), result: take(4 * pointCount), heads: take(4 * bucketCapacity),
    };
    const keep = take(edgeCount); // pruning scratch
    const pages = Math.ceil(cursor / 65536) - exports.memory.buffer.byteLength / 65536;
    if (pages > 0) exports.memory.grow(pages);
    const buffer = exports.memory.buffer;
    new Int32Array(buffer, pointers.offsets, pointCount + 1).set(offsets);
    new Int32Array(buffer, pointers.targets, edgeCount).set(targets);
    new Float32Array(buffer, pointers.costs, edgeCount).set(costs);
    const tentative = new Float64Array(buffer, pointers.tentative, pointCount);
    tentative.fill(-1); // the pruning's marks
    this.keptEdgeCount = exports.prune_dominated_edges(pointCount, pointers.offsets, pointers.targets, pointers.costs, pointers.tentative, keep, limit * PRUNING_MARGIN);
    tentative.fill(Infinity);
    new Int32Array(buffer, pointers.bucketOf, pointCount).fill(-1);
    new Int32Array(buffer, pointers.heads, bucketCapacity).fill(-1);
    this.module = module;
    this.exports = exports;
    this.pointCount = pointCount;
    this.pointers = pointers;
    this.result = new Float32Array(buffer, pointers.result, pointCount);
    this.limit = limit;
    this.bucketCapacity = bucketCapacity;
  }

  /**
   * A kernel for these rows, exact for caps up to `limit` metres with up to `bucketCapacity` buckets, or
   * undefined without WebAssembly, where it may not be compiled, or when the rows do not fit its memory.
   */
  static create(offsets: Int32Array, targets: Int32Array, costs: Float32Array, limit: number, bucketCapacity: number): SurfaceSearchKernel | undefined {
    const module = compileSurfaceSearch();
    if (!module) return undefined;
    try {
      return new SurfaceSearchKernel(module, offsets, targets, costs, limit, bucketCapacity);
    } catch (error) {
      // A graph too large for 32-bit wasm memory (about 9 bytes per row entry and 32 per point): JavaScript.
      if (error instanceof RangeError) return undefined;
      throw error;
    }
  }

  /** A copy of this kernel for a helper thread (see {@link SurfaceSearchImage}). */
  image(): SurfaceSearchImage {
    return { module: this.module, memory: this.exports.memory.buffer.slice(0), pointers: { ...this.pointers }, pointCount: this.pointCount };
  }

  /**
   * Distances in metres from `source`, capped at `limit` (≤ {@link limit}), with buckets `width` metres wide
   * (`bucketCount` ≤ {@link bucketCapacity}): a new `pointCount` array, `limit` where farther or unreachable.
   */
  search(source: number, limit: number, width: number, bucketCount: number): Float32Array {
    const { pointers } = this;
    this.result.fill(limit);
    this.exports.search_buckets(
      pointers.offsets, pointers.targets, pointers.costs, pointers.tentative, pointers.next, pointers.previous, pointers.bucketOf, pointers.heads,
      pointers.settled, this.pointCount, source, limit, width, bucketCount, pointers.result,
    );
    return this.result.slice();
  }
}
