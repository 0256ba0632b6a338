import { measureBoundingBox, selectNth } from '@pointclick/sampling';
import { MetricsInputError } from './metrics-error.js';

/** Points per leaf of the tree. */
const LEAF_SIZE = 8;
/** Points per region whose exact depth is computed first to seed the pruning bound. */
const SEED_POINTS = 48;

/** The interior-most point of a region, from {@link RegionDistanceIndex.findInteriorMostPoint}. */
export interface InteriorPoint {
  /** Point index (the lowest index among ties). */
  pointIndex: number;
  /** Its distance in metres to the nearest point outside the region; Infinity when nothing is outside. */
  distance: number;
}

/**
 * Finds, for a region (a set of points of a fixed cloud), the point farthest from every point outside the
 * region: argmax over p in R of min over q not in R of |p − q|. This is how AGILE3D and InterObject3D place
 * a simulated click "in the centre" of an error region.
 *
 * A k-d tree is built once over the whole cloud. For each region, the number of region points under every
 * tree node is counted by walking up from each region point's leaf (O(|R| · depth)); the search for the
 * nearest outside point then skips any subtree made of region points only. Region points are visited in
 * index order and each search stops as soon as an outside point is found within the best distance so far
 * (such a point cannot become the strict maximum), so most searches end after a few nodes.
 */
export class RegionDistanceIndex {
  /** Number of points of the cloud. */
  readonly pointCount: number;
  private readonly coordinates: Float64Array;
  private readonly order: Int32Array;
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeParent: Int32Array;
  /** Bounding box per node: min x y z, max x y z. */
  private readonly nodeBox: Float64Array;
  private readonly leafOfPoint: Int32Array;
  private readonly regionCount: Int32Array;
  private readonly inRegion: Uint8Array;
  private nodeCount = 0;
  private stack = new Int32Array(256);

  /**
   * @param positions - Interleaved x y z in metres, length `3 · pointCount`.
   * @throws {@link MetricsInputError} when the length is not a multiple of 3 or a coordinate is not finite.
   */
  constructor(positions: Float32Array) {
    if (positions.length % 3 !== 0) {
      throw new MetricsInputError('positions', 'length', 'a multiple of 3', String(positions.length));
    }
    const pointCount = positions.length / 3;
    this.pointCount = pointCount;
    this.coordinates = new Float64Array(positions.length);
    for (let offset = 0; offset < positions.length; offset++) {
      const value = positions[offset];
      if (!Number.isFinite(value)) throw new MetricsInputError('positions', `[${offset}]`, 'a finite coordinate', String(value));
      this.coordinates[offset] = value;
    }
    this.order = new Int32Array(pointCount);
    for (let point = 0; point < pointCount; point++) this.order[point] = point;
    const maxNodes = Math.max(1, 2 * Math.ceil(pointCount / LEAF_SIZE) * 2);
    this.nodeStart = new Int32Array(maxNodes);
    this.nodeEnd = new Int32Array(maxNodes);
    this.nodeLeft = new Int32Array(maxNodes).fill(-1);
    this.nodeRight = new Int32Array(maxNodes).fill(-1);
    this.nodeParent = new Int32Array(maxNodes).fill(-1);
    this.nodeBox = new Float64Array(maxNodes * 6);
    this.leafOfPoint = new Int32Array(pointCount);
    this.regionCount = new Int32Array(maxNodes);
    this.inRegion = new Uint8Array(pointCount);
    if (pointCount > 0) this.buildNode(0, pointCount, -1);
  }

  private buildNode(start: number, end: number, parent: number): number {
    const node = this.nodeCount++;
    this.nodeStart[node] = start;
    this.nodeEnd[node] = end;
    this.nodeParent[node] = parent;
    measureBoundingBox(this.coordinates, this.order, start, end, this.nodeBox, node * 6);
    if (end - start <= LEAF_SIZE) {
      for (let slot = start; slot < end; slot++) this.leafOfPoint[this.order[slot]] = node;
      return node;
    }
    const box = this.nodeBox;
    const spanX = box[node * 6 + 3] - box[node * 6], spanY = box[node * 6 + 4] - box[node * 6 + 1], spanZ = box[node * 6 + 5] - box[node * 6 + 2];
    const axis = spanX >= spanY && spanX >= spanZ ? 0 : spanY >= spanZ ? 1 : 2;
    const middle = (start + end) >> 1;
    selectNth(this.coordinates, this.order, start, end - 1, middle, axis);
    this.nodeLeft[node] = this.buildNode(start, middle, node);
    this.nodeRight[node] = this.buildNode(middle, end, node);
    return node;
  }

  /**
   * Distance from one region point to the nearest point outside the region, exact when it is above
   * `bound` (metres; at or above it when `strict`); otherwise some value below (at or below) `bound`,
   * returned as soon as an outside point that close is found.
   */
  private searchOutside(point: number, bound: number, strict: boolean): number {
    const coordinates = this.coordinates;
    return this.searchOutsideAt(coordinates[point * 3], coordinates[point * 3 + 1], coordinates[point * 3 + 2], bound, strict);
  }

  /** {@link searchOutside} from any position (metres). */
  private searchOutsideAt(x: number, y: number, z: number, bound: number, strict: boolean): number {
    const coordinates = this.coordinates;
    const boundSquared = bound < 0 ? -1 : bound * bound;
    let bestSquared = Infinity;
    // Nothing beyond the bound can make the point lose, so the first pass looks only within it; if no
    // outside point lies that close, the point's exact depth is needed and the search widens.
    let limitSquared = bound < 0 ? Infinity : boundSquared;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    for (;;) {
      if (top === 0) {
        if (limitSquared === Infinity) break;
        limitSquared = Infinity;
        stack[top++] = 0;
      }
      const node = stack[--top];
      const size = this.nodeEnd[node] - this.nodeStart[node];
      if (this.regionCount[node] === size) continue;
      const gap = this.boxGap(node, x, y, z);
      if (gap >= bestSquared || gap > limitSquared) continue;
      const left = this.nodeLeft[node];
      if (left === -1) {
        for (let slot = this.nodeStart[node]; slot < this.nodeEnd[node]; slot++) {
          const other = this.order[slot];
          if (this.inRegion[other] === 1) continue;
          const dx = coordinates[other * 3] - x, dy = coordinates[other * 3 + 1] - y, dz = coordinates[other * 3 + 2] - z;
          const squared = dx * dx + dy * dy + dz * dz;
          if (squared < bestSquared) bestSquared = squared;
        }
        if (bestSquared < boundSquared || (!strict && bestSquared === boundSquared)) return Math.sqrt(bestSquared);
        continue;
      }
      const right = this.nodeRight[node];
      if (top + 2 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
        this.stack = grown;
      }
      // Push the farther child first so the nearer one is searched first.
      const leftGap = this.boxGap(left, x, y, z);
      const rightGap = this.boxGap(right, x, y, z);
      if (leftGap < rightGap) {
        stack[top++] = right;
        stack[top++] = left;
      } else {
        stack[top++] = left;
        stack[top++] = right;
      }
    }
    return Math.sqrt(bestSquared);
  }

  private boxGap(node: number, x: number, y: number, z: number): number {
    const box = this.nodeBox;
    const base = node * 6;
    let gap = 0;
    let delta = box[base] - x;
    if (delta > 0) gap += delta * delta;
    else { delta = x - box[base + 3]; if (delta > 0) gap += delta * delta; }
    delta = box[base + 1] - y;
    if (delta > 0) gap += delta * delta;
    else { delta = y - box[base + 4]; if (delta > 0) gap += delta * delta; }
    delta = box[base + 2] - z;
    if (delta > 0) gap += delta * delta;
    else { delta = z - box[base + 5]; if (delta > 0) gap += delta * delta; }
    return gap;
  }

  /**
   * The interior-most point of a region: the region point with the largest distance to the nearest point
   * outside the region (ties go to the lowest point index, as `torch.where(...)[0][0]` does in AGILE3D).
   *
   * @param regionPoints - Point indices of the region, ascending, each in `0..pointCount-1`, not empty.
   * @param lowerBound - Only depths at or above this (metres) are of interest: when the region's depth is
   *   below it, `null` is returned early. Default -1 (always exact).
   * @throws {@link MetricsInputError} for an empty region or an index out of range.
   */
  findInteriorMostPoint(regionPoints: Int32Array | readonly number[], lowerBound = -1): InteriorPoint | null {
    if (regionPoints.length === 0) throw new MetricsInputError('regionPoints', 'length', 'at least one point', '0');
    for (let slot = 0; slot < regionPoints.length; slot++) {
      const point = regionPoints[slot];
      if (!Number.isInteger(point) || point < 0 || point >= this.pointCount) {
        throw new MetricsInputError('regionPoints', `[${slot}]`, `a point index in 0..${this.pointCount - 1}`, String(point));
      }
    }
    this.markRegion(regionPoints, 1);
    let bestPoint = -1;
    let bestDistance = lowerBound;
    if (this.regionCount[0] === this.pointCount) {
      bestPoint = regionPoints[0];
      bestDistance = Infinity;
    } else {
      // A point qualifies with a depth above the best so far, or equal to it with a lower index (or when
      // only the caller's bound is set). Searches stop as soon as an outside point shows the point cannot
      // qualify. A few evenly spread points go first to raise the bound early.
      const visit = (point: number): void => {
        if (point === bestPoint) return;
        const tieWins = bestPoint === -1 || point < bestPoint;
        const distance = this.searchOutside(point, bestDistance, tieWins);
        if (distance > bestDistance || (tieWins && distance === bestDistance)) {
          bestDistance = distance;
          bestPoint = point;
        }
      };
      const stride = Math.max(1, Math.floor(regionPoints.length / SEED_POINTS));
      for (let slot = 0; slot < regionPoints.length; slot += stride) visit(regionPoints[slot]);
      // Branch and bound over the tree: every point of a node lies within half its box diagonal of the
      // box centre, so its depth is at most (centre's distance to the outside) + half diagonal; a node
      // whose bound is below the best depth is skipped whole.
      const box = this.nodeBox;
      const pending = [0];
      while (pending.length > 0) {
        const node = pending.pop()!;
        if (this.regionCount[node] === 0) continue;
        const base = node * 6;
        const halfX = (box[base + 3] - box[base]) / 2, halfY = (box[base + 4] - box[base + 1]) / 2, halfZ = (box[base + 5] - box[base + 2]) / 2;
        const halfDiagonal = Math.sqrt(halfX * halfX + halfY * halfY + halfZ * halfZ);
        if (bestDistance >= 0 && bestDistance - halfDiagonal > 0) {
          const centreDepth = this.searchOutsideAt(box[base] + halfX, box[base + 1] + halfY, box[base + 2] + halfZ, bestDistance - halfDiagonal, true);
          // Rounding margin: only skip when the bound is clearly below the best.
          if (centreDepth + halfDiagonal < bestDistance * (1 - 1e-9)) continue;
        }
        const left = this.nodeLeft[node];
        if (left !== -1) {
          pending.push(this.nodeRight[node], left);
          continue;
        }
        for (let slot = this.nodeStart[node]; slot < this.nodeEnd[node]; slot++) {
          const point = this.order[slot];
          if (this.inRegion[point] === 1) visit(point);
        }
      }
    }
    this.markRegion(regionPoints, -1);
    return bestPoint === -1 ? null : { pointIndex: bestPoint, distance: bestDistance };
  }

  private markRegion(regionPoints: Int32Array | readonly number[], step: 1 | -1): void {
    for (let slot = 0; slot < regionPoints.length; slot++) {
      const point = regionPoints[slot];
      if (step === 1) {
        if (this.inRegion[point] === 1) continue;
        this.inRegion[point] = 1;
      } else {
        if (this.inRegion[point] === 0) continue;
        this.inRegion[point] = 0;
      }
      for (let node = this.leafOfPoint[point]; node !== -1; node = this.nodeParent[node]) this.regionCount[node] += step;
    }
  }
}
