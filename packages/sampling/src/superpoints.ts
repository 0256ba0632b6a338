import { NeighborIndex } from './neighbor-index.js';
import { selectNth } from './spatial-partition.js';
import { SamplingInputError } from './sampling-error.js';
import { describeValue, validatePositions } from './input-validation.js';

/** Options of {@link computeSuperpoints}. */
export interface SuperpointOptions {
  /** RGB colour per point, 0..255, `pointCount·3`; without it colour adds nothing to an edge's weight. */
  colors?: Uint8Array;
  /** Unit normal per point, `pointCount·3`; without them normals are estimated by PCA over the k nearest neighbours. */
  normals?: Float32Array;
  /** Neighbours per point of the k-nearest-neighbour graph (and of the PCA normals). Default 10. */
  neighborCount?: number;
  /**
   * Felzenszwalb–Huttenlocher scale k (dimensionless, in edge-weight units): a segment of n points merges
   * across an edge of weight w only while w ≤ its largest internal edge + k / n. Larger: larger superpoints.
   * Default 0.4.
   */
  scale?: number;
  /** Weight of the normal term `1 − |n_i · n_j|` (0..1) in an edge's weight. Default 1. */
  normalWeight?: number;
  /** Weight of the colour term: RGB distance scaled to 0..1 (distance / (255·√3)). Default 1.5. */
  colorWeight?: number;
  /**
   * Weight of the length term: an edge's length divided by the cloud's median nearest-neighbour spacing,
   * minus 1, floored at 0 (so gaps wider than the usual spacing cost more). Default 0.05.
   */
  distanceWeight?: number;
  /** Segments smaller than this many points are merged into a neighbour along their lightest edge. Default 8. */
  minimumSize?: number;
}

/** Result of {@link computeSuperpoints}. */
export interface SuperpointResult {
  /** Superpoint of every point, 0..count−1, numbered by first appearance in point order. */
  labels: Int32Array;
  /** Number of superpoints. */
  count: number;
  /** Unit normals the segmentation used (estimated or given), `pointCount·3`. */
  normals: Float32Array;
}

/** Quantisation levels of the counting sort of edge weights. */
const WEIGHT_LEVELS = 1 << 16;
/** Largest RGB distance, 255·√3. */
const COLOR_RANGE = 255 * Math.sqrt(3);

/**
 * Geometric over-segmentation of a point cloud into superpoints: small surface patches that rarely cross an
 * object boundary. Felzenszwalb–Huttenlocher graph segmentation ("Efficient graph-based image segmentation",
 * IJCV 2004) over the symmetric k-nearest-neighbour graph; an edge weighs the angle between the two points'
 * normals, their colour difference and how much longer it is than the cloud's usual spacing. Then segments
 * below `minimumSize` are merged along their lightest edges.
 *
 * Chosen over VCCS (voxel cloud connectivity segmentation) because it needs no seed resolution and adapts
 * segment size to the geometry (a wall becomes a few large segments, a cup several small ones), it costs one
 * sort of the edges and a union–find pass, and its result depends only on the input order — it is
 * deterministic. ScanNet's own `segs.json` over-segmentation is the same algorithm on mesh edges.
 *
 * @param positions `pointCount·3` coordinates in metres.
 * @throws {@link SamplingInputError} on malformed positions, colours, normals or options.
 * @example
 * const { labels, count } = computeSuperpoints(cloud.positions, { colors: cloud.colors });
 */
export function computeSuperpoints(positions: Float32Array, options: SuperpointOptions = {}): SuperpointResult {
  const pointCount = validatePositions(positions);
  const neighborCount = options.neighborCount ?? 10;
  if (!Number.isInteger(neighborCount) || neighborCount < 1) {
    throw new SamplingInputError('options.neighborCount', 'a positive integer', describeValue(options.neighborCount));
  }
  const scale = checkWeight(options.scale ?? 0.4, 'options.scale');
  const normalWeight = checkWeight(options.normalWeight ?? 1, 'options.normalWeight');
  const colorWeight = checkWeight(options.colorWeight ?? 1.5, 'options.colorWeight');
  const distanceWeight = checkWeight(options.distanceWeight ?? 0.05, 'options.distanceWeight');
  const minimumSize = options.minimumSize ?? 2;
  if (!Number.isInteger(minimumSize) || minimumSize < 1) {
    throw new SamplingInputError('options.minimumSize', 'a positive integer', describeValue(options.minimumSize));
  }
  const { colors, normals: givenNormals } = options;
  if (colors !== undefined && (!(colors instanceof Uint8Array) || colors.length !== pointCount * 3)) {
    throw new SamplingInputError('options.colors', `a Uint8Array of ${pointCount * 3} values (RGB per point)`, describeValue(colors));
  }
  if (givenNormals !== undefined && (!(givenNormals instanceof Float32Array) || givenNormals.length !== pointCount * 3)) {
    throw new SamplingInputError('options.normals', `a Float32Array of ${pointCount * 3} values (xyz per point)`, describeValue(givenNormals));
  }
  if (pointCount === 0) return { labels: new Int32Array(0), count: 0, normals: new Float32Array(0) };
  if (pointCount === 1) return { labels: new Int32Array(1), count: 1, normals: givenNormals ?? Float32Array.of(0, 0, 1) };

  // Every pass works in the k-d tree's leaf order ("slots"), where nearby points sit next to each other in
  // memory: on a million points this saves most of the cache misses of the neighbour and union–find lookups.
  // Only the order in which edges are visited follows the input's point order, so labels do not depend on it.
  // The point itself comes back among its neighbours (distance 0), so ask for one more.
  const k = Math.min(neighborCount + 1, pointCount);
  const { order, neighborSlots, distances } = new NeighborIndex(positions).knnInLeafOrder(k);
  const slotOf = new Int32Array(pointCount);
  for (let slot = 0; slot < pointCount; slot++) slotOf[order[slot]] = slot;
  const sortedPositions = permuteTriples(positions, order, new Float32Array(pointCount * 3));
  let normals: Float32Array;
  let sortedNormals: Float32Array;
  if (givenNormals) {
    normals = givenNormals;
    sortedNormals = permuteTriples(givenNormals, order, new Float32Array(pointCount * 3));
  } else {
    sortedNormals = estimateNormals(sortedPositions, neighborSlots, k);
    normals = new Float32Array(pointCount * 3);
    for (let slot = 0; slot < pointCount; slot++) {
      const target = order[slot] * 3;
      normals[target] = sortedNormals[slot * 3];
      normals[target + 1] = sortedNormals[slot * 3 + 1];
      normals[target + 2] = sortedNormals[slot * 3 + 2];
    }
  }
  const sortedColors = colors && colorWeight > 0 ? permuteTriples(colors, order, new Uint8Array(pointCount * 3)) : undefined;
  const spacing = medianNearestDistance(distances, pointCount, k);

  // Edge weights by slot and rank: the edge slot → neighbour for every neighbour of the slot's point whose
  // point index is larger, and for a smaller one only when the pair is not mutual (each undirected pair once).
  // -1 marks a rank that is no edge. The weights are counted per quantised level on the way (see the sort).
  const ranks = k - 1;
  const edgeWeights = new Float32Array(pointCount * ranks);
  const weighted = distanceWeight > 0 && spacing > 0;
  let heaviest = 0;
  for (let slot = 0; slot < pointCount; slot++) {
    const point = order[slot];
    const normalX = sortedNormals[slot * 3];
    const normalY = sortedNormals[slot * 3 + 1];
    const normalZ = sortedNormals[slot * 3 + 2];
    for (let rank = 1; rank < k; rank++) {
      const neighbor = neighborSlots[slot * k + rank];
      const edge = slot * ranks + rank - 1;
      if (neighbor === slot || (order[neighbor] < point && isNeighbor(neighborSlots, k, neighbor, slot))) {
        edgeWeights[edge] = -1;
        continue;
      }
      const cosine = normalX * sortedNormals[neighbor * 3] + normalY * sortedNormals[neighbor * 3 + 1] + normalZ * sortedNormals[neighbor * 3 + 2];
      let weight = normalWeight * Math.sqrt(Math.max(0, 1 - cosine * cosine));
      if (sortedColors) {
        const red = sortedColors[slot * 3] - sortedColors[neighbor * 3];
        const green = sortedColors[slot * 3 + 1] - sortedColors[neighbor * 3 + 1];
        const blue = sortedColors[slot * 3 + 2] - sortedColors[neighbor * 3 + 2];
        weight += (colorWeight * Math.sqrt(red * red + green * green + blue * blue)) / COLOR_RANGE;
      }
      if (weighted) weight += distanceWeight * Math.max(0, distances[slot * k + rank] / spacing - 1);
      edgeWeights[edge] = weight;
      if (weight > heaviest) heaviest = weight;
    }
  }
  const { sources, targets, weights } = sortEdgesByWeight(edgeWeights, neighborSlots, slotOf, k, heaviest);
  const edgeCount = sources.length;

  // Felzenszwalb–Huttenlocher: merge across an edge when it is no heavier than both segments' internal
  // difference plus scale / size. Union by size with path halving. Which member is a segment's root never
  // changes a decision (only its size and threshold do), so roots may be slots.
  const parent = new Int32Array(pointCount);
  const size = new Int32Array(pointCount).fill(1);
  const threshold = new Float64Array(pointCount).fill(scale);
  for (let slot = 0; slot < pointCount; slot++) parent[slot] = slot;
  const find = (slot: number): number => {
    while (parent[slot] !== slot) {
      parent[slot] = parent[parent[slot]];
      slot = parent[slot];
    }
    return slot;
  };
  const unite = (first: number, second: number): number => {
    const root = size[first] >= size[second] ? first : second;
    const child = root === first ? second : first;
    parent[child] = root;
    size[root] += size[child];
    return root;
  };
  for (let edge = 0; edge < edgeCount; edge++) {
    const first = find(sources[edge]);
    const second = find(targets[edge]);
    if (first === second) continue;
    const weight = weights[edge];
    if (weight <= threshold[first] && weight <= threshold[second]) {
      const root = unite(first, second);
      threshold[root] = weight + scale / size[root];
    }
  }

  // Small segments join the neighbour across their lightest edge (edges are visited lightest first). Segments
  // only grow, so an edge between two points whose segments are already large never merges: only edges with
  // an end in a small segment are looked at, and the pass stops once no small segment is left.
  const inSmallSegment = new Uint8Array(pointCount);
  let smallSegments = 0;
  for (let slot = 0; slot < pointCount; slot++) {
    const root = find(slot);
    if (size[root] < minimumSize) {
      inSmallSegment[slot] = 1;
      if (root === slot) smallSegments++;
    }
  }
  for (let edge = 0; edge < edgeCount && smallSegments > 0; edge++) {
    const source = sources[edge];
    const target = targets[edge];
    if (inSmallSegment[source] === 0 && inSmallSegment[target] === 0) continue;
    const first = find(source);
    const second = find(target);
    if (first === second) continue;
    const firstSmall = size[first] < minimumSize ? 1 : 0;
    const secondSmall = size[second] < minimumSize ? 1 : 0;
    if (firstSmall + secondSmall === 0) continue;
    const root = unite(first, second);
    smallSegments -= firstSmall + secondSmall - (size[root] < minimumSize ? 1 : 0);
  }

  const labels = new Int32Array(pointCount);
  const labelOfRoot = new Int32Array(pointCount).fill(-1);
  let count = 0;
  for (let point = 0; point < pointCount; point++) {
    const root = find(slotOf[point]);
    if (labelOfRoot[root] < 0) labelOfRoot[root] = count++;
    labels[point] = labelOfRoot[root];
  }
  return { labels, count, normals };
}

function checkWeight(value: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SamplingInputError(argument, 'a finite number ≥ 0', describeValue(value));
  }
  return value;
}

/** Whether `slot` is among the k-nearest list of `owner` (ranks 1…k−1; both leaf-order slots). */
function isNeighbor(neighborSlots: Int32Array, k: number, owner: number, slot: number): boolean {
  for (let rank = 1, base = owner * k; rank < k; rank++) if (neighborSlots[base + rank] === slot) return true;
  return false;
}

/** Copies `source`'s triples (xyz or RGB) into `target` in leaf order: `target[slot] = source[order[slot]]`. */
function permuteTriples<T extends Float32Array | Uint8Array>(source: T, order: Int32Array, target: T): T {
  for (let slot = 0; slot < order.length; slot++) {
    const from = order[slot] * 3;
    target[slot * 3] = source[from];
    target[slot * 3 + 1] = source[from + 1];
    target[slot * 3 + 2] = source[from + 2];
  }
  return target;
}

/** Median distance in metres from a point to its nearest other point (the upper median; a quickselect). */
function medianNearestDistance(distances: Float32Array, pointCount: number, k: number): number {
  // selectNth reads x y z triples through an order; the distances go in the x places.
  const nearest = new Float32Array(pointCount * 3);
  const order = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    nearest[point * 3] = distances[point * k + 1];
    order[point] = point;
  }
  const middle = pointCount >> 1;
  selectNth(nearest, order, 0, pointCount - 1, middle, 0);
  return nearest[order[middle] * 3];
}

/** Edges in the order Felzenszwalb–Huttenlocher visits them: source and target slots and weights. */
interface SortedEdges {
  sources: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
}

/**
 * Edges by increasing weight: a counting sort over `WEIGHT_LEVELS` quantised levels, stable inside a level in
 * the input's point order (then neighbour rank), so the order — and the segmentation — depends on the input
 * alone, not on the leaf order. O(edges). `edgeWeights` is `[slot, rank − 1]`, −1 where a rank is no edge.
 */
function sortEdgesByWeight(edgeWeights: Float32Array, neighborSlots: Int32Array, slotOf: Int32Array, k: number, heaviest: number): SortedEdges {
  const pointCount = slotOf.length;
  const ranks = k - 1;
  const starts = new Int32Array(WEIGHT_LEVELS + 1);
  const toLevel = heaviest > 0 ? (WEIGHT_LEVELS - 1) / heaviest : 0;
  let edgeCount = 0;
  for (let edge = 0; edge < edgeWeights.length; edge++) {
    const weight = edgeWeights[edge];
    if (weight < 0) continue;
    starts[Math.floor(weight * toLevel) + 1]++;
    edgeCount++;
  }
  for (let level = 0; level < WEIGHT_LEVELS; level++) starts[level + 1] += starts[level];
  const sources = new Int32Array(edgeCount);
  const targets = new Int32Array(edgeCount);
  const weights = new Float32Array(edgeCount);
  for (let point = 0; point < pointCount; point++) {
    const slot = slotOf[point];
    for (let rank = 1; rank < k; rank++) {
      const weight = edgeWeights[slot * ranks + rank - 1];
      if (weight < 0) continue;
      const position = starts[Math.floor(weight * toLevel)]++;
      sources[position] = slot;
      targets[position] = neighborSlots[slot * k + rank];
      weights[position] = weight;
    }
  }
  return { sources, targets, weights };
}

/**
 * Unit normals by principal component analysis of each point's k-neighbourhood (the point included): the
 * eigenvector of the smallest eigenvalue of the neighbourhood's covariance. Sign is arbitrary (the edge
 * weight uses |n_i · n_j|). A degenerate neighbourhood (all points on a line or coincident) gets (0, 0, 1).
 */
export function estimateNormals(positions: Float32Array, neighbors: Int32Array, k: number): Float32Array {
  const pointCount = positions.length / 3;
  const normals = new Float32Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    let meanX = 0;
    let meanY = 0;
    let meanZ = 0;
    const base = point * k;
    for (let rank = 0; rank < k; rank++) {
      const neighbor = neighbors[base + rank] * 3;
      meanX += positions[neighbor];
      meanY += positions[neighbor + 1];
      meanZ += positions[neighbor + 2];
    }
    meanX /= k;
    meanY /= k;
    meanZ /= k;
    let xx = 0;
    let xy = 0;
    let xz = 0;
    let yy = 0;
    let yz = 0;
    let zz = 0;
    for (let rank = 0; rank < k; rank++) {
      const neighbor = neighbors[base + rank] * 3;
      const dx = positions[neighbor] - meanX;
      const dy = positions[neighbor + 1] - meanY;
      const dz = positions[neighbor + 2] - meanZ;
      xx += dx * dx;
      xy += dx * dy;
      xz += dx * dz;
      yy += dy * dy;
      yz += dy * dz;
      zz += dz * dz;
    }
    smallestEigenvector(xx, xy, xz, yy, yz, zz, normals, point * 3);
  }
  return normals;
}

/**
 * Writes the unit eigenvector of the smallest eigenvalue of the symmetric 3×3 matrix
 * [[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]] at `out[offset…offset+2]`. Eigenvalues in closed form
 * (trigonometric solution of the characteristic cubic); the eigenvector is the largest cross product of two
 * rows of (A − λI), which is orthogonal to both.
 */
function smallestEigenvector(xx: number, xy: number, xz: number, yy: number, yz: number, zz: number, out: Float32Array, offset: number): void {
  const trace = xx + yy + zz;
  const offDiagonal = xy * xy + xz * xz + yz * yz;
  if (offDiagonal <= 1e-30 * (trace * trace + 1e-300)) {
    // Diagonal: the axis with the smallest variance.
    const axis = xx <= yy && xx <= zz ? 0 : yy <= zz ? 1 : 2;
    out[offset] = axis === 0 ? 1 : 0;
    out[offset + 1] = axis === 1 ? 1 : 0;
    out[offset + 2] = axis === 2 ? 1 : 0;
    return;
  }
  const mean = trace / 3;
  const a = xx - mean;
  const b = yy - mean;
  const c = zz - mean;
  const p = Math.sqrt((a * a + b * b + c * c + 2 * offDiagonal) / 6);
  // det((A − mean·I) / p) / 2, clamped into the acos domain against rounding.
  const determinant = (a * (b * c - yz * yz) - xy * (xy * c - yz * xz) + xz * (xy * yz - b * xz)) / (p * p * p);
  const r = Math.min(1, Math.max(-1, determinant / 2));
  const smallest = mean + 2 * p * Math.cos(Math.acos(r) / 3 + (2 * Math.PI) / 3);
  const r0x = xx - smallest;
  const r1y = yy - smallest;
  const r2z = zz - smallest;
  // Rows: (r0x, xy, xz), (xy, r1y, yz), (xz, yz, r2z).
  const c01x = xy * yz - xz * r1y;
  const c01y = xz * xy - r0x * yz;
  const c01z = r0x * r1y - xy * xy;
  const c02x = xy * r2z - xz * yz;
  const c02y = xz * xz - r0x * r2z;
  const c02z = r0x * yz - xy * xz;
  const c12x = r1y * r2z - yz * yz;
  const c12y = yz * xz - xy * r2z;
  const c12z = xy * yz - r1y * xz;
  const n01 = c01x * c01x + c01y * c01y + c01z * c01z;
  const n02 = c02x * c02x + c02y * c02y + c02z * c02z;
  const n12 = c12x * c12x + c12y * c12y + c12z * c12z;
  const first = n01 >= n02 && n01 >= n12;
  const second = !first && n02 >= n12;
  const x = first ? c01x : second ? c02x : c12x;
  const y = first ? c01y : second ? c02y : c12y;
  const z = first ? c01z : second ? c02z : c12z;
  const norm = first ? n01 : second ? n02 : n12;
  if (!(norm > 0)) {
    out[offset] = 0;
    out[offset + 1] = 0;
    out[offset + 2] = 1;
    return;
  }
  const inverse = 1 / Math.sqrt(norm);
  out[offset] = x * inverse;
  out[offset + 1] = y * inverse;
  out[offset + 2] = z * inverse;
}
