import { NeighborIndex } from './neighbor-index.js';
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

  // The point itself comes back first (distance 0), so ask for one more.
  const k = Math.min(neighborCount + 1, pointCount);
  const { indices, distances } = new NeighborIndex(positions).knn(positions, k);
  const normals = givenNormals ?? estimateNormals(positions, indices, k);
  const spacing = medianNearestDistance(distances, pointCount, k);

  // Edges i → j for every neighbour j > i of i, and i < j reached only from j: each undirected pair once
  // when it is mutual, and still present when it is not.
  const edgeSources = new Int32Array(pointCount * (k - 1));
  const edgeTargets = new Int32Array(pointCount * (k - 1));
  const edgeWeights = new Float32Array(pointCount * (k - 1));
  let edgeCount = 0;
  let heaviest = 0;
  for (let point = 0; point < pointCount; point++) {
    for (let rank = 1; rank < k; rank++) {
      const neighbor = indices[point * k + rank];
      if (neighbor === point) continue;
      if (neighbor < point && isNeighbor(indices, k, neighbor, point)) continue; // already added from the other side
      const cosine = normals[point * 3] * normals[neighbor * 3] + normals[point * 3 + 1] * normals[neighbor * 3 + 1] + normals[point * 3 + 2] * normals[neighbor * 3 + 2];
      let weight = normalWeight * Math.sqrt(Math.max(0, 1 - cosine * cosine));
      if (colors && colorWeight > 0) {
        const red = colors[point * 3] - colors[neighbor * 3];
        const green = colors[point * 3 + 1] - colors[neighbor * 3 + 1];
        const blue = colors[point * 3 + 2] - colors[neighbor * 3 + 2];
        weight += (colorWeight * Math.sqrt(red * red + green * green + blue * blue)) / COLOR_RANGE;
      }
      if (distanceWeight > 0 && spacing > 0) weight += distanceWeight * Math.max(0, distances[point * k + rank] / spacing - 1);
      edgeSources[edgeCount] = point;
      edgeTargets[edgeCount] = neighbor;
      edgeWeights[edgeCount] = weight;
      if (weight > heaviest) heaviest = weight;
      edgeCount++;
    }
  }
  const order = sortEdgesByWeight(edgeWeights, edgeCount, heaviest);

  // Felzenszwalb–Huttenlocher: merge across an edge when it is no heavier than both segments' internal
  // difference plus scale / size. Union by size with path halving.
  const parent = new Int32Array(pointCount);
  const size = new Int32Array(pointCount).fill(1);
  const threshold = new Float64Array(pointCount).fill(scale);
  for (let point = 0; point < pointCount; point++) parent[point] = point;
  const find = (point: number): number => {
    while (parent[point] !== point) {
      parent[point] = parent[parent[point]];
      point = parent[point];
    }
    return point;
  };
  const unite = (first: number, second: number): number => {
    const root = size[first] >= size[second] ? first : second;
    const child = root === first ? second : first;
    parent[child] = root;
    size[root] += size[child];
    return root;
  };
  for (let position = 0; position < edgeCount; position++) {
    const edge = order[position];
    const first = find(edgeSources[edge]);
    const second = find(edgeTargets[edge]);
    if (first === second) continue;
    const weight = edgeWeights[edge];
    if (weight <= threshold[first] && weight <= threshold[second]) {
      const root = unite(first, second);
      threshold[root] = weight + scale / size[root];
    }
  }
  // Small segments join the neighbour across their lightest edge (edges are visited lightest first).
  for (let position = 0; position < edgeCount; position++) {
    const edge = order[position];
    const first = find(edgeSources[edge]);
    const second = find(edgeTargets[edge]);
    if (first !== second && (size[first] < minimumSize || size[second] < minimumSize)) unite(first, second);
  }

  const labels = new Int32Array(pointCount);
  const labelOfRoot = new Int32Array(pointCount).fill(-1);
  let count = 0;
  for (let point = 0; point < pointCount; point++) {
    const root = find(point);
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

/** Whether `point` is among the k-nearest list of `owner` (ranks 1…k−1). */
function isNeighbor(indices: Int32Array, k: number, owner: number, point: number): boolean {
  for (let rank = 1, base = owner * k; rank < k; rank++) if (indices[base + rank] === point) return true;
  return false;
}

/** Median distance in metres from a point to its nearest other point. */
function medianNearestDistance(distances: Float32Array, pointCount: number, k: number): number {
  const nearest = new Float32Array(pointCount);
  for (let point = 0; point < pointCount; point++) nearest[point] = distances[point * k + 1];
  nearest.sort();
  return nearest[pointCount >> 1];
}

/**
 * Edge order by increasing weight: a counting sort over `WEIGHT_LEVELS` quantised levels, stable in edge
 * index inside a level, so the order (and the segmentation) is deterministic. O(edges).
 */
function sortEdgesByWeight(weights: Float32Array, edgeCount: number, heaviest: number): Int32Array {
  const levels = new Int32Array(edgeCount);
  const starts = new Int32Array(WEIGHT_LEVELS + 1);
  const toLevel = heaviest > 0 ? (WEIGHT_LEVELS - 1) / heaviest : 0;
  for (let edge = 0; edge < edgeCount; edge++) {
    const level = Math.floor(weights[edge] * toLevel);
    levels[edge] = level;
    starts[level + 1]++;
  }
  for (let level = 0; level < WEIGHT_LEVELS; level++) starts[level + 1] += starts[level];
  const order = new Int32Array(edgeCount);
  for (let edge = 0; edge < edgeCount; edge++) order[starts[levels[edge]]++] = edge;
  return order;
}

/**
 * Unit normals by principal component analysis of each point's k-neighbourhood (the point included): the
 * eigenvector of the smallest eigenvalue of the neighbourhood's covariance. Sign is arbitrary (the edge
 * weight uses |n_i · n_j|). A degenerate neighbourhood (all points on a line or coincident) gets (0, 0, 1).
 */
function estimateNormals(positions: Float32Array, indices: Int32Array, k: number): Float32Array {
  const pointCount = positions.length / 3;
  const normals = new Float32Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    let meanX = 0;
    let meanY = 0;
    let meanZ = 0;
    const base = point * k;
    for (let rank = 0; rank < k; rank++) {
      const neighbor = indices[base + rank] * 3;
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
      const neighbor = indices[base + rank] * 3;
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
