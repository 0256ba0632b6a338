import { NeighborIndex } from './neighbor-index.js';
import { SamplingInputError } from './sampling-error.js';

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
}

/**
 * A symmetric k-nearest-neighbour graph of a point cloud with colour-penalised edge costs, in compressed
 * sparse rows: the "surface" along which geodesic (shortest-path) distances between points are measured.
 * Distances cross gaps no wider than the k-th neighbour distance and grow across colour edges, so they
 * follow objects rather than the straight line through the air.
 *
 * Written by hand: no maintained JavaScript library builds kNN graphs over typed arrays and runs Dijkstra
 * on them without per-node objects; this one keeps three flat arrays and a typed binary heap.
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

  /**
   * @param positions `pointCount*3` coordinates in metres.
   * @throws {@link SamplingInputError} on malformed positions, colours or options.
   */
  constructor(positions: Float32Array, options: SurfaceGraphOptions = {}) {
    const neighborCount = options.neighborCount ?? 12;
    const colorWeight = options.colorWeight ?? 4;
    if (!Number.isInteger(neighborCount) || neighborCount < 1) {
      throw new SamplingInputError('options.neighborCount', 'a positive integer', String(options.neighborCount));
    }
    if (!Number.isFinite(colorWeight) || colorWeight < 0) {
      throw new SamplingInputError('options.colorWeight', 'a finite number ≥ 0', String(options.colorWeight));
    }
    if (positions.length % 3 !== 0) {
      throw new SamplingInputError('positions', 'a length that is a multiple of 3', `length ${positions.length}`);
    }
    const pointCount = positions.length / 3;
    const colors = options.colors;
    if (colors && colors.length !== positions.length) {
      throw new SamplingInputError('options.colors', `${positions.length} values (3 per point)`, `${colors.length} values`);
    }
    this.pointCount = pointCount;
    const k = Math.min(neighborCount + 1, pointCount);
    const { indices, distances } = pointCount > 0 ? new NeighborIndex(positions).knn(positions, k) : { indices: new Int32Array(0), distances: new Float32Array(0) };
    // Degree of each point in the symmetric graph: its own neighbours plus everyone that lists it.
    const degree = new Int32Array(pointCount);
    for (let point = 0; point < pointCount; point++) {
      for (let slot = 0; slot < k; slot++) {
        const other = indices[point * k + slot];
        if (other === point) continue;
        degree[point]++;
        degree[other]++;
      }
    }
    const offsets = new Int32Array(pointCount + 1);
    for (let point = 0; point < pointCount; point++) offsets[point + 1] = offsets[point] + degree[point];
    const targets = new Int32Array(offsets[pointCount]);
    const costs = new Float32Array(offsets[pointCount]);
    const fill = offsets.slice(0, pointCount);
    for (let point = 0; point < pointCount; point++) {
      for (let slot = 0; slot < k; slot++) {
        const other = indices[point * k + slot];
        if (other === point) continue;
        let cost = distances[point * k + slot];
        if (colors && colorWeight > 0) {
          const red = (colors[point * 3] - colors[other * 3]) / 255;
          const green = (colors[point * 3 + 1] - colors[other * 3 + 1]) / 255;
          const blue = (colors[point * 3 + 2] - colors[other * 3 + 2]) / 255;
          cost *= 1 + colorWeight * Math.sqrt(red * red + green * green + blue * blue);
        }
        targets[fill[point]] = other;
        costs[fill[point]++] = cost;
        targets[fill[other]] = point;
        costs[fill[other]++] = cost;
      }
    }
    this.offsets = offsets;
    this.targets = targets;
    this.costs = costs;
  }

  /**
   * Geodesic distance in metres from `source` to every point, by Dijkstra on the graph, stopped at
   * `limit`: points farther than `limit` (or unreachable) read exactly `limit`.
   * @param source Point index.
   * @param limit Largest distance of interest in metres (> 0; Infinity allowed).
   * @returns `pointCount` distances in metres.
   * @throws {@link SamplingInputError} when `source` is not a point index or `limit` is not positive.
   */
  distancesFrom(source: number, limit: number): Float32Array {
    if (!Number.isInteger(source) || source < 0 || source >= this.pointCount) {
      throw new SamplingInputError('source', `a point index in 0..${this.pointCount - 1}`, String(source));
    }
    if (!(limit > 0)) throw new SamplingInputError('limit', 'a positive number of metres', String(limit));
    const result = new Float32Array(this.pointCount).fill(limit);
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
    return result;
  }
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
