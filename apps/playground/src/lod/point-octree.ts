/**
 * Octree of a scan's points for level-of-detail drawing (Potree's scheme): every node keeps one point per
 * occupied cell of a grid over its cube and passes the other points to its eight children, so the nodes near the
 * root hold an even subsample of the scan and each level down doubles the density. Plain TypeScript (no three.js),
 * so it runs in a worker and in Node tests.
 */

/** Options of {@link buildPointOctree}. */
export interface OctreeBuildOptions {
  /** Grid cells along each edge of a node's cube: a node keeps at most one point per cell (default 128). */
  gridResolution?: number;
  /** A node with at most this many points keeps them all and has no children (default 20,000). */
  maxLeafPoints?: number;
  /**
   * Deepest level (the root is level 0): a node there keeps all its points, so coincident points cannot
   * recurse forever (default 24).
   */
  maxDepth?: number;
}

/** Default grid cells along each edge of a node's cube. */
export const DEFAULT_GRID_RESOLUTION = 128;
/** Default largest point count of a leaf. */
export const DEFAULT_MAX_LEAF_POINTS = 20_000;
/** Default deepest level. */
export const DEFAULT_MAX_DEPTH = 24;

/** One node of the octree as the build emits it. */
export interface OctreeNode {
  /** Position in build order (breadth first: parents before children); the root is 0. */
  index: number;
  /** Index of the parent node, -1 for the root. */
  parentIndex: number;
  /** Octant of the parent's cube: bit 0 the upper x half, bit 1 the upper y half, bit 2 the upper z half; 0 for the root. */
  octant: number;
  /** Depth: 0 for the root. */
  level: number;
  /** Lowest corner of the node's cube, metres. */
  minimum: [number, number, number];
  /** Edge length of the node's cube, metres. */
  size: number;
  /** Ids (indices into the scan's points) of the points this node holds; every point is in exactly one node. */
  pointIds: Uint32Array;
}

/** A scan's positions that an octree cannot be built from (the message names the point and what was expected). */
export class OctreeInputError extends Error {
  override readonly name = 'OctreeInputError';
}

interface PendingNode {
  parentIndex: number;
  octant: number;
  level: number;
  minimum: [number, number, number];
  size: number;
  /** Range of the shared id array holding the node's points (its own and its descendants'). */
  start: number;
  end: number;
}

/**
 * Builds the octree of `positions` breadth first, yielding each node as soon as it is complete (the root first),
 * so a caller can draw the coarse levels while the fine ones are built. The yielded `pointIds` are views of one
 * shared array that later nodes never touch; copy them to keep them past the build's lifetime if needed.
 * @param positions Interleaved x y z in metres (length 3 × point count), every coordinate finite.
 * @throws OctreeInputError when the length is not a multiple of 3, there are more than 2³² − 1 points, or a
 *   coordinate is not finite.
 */
export function* buildPointOctree(positions: Float32Array, options: OctreeBuildOptions = {}): Generator<OctreeNode, void, undefined> {
  const { gridResolution = DEFAULT_GRID_RESOLUTION, maxLeafPoints = DEFAULT_MAX_LEAF_POINTS, maxDepth = DEFAULT_MAX_DEPTH } = options;
  if (!Number.isInteger(gridResolution) || gridResolution < 2 || gridResolution > 1024 || gridResolution % 2 !== 0) {
    throw new OctreeInputError(`octree option 'gridResolution' is ${gridResolution}; expected an even integer in 2…1024`);
  }
  if (!Number.isInteger(maxLeafPoints) || maxLeafPoints < 1) throw new OctreeInputError(`octree option 'maxLeafPoints' is ${maxLeafPoints}; expected an integer ≥ 1`);
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new OctreeInputError(`octree option 'maxDepth' is ${maxDepth}; expected an integer ≥ 0`);
  if (positions.length % 3 !== 0) throw new OctreeInputError(`octree positions have length ${positions.length}; expected a multiple of 3 (x y z per point)`);
  const pointCount = positions.length / 3;
  if (pointCount > 0xffffffff) throw new OctreeInputError(`octree positions hold ${pointCount} points; at most 4,294,967,295 point ids fit in 32 bits`);
  if (pointCount === 0) return;

  const lowest = [Infinity, Infinity, Infinity];
  const highest = [-Infinity, -Infinity, -Infinity];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[point * 3 + axis];
      if (!Number.isFinite(value)) throw new OctreeInputError(`octree positions: point ${point} has ${'xyz'[axis]} = ${value}; expected a finite coordinate`);
      if (value < lowest[axis]) lowest[axis] = value;
      if (value > highest[axis]) highest[axis] = value;
    }
  }
  const extent = Math.max(highest[0] - lowest[0], highest[1] - lowest[1], highest[2] - lowest[2]);

  const order = new Uint32Array(pointCount);
  for (let point = 0; point < pointCount; point++) order[point] = point;
  // Scratch shared by every node: the bucket of each point (8 = kept by the node, 0…7 = child octant) and the
  // stable scatter target. `stamps[cell]` holds the index + 1 of the last node that filled the cell, so the
  // occupancy grid never needs clearing.
  const buckets = new Uint8Array(pointCount);
  const scattered = new Uint32Array(pointCount);
  const stamps = new Uint32Array(gridResolution ** 3);
  const half = gridResolution / 2;

  const queue: PendingNode[] = [
    { parentIndex: -1, octant: 0, level: 0, minimum: [lowest[0], lowest[1], lowest[2]], size: extent > 0 ? extent : 1, start: 0, end: pointCount },
  ];
  let nodeIndex = 0;
  for (let head = 0; head < queue.length; head++) {
    const pending = queue[head];
    queue[head] = undefined as unknown as PendingNode;
    const { start, end, minimum, size, level } = pending;
    const index = nodeIndex++;
    if (end - start <= maxLeafPoints || level >= maxDepth) {
      yield { index, parentIndex: pending.parentIndex, octant: pending.octant, level, minimum, size, pointIds: order.subarray(start, end) };
      continue;
    }
    const scale = gridResolution / size;
    const last = gridResolution - 1;
    const stamp = index + 1;
    const counts = new Array<number>(9).fill(0);
    for (let slot = start; slot < end; slot++) {
      const offset = order[slot] * 3;
      // Truncation toward zero maps the rounding error of a child's lower face (-0.x) to cell 0.
      const x = Math.min(last, ((positions[offset] - minimum[0]) * scale) | 0);
      const y = Math.min(last, ((positions[offset + 1] - minimum[1]) * scale) | 0);
      const z = Math.min(last, ((positions[offset + 2] - minimum[2]) * scale) | 0);
      const cell = (z * gridResolution + y) * gridResolution + x;
      let bucket: number;
      if (stamps[cell] !== stamp) {
        stamps[cell] = stamp;
        bucket = 8;
      } else {
        bucket = (x >= half ? 1 : 0) | (y >= half ? 2 : 0) | (z >= half ? 4 : 0);
      }
      buckets[slot] = bucket;
      counts[bucket]++;
    }
    // Stable counting sort of the range: the node's own points first, then each child's, in octant order.
    const offsets = new Array<number>(9);
    offsets[8] = start;
    let next = start + counts[8];
    for (let octant = 0; octant < 8; octant++) {
      offsets[octant] = next;
      next += counts[octant];
    }
    const cursors = [...offsets];
    for (let slot = start; slot < end; slot++) scattered[cursors[buckets[slot]]++] = order[slot];
    order.set(scattered.subarray(start, end), start);

    yield { index, parentIndex: pending.parentIndex, octant: pending.octant, level, minimum, size, pointIds: order.subarray(start, start + counts[8]) };
    const childSize = size / 2;
    for (let octant = 0; octant < 8; octant++) {
      if (counts[octant] === 0) continue;
      queue.push({
        parentIndex: index,
        octant,
        level: level + 1,
        minimum: [minimum[0] + (octant & 1 ? childSize : 0), minimum[1] + (octant & 2 ? childSize : 0), minimum[2] + (octant & 4 ? childSize : 0)],
        size: childSize,
        start: offsets[octant],
        end: offsets[octant] + counts[octant],
      });
    }
  }
}
