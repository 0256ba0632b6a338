import { NeighborIndex } from './neighbor-index.js';
import { SamplingInputError } from './sampling-error.js';
import { estimateNormals } from './superpoints.js';
import { SurfaceSearchPool, type PendingSurfaceSearches, type SurfaceSearchThreads } from './surface-search-helpers.js';
import { SurfaceSearchKernel } from './surface-search-wasm.js';

/** Most buckets a bucket-queue search may scan, per point plus a constant; beyond it the heap is used. */
const BUCKET_LIMIT_PER_POINT = 4;
const BUCKET_LIMIT = 4096;

/** Options of {@link SurfaceGraph}. */
export interface SurfaceGraphOptions {
  /** RGB colour per point, 0..255, `pointCount*3`; without it edges cost their length. */
  colors?: Uint8Array;
  /** Neighbours per point in the k-nearest-neighbour graph (then made symmetric). Default 12. */
  neighborCount?: number;
  /**
   * Colour penalty: an edge of length d between points whose RGB colours (scaled to 0..1) are Δ apart
   * (Euclidean, 0..√3) costs d · (1 + colorWeight · Δ) metres. 0 = pure geodesic length. Default 4.
   */
  colorWeight?: number;
  /**
   * Cost factor of an edge along a flat surface, in (0, 1]: an edge between points whose unit normals are θ
   * apart costs its colour-penalised cost × (flatEdgeFactor + (1 − flatEdgeFactor) · sin θ), so distances
   * shrink by up to this factor along walls, floors and table tops while creases (θ near 90°) keep their full
   * cost. Default 1: every edge costs its length (and colour penalty) only.
   */
  flatEdgeFactor?: number;
  /**
   * Unit normal per point, `pointCount*3` (sign ignored), read only with `flatEdgeFactor` < 1; without them the
   * normals are estimated by principal component analysis of each point's graph neighbourhood.
   */
  normals?: Float32Array;
  /**
   * Where capped searches run: `'wasm'` (default; JavaScript where WebAssembly is missing) or `'javascript'`.
   * Both give the same distances to the bit.
   */
  searchKernel?: 'wasm' | 'javascript';
  /**
   * Helper threads for {@link SurfaceGraph.distancesFromEach}, each with its own copy of the wasm search (started
   * at the first capped search, in the background). Ignored with `searchKernel: 'javascript'`, without wasm, or
   * where `SharedArrayBuffer` or `Atomics.wait` is missing. Default: none.
   */
  threads?: SurfaceSearchThreads;
}

/**
 * A symmetric k-nearest-neighbour graph of a point cloud with colour-penalised edge costs, in compressed
 * sparse rows: the "surface" along which geodesic (shortest-path) distances between points are measured.
 * Distances cross gaps no wider than the k-th neighbour distance and grow across colour edges, so they
 * follow objects rather than the straight line through the air.
 *
 * Written by hand: no maintained JavaScript library builds kNN graphs over typed arrays and runs Dijkstra
 * on them without per-node objects; this one keeps three flat arrays and a typed binary heap. Capped
 * searches run in a small wasm module (`src/native/surface-search.c`), about twice as fast as the same
 * bucket queue in JavaScript, on a copy of the rows without dominated edges (see {@link distancesFrom}).
 *
 * @example
 * const graph = new SurfaceGraph(positions, { colors });
 * const metres = graph.distancesFrom(clickedPoint, 4); // 4 where farther than 4 m or unreachable
 */
export class SurfaceGraph {
  /** Number of points (graph nodes). */
  readonly pointCount: number;
  /** Row starts into `targets`/`costs`, `pointCount + 1` entries. */
  readonly offsets: Int32Array;
  /** Neighbour of each edge. */
  readonly targets: Int32Array;
  /** Cost of each edge in metres (length scaled by the colour penalty). */
  readonly costs: Float32Array;
  /** Smallest edge cost in metres (Infinity without edges): the bucket width of the search is half of it. */
  private readonly cheapestCost: number;
  /** Search buffers, kept between calls: tentative distances, bucket lists (next, previous), each point's bucket. */
  private searchBuffers?: { tentative: Float64Array; next: Int32Array; previous: Int32Array; bucketOf: Int32Array };
  /** Where capped searches run. */
  private readonly searchKernel: 'wasm' | 'javascript';
  /** The wasm search over the pruned rows, made at the first capped search; null where WebAssembly is missing. */
  private wasmSearch?: SurfaceSearchKernel | null;
  /** Helper threads wanted, if any. */
  private readonly threads?: SurfaceSearchThreads;
  /** The helpers of the current `wasmSearch`. */
  private searchPool?: SurfaceSearchPool;

  /**
   * @param positions `pointCount*3` coordinates in metres.
   * @throws {@link SamplingInputError} on malformed positions, colours or options.
   */
  constructor(positions: Float32Array, options: SurfaceGraphOptions = {}) {
    const neighborCount = options.neighborCount ?? 12;
    const colorWeight = options.colorWeight ?? 4;
    const flatEdgeFactor = options.flatEdgeFactor ?? 1;
    const searchKernel = options.searchKernel ?? 'wasm';
    if (searchKernel !== 'wasm' && searchKernel !== 'javascript') {
      throw new SamplingInputError('options.searchKernel', "'wasm' or 'javascript'", String(options.searchKernel));
    }
    this.searchKernel = searchKernel;
    if (options.threads !== undefined) {
      const { count, spawn } = options.threads;
      if (!Number.isInteger(count) || count < 1) throw new SamplingInputError('options.threads.count', 'a positive integer', String(count));
      if (typeof spawn !== 'function') throw new SamplingInputError('options.threads.spawn', 'a function that starts a worker', typeof spawn);
      this.threads = options.threads;
    }
    if (!Number.isInteger(neighborCount) || neighborCount < 1) {
      throw new SamplingInputError('options.neighborCount', 'a positive integer', String(options.neighborCount));
    }
    if (!Number.isFinite(colorWeight) || colorWeight < 0) {
      throw new SamplingInputError('options.colorWeight', 'a finite number ≥ 0', String(options.colorWeight));
    }
    if (!(flatEdgeFactor > 0 && flatEdgeFactor <= 1)) {
      throw new SamplingInputError('options.flatEdgeFactor', 'a number in (0, 1]', String(options.flatEdgeFactor));
    }
    if (positions.length % 3 !== 0) {
      throw new SamplingInputError('positions', 'a length that is a multiple of 3', `length ${positions.length}`);
    }
    const pointCount = positions.length / 3;
    const colors = options.colors;
    if (colors && colors.length !== positions.length) {
      throw new SamplingInputError('options.colors', `${positions.length} values (3 per point)`, `${colors.length} values`);
    }
    if (options.normals && flatEdgeFactor < 1 && options.normals.length !== positions.length) {
      throw new SamplingInputError('options.normals', `${positions.length} values (3 per point)`, `${options.normals.length} values`);
    }
    this.pointCount = pointCount;
    const k = Math.min(neighborCount + 1, pointCount);
    const { indices, distances } = pointCount > 0 ? new NeighborIndex(positions).knn(positions, k) : { indices: new Int32Array(0), distances: new Float32Array(0) };
    const normals = flatEdgeFactor < 1 ? (options.normals ?? estimateNormals(positions, indices, k)) : undefined;
    // Degree of each point in the symmetric graph: its own neighbours plus everyone that lists it, each pair
    // once: a mutual pair (each in the other's list) is added from its lower point only.
    const listed = (owner: number, point: number): boolean => {
      for (let slot = 0, base = owner * k; slot < k; slot++) if (indices[base + slot] === point) return true;
      return false;
    };
    // Which list entries make an edge, decided once (the fill below reads the flags instead of scanning again).
    const makesEdge = new Uint8Array(pointCount * k);
    const degree = new Int32Array(pointCount);
    for (let point = 0; point < pointCount; point++) {
      for (let slot = 0; slot < k; slot++) {
        const other = indices[point * k + slot];
        if (other === point || (other < point && listed(other, point))) continue;
        makesEdge[point * k + slot] = 1;
        degree[point]++;
        degree[other]++;
      }
    }
    const offsets = new Int32Array(pointCount + 1);
    for (let point = 0; point < pointCount; point++) offsets[point + 1] = offsets[point] + degree[point];
    const targets = new Int32Array(offsets[pointCount]);
    const costs = new Float32Array(offsets[pointCount]);
    const fill = offsets.slice(0, pointCount);
    let cheapest = Infinity;
    for (let point = 0; point < pointCount; point++) {
      for (let slot = 0; slot < k; slot++) {
        if (makesEdge[point * k + slot] === 0) continue;
        const other = indices[point * k + slot];
        let cost = distances[point * k + slot];
        if (colors && colorWeight > 0) {
          const red = (colors[point * 3] - colors[other * 3]) / 255;
          const green = (colors[point * 3 + 1] - colors[other * 3 + 1]) / 255;
          const blue = (colors[point * 3 + 2] - colors[other * 3 + 2]) / 255;
          cost *= 1 + colorWeight * Math.sqrt(red * red + green * green + blue * blue);
        }
        if (normals) {
          const cosine = normals[point * 3] * normals[other * 3] + normals[point * 3 + 1] * normals[other * 3 + 1] + normals[point * 3 + 2] * normals[other * 3 + 2];
          const sine = Math.sqrt(Math.max(0, 1 - cosine * cosine));
          cost *= flatEdgeFactor + (1 - flatEdgeFactor) * sine;
        }
        targets[fill[point]] = other;
        costs[fill[point]++] = cost;
        targets[fill[other]] = point;
        costs[fill[other]++] = cost;
        cheapest = Math.min(cheapest, Math.fround(cost));
      }
    }
    this.offsets = offsets;
    this.targets = targets;
    this.costs = costs;
    this.cheapestCost = cheapest;
  }

  /**
   * Geodesic distance in metres from `source` to every point, by Dijkstra on the graph, stopped at
   * `limit`: points farther than `limit` (or unreachable) read exactly `limit`.
   *
   * A capped search (the bucket queue below) runs in wasm by default, on the rows without their dominated
   * edges: u→v is left out when some neighbour w of both has c_uw + c_wv below c_uv by more than float64
   * rounding (relative and absolute margin 2⁻⁴⁰, the latter times the cap). Every path through u→v then has
   * a path through u→w→v whose float64 sum is no larger (rounding is monotone), so the smallest sums, the
   * distances, are the same to the bit; about a fifth of a kNN graph's edges go (661,002 → 531,084 row
   * entries on the segmenter bench's 49,825 voxels). The pruning runs once, at the first capped search, and
   * again only for a larger cap.
   * @param source Point index.
   * @param limit Largest distance of interest in metres (> 0; Infinity allowed).
   * @returns `pointCount` distances in metres.
   * @throws {@link SamplingInputError} when `source` is not a point index or `limit` is not positive.
   */
  distancesFrom(source: number, limit: number): Float32Array {
    this.checkSource(source, 'source');
    if (!(limit > 0)) throw new SamplingInputError('limit', 'a positive number of metres', String(limit));
    const { width, bucketCount, bucketed } = this.bucketsFor(limit);
    const kernel = bucketed ? this.wasmSearchFor(limit, bucketCount) : undefined;
    if (kernel) return kernel.search(source, limit, width, bucketCount);
    return this.searchInJavaScript(source, limit, width, bucketCount, bucketed);
  }

  /**
   * {@link distancesFrom} for each source, the same distances to the bit; with `threads` (see
   * {@link SurfaceGraphOptions.threads}) the helpers that are ready search a share each while this thread
   * searches the rest, blocking in `Atomics.wait` until they finish (so not on a page's main thread).
   * @param sources Point indices.
   * @param limit As for {@link distancesFrom}.
   * @returns One `pointCount` array of metres per source, in the order of `sources`.
   * @throws {@link SamplingInputError} naming `sources[i]` when one is not a point index, or `limit`.
   */
  distancesFromEach(sources: ArrayLike<number>, limit: number): Float32Array[] {
    // One search is done here at once: a helper would have to wake up for it while this thread waits.
    return this.startDistancesFromEach(sources, limit, 2).finish();
  }

  /**
   * {@link distancesFromEach} in two steps, so the calling thread can do other work while helper threads search:
   * with `threads`, the helpers that are ready start now and `finish()` does this thread's share, waits for them and
   * returns the rows (the same to the bit); without, `finish()` does every search. Sources and limit are checked
   * now. Starting another search before `finish()` finishes this one first (its rows stay available).
   * @param helperMinimum Fewest sources worth handing to the helpers (default 1: even a single search goes to a
   *   helper, which works on it while this thread does something else until `finish()`).
   * @throws {@link SamplingInputError} as {@link distancesFromEach}.
   */
  startDistancesFromEach(sources: ArrayLike<number>, limit: number, helperMinimum = 1): PendingSurfaceSearches {
    for (let index = 0; index < sources.length; index++) this.checkSource(sources[index], `sources[${index}]`);
    if (!(limit > 0)) throw new SamplingInputError('limit', 'a positive number of metres', String(limit));
    const { width, bucketCount, bucketed } = this.bucketsFor(limit);
    const kernel = bucketed ? this.wasmSearchFor(limit, bucketCount) : undefined;
    const list = Array.from(sources);
    if (!kernel) return finishLater(() => list.map((source) => this.searchInJavaScript(source, limit, width, bucketCount, bucketed)));
    const searchHere = (source: number): Float32Array => kernel.search(source, limit, width, bucketCount);
    if (!this.searchPool || list.length === 0 || list.length < helperMinimum) return finishLater(() => list.map(searchHere));
    return this.searchPool.start(list, limit, width, bucketCount, searchHere);
  }

  /** Helper threads ready for {@link distancesFromEach} now (0 without `threads`, or before they have started). */
  get readyHelperCount(): number {
    return this.searchPool?.readyCount ?? 0;
  }

  /** Searches of {@link distancesFromEach} that helper threads did so far (0 without `threads`). */
  get helperSearchCount(): number {
    return this.searchPool?.helperSearchCount ?? 0;
  }

  /** Ends the helper threads, if any (later searches run on this thread). */
  dispose(): void {
    this.searchPool?.dispose();
    this.searchPool = undefined;
  }

  private checkSource(source: number, field: string): void {
    if (!Number.isInteger(source) || source < 0 || source >= this.pointCount) {
      throw new SamplingInputError(field, `a point index in 0..${this.pointCount - 1}`, String(source));
    }
  }

  /**
   * Buckets of half the cheapest edge cost (see searchBuckets); not `bucketed` (the heap) when there would be
   * too many of them (an unbounded limit, or coincident points with zero-cost edges).
   */
  private bucketsFor(limit: number): { width: number; bucketCount: number; bucketed: boolean } {
    const width = this.cheapestCost / 2;
    const bucketCount = Math.floor(limit / width) + 1;
    return { width, bucketCount, bucketed: width > 0 && bucketCount <= BUCKET_LIMIT_PER_POINT * this.pointCount + BUCKET_LIMIT };
  }

  /** One search in JavaScript: the bucket queue with the buckets of {@link bucketsFor}, or the heap where they do not fit. */
  private searchInJavaScript(source: number, limit: number, width: number, bucketCount: number, bucketed: boolean): Float32Array {
    const result = new Float32Array(this.pointCount).fill(limit);
    if (bucketed) {
      this.searchBuckets(source, limit, width, bucketCount, result);
    } else {
      this.searchHeap(source, limit, result);
    }
    return result;
  }

  /**
   * The wasm search for a cap of `limit` metres and `bucketCount` buckets, made (or remade, for a larger cap
   * or more buckets) on first use; undefined with `searchKernel: 'javascript'` or without WebAssembly.
   */
  private wasmSearchFor(limit: number, bucketCount: number): SurfaceSearchKernel | undefined {
    if (this.searchKernel !== 'wasm' || this.wasmSearch === null) return undefined;
    const current = this.wasmSearch;
    if (current && current.limit >= limit && current.bucketCapacity >= bucketCount) return current;
    this.wasmSearch = SurfaceSearchKernel.create(
      this.offsets, this.targets, this.costs, Math.max(limit, current?.limit ?? 0), Math.max(bucketCount, current?.bucketCapacity ?? 0),
    ) ?? null;
    // Helpers mirror the kernel they were copied from: a remade kernel gets new ones.
    this.searchPool?.dispose();
    this.searchPool = this.threads && this.wasmSearch && SurfaceSearchPool.supported ? new SurfaceSearchPool(this.wasmSearch.image(), this.threads) : undefined;
    return this.wasmSearch ?? undefined;
  }

  /** Dijkstra with a binary heap (lazy deletion): writes distances below `limit` into `result`. */
  private searchHeap(source: number, limit: number, result: Float32Array): void {
    const { offsets, targets, costs } = this;
    const tentative = new Float64Array(this.pointCount).fill(Infinity);
    const heap = new DistanceHeap();
    tentative[source] = 0;
    heap.push(0, source);
    while (heap.size > 0) {
      const distance = heap.topKey();
      const point = heap.pop();
      if (distance > tentative[point]) continue; // a stale entry
      result[point] = distance;
      for (let edge = offsets[point]; edge < offsets[point + 1]; edge++) {
        const other = targets[edge];
        const candidate = distance + costs[edge];
        if (candidate < tentative[other] && candidate < limit) {
          tentative[other] = candidate;
          heap.push(candidate, other);
        }
      }
    }
  }

  /**
   * Dijkstra with a bucket queue (Dial's algorithm): bucket b holds the points whose tentative distance d has
   * ⌊d / width⌋ = b, in doubly linked lists, so a point moves in O(1) when its distance drops; O(edges +
   * buckets) instead of the heap's O(edges · log). With width half the cheapest edge, a point relaxed from
   * bucket b lands at least one bucket further, so every point of the lowest non-empty bucket is final and
   * may be settled in any order. Should rounding ever lower a settled point, it is simply queued and settled
   * again, so the distances are exactly the heap's either way: each is the smallest (neighbour's distance +
   * edge) over the point's neighbours, computed in the same float64 arithmetic.
   */
  private searchBuckets(source: number, limit: number, width: number, bucketCount: number, result: Float32Array): void {
    const { offsets, targets, costs, pointCount } = this;
    // Kept between calls; every search leaves each point out of every bucket (bucketOf −1).
    this.searchBuffers ??= {
      tentative: new Float64Array(pointCount),
      next: new Int32Array(pointCount),
      previous: new Int32Array(pointCount),
      bucketOf: new Int32Array(pointCount).fill(-1),
    };
    const { tentative, next, previous, bucketOf } = this.searchBuffers;
    tentative.fill(Infinity);
    const heads = new Int32Array(bucketCount).fill(-1);
    tentative[source] = 0;
    next[source] = -1;
    previous[source] = -1;
    bucketOf[source] = 0;
    heads[0] = source;
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      for (let point = heads[bucket]; point >= 0; point = heads[bucket]) {
        // Unlink the head; it is final.
        heads[bucket] = next[point];
        if (next[point] >= 0) previous[next[point]] = -1;
        bucketOf[point] = -1;
        const distance = tentative[point];
        result[point] = distance;
        for (let edge = offsets[point], end = offsets[point + 1]; edge < end; edge++) {
          const other = targets[edge];
          const candidate = distance + costs[edge];
          if (candidate >= tentative[other] || candidate >= limit) continue;
          if (bucketOf[other] >= 0) {
            // Unlink from its current bucket.
            const before = previous[other];
            const after = next[other];
            if (before >= 0) next[before] = after;
            else heads[bucketOf[other]] = after;
            if (after >= 0) previous[after] = before;
          }
          tentative[other] = candidate;
          const target = Math.floor(candidate / width);
          const head = heads[target];
          next[other] = head;
          previous[other] = -1;
          if (head >= 0) previous[head] = other;
          heads[target] = other;
          bucketOf[other] = target;
        }
      }
    }
  }
}

/** Searches run on the calling thread when `finish` is first called (once; later calls return the same rows). */
function finishLater(search: () => Float32Array[]): PendingSurfaceSearches {
  let rows: Float32Array[] | undefined;
  return { finish: () => (rows ??= search()) };
}

/**
 * Binary min-heap of (distance, point) pairs on typed arrays, with lazy deletion (a point may be pushed
 * again with a smaller key; the caller skips stale entries). Shared by the graph searches of this package.
 */
export class DistanceHeap {
  private keys = new Float64Array(64);
  private points = new Int32Array(64);
  /** Entries in the heap. */
  size = 0;

  /** Adds `point` with key `key` (metres). */
  push(key: number, point: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      this.keys = keys;
      const points = new Int32Array(this.size * 2);
      points.set(this.points);
      this.points = points;
    }
    const { keys, points } = this;
    let position = this.size++;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[position] = keys[parent];
      points[position] = points[parent];
      position = parent;
    }
    keys[position] = key;
    points[position] = point;
  }

  /** Smallest key; undefined behaviour when empty. */
  topKey(): number {
    return this.keys[0];
  }

  /** Removes and returns the point with the smallest key; undefined behaviour when empty. */
  pop(): number {
    const { keys, points } = this;
    const top = points[0];
    const lastKey = keys[--this.size];
    const lastPoint = points[this.size];
    let position = 0;
    for (;;) {
      let child = position * 2 + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= lastKey) break;
      keys[position] = keys[child];
      points[position] = points[child];
      position = child;
    }
    keys[position] = lastKey;
    points[position] = lastPoint;
    return top;
  }
}
