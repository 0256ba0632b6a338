import { SamplingInputError } from './sampling-error.js';
import { describeValue, validateCount, validateFinite, validatePositions } from './input-validation.js';
import { findWidestAxis, selectNth } from './spatial-partition.js';

/** Result of {@link NeighborIndex.knn}. */
export interface NeighborResult {
  /** Point indices of the k nearest neighbours of each query, nearest first. [queryCount, k] */
  indices: Int32Array;
  /** Euclidean distances in metres, ascending per query. [queryCount, k] */
  distances: Float32Array;
}

/** Result of {@link NeighborIndex.knnInLeafOrder}: the indexed points' own neighbours, in the tree's leaf order. */
export interface LeafOrderNeighbors {
  /** Point index of each leaf-order slot (nearby points sit in nearby slots). [pointCount] */
  order: Int32Array;
  /** Slots of the k nearest indexed points of the point in each slot, nearest first. [pointCount, k] */
  neighborSlots: Int32Array;
  /** Euclidean distances in metres, ascending per slot. [pointCount, k] */
  distances: Float32Array;
}

/** Result of {@link NeighborIndex.nearest}. */
export interface NearestResult {
  /** Index of the nearest point. */
  index: number;
  /** Its Euclidean distance in metres. */
  distance: number;
}

/** Points per leaf: small enough to prune well, large enough to amortise the traversal. */
const LEAF_SIZE = 12;
const STACK_CAPACITY = 128;

/**
 * Exact nearest-neighbour search over a fixed point cloud with a k-d tree written for typed arrays:
 * points are reordered into leaf order (contiguous interleaved float64), nodes live in flat arrays, splits
 * are at the median of the widest axis, and queries use an explicit stack with the squared distance to the
 * splitting plane as a lower bound. Ties in distance are broken by the lower point index, so results are
 * deterministic and equal to a brute-force scan.
 *
 * @example
 * const index = new NeighborIndex(positions);
 * const { indices, distances } = index.knn(queries, 16);
 */
export class NeighborIndex {
  /** Number of indexed points. */
  readonly pointCount: number;
  /** Point coordinates in leaf order. [pointCount, 3] */
  private readonly sortedCoordinates: Float64Array;
  /** Original point index of each leaf-order slot. [pointCount] */
  private readonly sortedIndices: Int32Array;
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  /** Split axis (0, 1, 2), or -1 for a leaf. */
  private readonly nodeAxis: Int8Array;
  private readonly nodeSplit: Float64Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private nodeCount = 0;
  private readonly stackNodes = new Int32Array(STACK_CAPACITY);
  private readonly stackBounds = new Float64Array(STACK_CAPACITY);

  /**
   * Builds the tree in O(pointCount · log pointCount).
   *
   * @param positions - Interleaved x y z in metres, length `3 · pointCount`. Copied; later changes are not seen.
   * @throws SamplingInputError on malformed positions.
   */
  constructor(positions: Float32Array) {
    const pointCount = validatePositions(positions);
    this.pointCount = pointCount;
    const order = new Int32Array(pointCount);
    for (let index = 0; index < pointCount; index++) order[index] = index;
    const maximumNodes = Math.max(1, 2 * Math.ceil(pointCount / (LEAF_SIZE / 2)) + 1);
    this.nodeStart = new Int32Array(maximumNodes);
    this.nodeEnd = new Int32Array(maximumNodes);
    this.nodeAxis = new Int8Array(maximumNodes);
    this.nodeSplit = new Float64Array(maximumNodes);
    this.nodeLeft = new Int32Array(maximumNodes);
    this.nodeRight = new Int32Array(maximumNodes);
    this.buildNode(positions, order, 0, pointCount);
    this.sortedIndices = order;
    this.sortedCoordinates = new Float64Array(pointCount * 3);
    for (let slot = 0; slot < pointCount; slot++) {
      const source = order[slot] * 3;
      this.sortedCoordinates[slot * 3] = positions[source];
      this.sortedCoordinates[slot * 3 + 1] = positions[source + 1];
      this.sortedCoordinates[slot * 3 + 2] = positions[source + 2];
    }
  }

  private buildNode(positions: Float32Array, order: Int32Array, start: number, end: number): number {
    const node = this.nodeCount++;
    this.nodeStart[node] = start;
    this.nodeEnd[node] = end;
    if (end - start <= LEAF_SIZE) {
      this.nodeAxis[node] = -1;
      return node;
    }
    const axis = findWidestAxis(positions, order, start, end);
    if (axis === -1) {
      // All points coincide: a leaf, however many there are.
      this.nodeAxis[node] = -1;
      return node;
    }
    const middle = (start + end) >> 1;
    selectNth(positions, order, start, end - 1, middle, axis);
    this.nodeAxis[node] = axis;
    // Left holds slots [start, middle) with coordinate <= split; right holds [middle, end) with >= split.
    this.nodeSplit[node] = positions[order[middle] * 3 + axis];
    this.nodeLeft[node] = this.buildNode(positions, order, start, middle);
    this.nodeRight[node] = this.buildNode(positions, order, middle, end);
    return node;
  }

  /**
   * The `k` nearest indexed points of each query, nearest first (ties by lower index).
   *
   * @param queries - Interleaved x y z in metres, length `3 · queryCount`.
   * @param k - Neighbours per query, 0 ≤ k ≤ pointCount.
   * @returns Flat `[queryCount, k]` indices and distances in metres.
   * @throws SamplingInputError on malformed queries or `k > pointCount`.
   */
  knn(queries: Float32Array, k: number): NeighborResult {
    const queryCount = validatePositions(queries, 'queries');
    validateCount(k, 'k');
    if (k > this.pointCount) {
      throw new SamplingInputError('k', `at most pointCount (${this.pointCount})`, String(k));
    }
    return this.searchEach(queries, queryCount, k, this.sortedIndices);
  }

  /**
   * The `k` nearest indexed points of every indexed point — the same neighbours, ties and distances as
   * `knn(positions, k)` over the positions the index was built from — but answered slot by slot in the tree's
   * leaf order and returned in that order, so consecutive queries touch the same nodes and points. Several
   * times fewer cache misses than querying in input order on large clouds, and a caller that works in slot
   * order (see `order`) keeps that locality in its own passes. The point itself is among its neighbours
   * (distance 0), usually first.
   *
   * @param k - Neighbours per point, 0 ≤ k ≤ pointCount.
   * @throws SamplingInputError when `k` is not an integer in that range.
   */
  knnInLeafOrder(k: number): LeafOrderNeighbors {
    validateCount(k, 'k');
    if (k > this.pointCount) {
      throw new SamplingInputError('k', `at most pointCount (${this.pointCount})`, String(k));
    }
    const slots = new Int32Array(this.pointCount);
    for (let slot = 0; slot < this.pointCount; slot++) slots[slot] = slot;
    const { indices: neighborSlots, distances } = this.searchEach(this.sortedCoordinates, this.pointCount, k, slots);
    return { order: this.sortedIndices.slice(), neighborSlots, distances };
  }

  /**
   * The nearest indexed point to (x, y, z) in metres (ties by lower index).
   * @throws SamplingInputError when the index is empty or a coordinate is not finite.
   */
  nearest(x: number, y: number, z: number): NearestResult {
    validateFinite(x, 'x');
    validateFinite(y, 'y');
    validateFinite(z, 'z');
    if (this.pointCount === 0) {
      throw new SamplingInputError('NeighborIndex', 'at least one indexed point', 'an empty index');
    }
    const bestDistances = new Float64Array(1);
    const bestSlots = new Int32Array(1);
    this.searchNearest(x, y, z, 1, bestDistances, bestSlots);
    return { index: this.sortedIndices[bestSlots[0]], distance: Math.sqrt(bestDistances[0]) };
  }

  /**
   * All indexed points within `radius` metres (inclusive) of (x, y, z), sorted by increasing distance,
   * ties by lower index.
   * @throws SamplingInputError when a coordinate or the radius is not finite, or the radius is negative.
   */
  radius(x: number, y: number, z: number, radius: number): Int32Array {
    validateFinite(x, 'x');
    validateFinite(y, 'y');
    validateFinite(z, 'z');
    if (typeof radius !== 'number' || !Number.isFinite(radius) || radius < 0) {
      throw new SamplingInputError('radius', 'a finite radius in metres >= 0', describeValue(radius));
    }
    const radiusSquared = radius * radius;
    const foundIndices: number[] = [];
    const foundDistances: number[] = [];
    if (this.pointCount === 0) return new Int32Array(0);
    const coordinates = this.sortedCoordinates;
    const stackNodes = this.stackNodes;
    let stackSize = 0;
    stackNodes[stackSize++] = 0;
    while (stackSize > 0) {
      const node = stackNodes[--stackSize];
      const axis = this.nodeAxis[node];
      if (axis < 0) {
        for (let slot = this.nodeStart[node], end = this.nodeEnd[node]; slot < end; slot++) {
          const dx = coordinates[slot * 3] - x;
          const dy = coordinates[slot * 3 + 1] - y;
          const dz = coordinates[slot * 3 + 2] - z;
          const distance = dx * dx + dy * dy + dz * dz;
          if (distance <= radiusSquared) {
            foundIndices.push(this.sortedIndices[slot]);
            foundDistances.push(distance);
          }
        }
        continue;
      }
      const difference = (axis === 0 ? x : axis === 1 ? y : z) - this.nodeSplit[node];
      const reachesOther = difference * difference <= radiusSquared;
      if (difference <= 0) {
        if (reachesOther) stackNodes[stackSize++] = this.nodeRight[node];
        stackNodes[stackSize++] = this.nodeLeft[node];
      } else {
        if (reachesOther) stackNodes[stackSize++] = this.nodeLeft[node];
        stackNodes[stackSize++] = this.nodeRight[node];
      }
    }
    const order = new Int32Array(foundIndices.length);
    for (let position = 0; position < order.length; position++) order[position] = position;
    order.sort((a, b) => foundDistances[a] - foundDistances[b] || foundIndices[a] - foundIndices[b]);
    const result = new Int32Array(order.length);
    for (let position = 0; position < order.length; position++) result[position] = foundIndices[order[position]];
    return result;
  }

  /**
   * The k nearest of `count` query points (interleaved x y z in metres), each neighbour written as
   * `labelOfSlot[slot]` (its point index, or its slot), with its distance in metres.
   */
  private searchEach(coordinates: Float32Array | Float64Array, count: number, k: number, labelOfSlot: Int32Array): NeighborResult {
    const indices = new Int32Array(count * k);
    const distances = new Float32Array(count * k);
    if (k === 0) return { indices, distances };
    const bestDistances = new Float64Array(k);
    const bestSlots = new Int32Array(k);
    for (let query = 0; query < count; query++) {
      this.searchNearest(coordinates[query * 3], coordinates[query * 3 + 1], coordinates[query * 3 + 2], k, bestDistances, bestSlots);
      const base = query * k;
      for (let rank = 0; rank < k; rank++) {
        indices[base + rank] = labelOfSlot[bestSlots[rank]];
        distances[base + rank] = Math.sqrt(bestDistances[rank]);
      }
    }
    return { indices, distances };
  }

  /**
   * Fills `bestDistances` (squared) and `bestSlots` (leaf-order slots) with the k nearest, ascending.
   * Keeps a sorted insertion list: k is small (≤ a few dozen) in practice.
   */
  private searchNearest(x: number, y: number, z: number, k: number, bestDistances: Float64Array, bestSlots: Int32Array): void {
    const coordinates = this.sortedCoordinates;
    const sortedIndices = this.sortedIndices;
    const nodeAxis = this.nodeAxis;
    const nodeSplit = this.nodeSplit;
    const nodeLeft = this.nodeLeft;
    const nodeRight = this.nodeRight;
    const nodeStart = this.nodeStart;
    const nodeEnd = this.nodeEnd;
    const stackNodes = this.stackNodes;
    const stackBounds = this.stackBounds;
    let found = 0;
    let worst = Infinity;
    let stackSize = 0;
    stackNodes[stackSize] = 0;
    stackBounds[stackSize] = 0;
    stackSize++;
    while (stackSize > 0) {
      stackSize--;
      if (stackBounds[stackSize] > worst) continue;
      let node = stackNodes[stackSize];
      // Descend to a leaf, deferring the far side of each split with its plane distance as a bound.
      let axis = nodeAxis[node];
      while (axis >= 0) {
        const difference = (axis === 0 ? x : axis === 1 ? y : z) - nodeSplit[node];
        let near: number;
        let far: number;
        if (difference <= 0) {
          near = nodeLeft[node];
          far = nodeRight[node];
        } else {
          near = nodeRight[node];
          far = nodeLeft[node];
        }
        const bound = difference * difference;
        if (bound <= worst) {
          stackNodes[stackSize] = far;
          stackBounds[stackSize] = bound;
          stackSize++;
        }
        node = near;
        axis = nodeAxis[node];
      }
      for (let slot = nodeStart[node], end = nodeEnd[node]; slot < end; slot++) {
        const offset = slot * 3;
        const dx = coordinates[offset] - x;
        const dy = coordinates[offset + 1] - y;
        const dz = coordinates[offset + 2] - z;
        const distance = dx * dx + dy * dy + dz * dz;
        if (distance > worst) continue;
        if (found === k) {
          // Equal to the current worst: keep it only if it wins the index tie-break.
          if (distance === worst && sortedIndices[slot] > sortedIndices[bestSlots[k - 1]]) continue;
        } else {
          found++;
        }
        // Insertion into the ascending list, ordered by (distance, point index).
        let position = found - 1;
        const pointIndex = sortedIndices[slot];
        while (position > 0) {
          const previous = bestDistances[position - 1];
          if (previous < distance || (previous === distance && sortedIndices[bestSlots[position - 1]] < pointIndex)) break;
          bestDistances[position] = previous;
          bestSlots[position] = bestSlots[position - 1];
          position--;
        }
        bestDistances[position] = distance;
        bestSlots[position] = slot;
        if (found === k) worst = bestDistances[k - 1];
      }
    }
  }
}
