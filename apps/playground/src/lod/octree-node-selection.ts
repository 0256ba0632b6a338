/**
 * Which octree nodes to draw for a camera (Potree's traversal): nodes are visited largest projected size first,
 * a child only after its parent was chosen, until the next node would exceed the point budget. Plain TypeScript
 * (no three.js), so it is unit-tested in Node.
 */
import type { OctreeNode } from './point-octree.js';

/** A node as the selection sees it: its bounding sphere, its point count and its children. */
export interface SelectableOctreeNode {
  /** Points the node itself holds (drawn when it is chosen). */
  pointCount: number;
  /** Centre of the node's cube, metres. */
  center: [number, number, number];
  /** Radius of the sphere around the node's cube, metres. */
  radius: number;
  /** Indices of the children received so far. */
  children: number[];
}

/** The camera a selection is made for. */
export interface OctreeView {
  /** Camera position, metres. */
  cameraPosition: readonly [number, number, number];
  /** Projection × view matrix, 16 numbers in column-major order (three.js's `Matrix4.elements`). */
  viewProjection: ArrayLike<number>;
  /** Vertical field of view, radians. */
  fieldOfView: number;
  /** Height of the viewport, pixels. */
  viewportHeight: number;
}

/** Options of {@link selectOctreeNodes}. */
export interface NodeSelectionOptions {
  /** Most points drawn in one frame. */
  pointBudget: number;
  /**
   * Nodes other than the root whose bounding sphere projects to a radius under this many pixels are not drawn
   * (nor their descendants): their parent already covers those pixels densely (default 0: only the budget limits).
   */
  minimumNodePixels?: number;
}

/** The nodes chosen for one frame. */
export interface NodeSelection {
  /** Indices of the chosen nodes, in the order they were chosen (largest projected size first). */
  nodes: number[];
  /** Points in the chosen nodes (at most the budget). */
  pointCount: number;
}

/**
 * The octree's nodes as {@link selectOctreeNodes} takes them, filled as the build's nodes arrive (breadth first,
 * so a node's parent is always there before it).
 */
export class OctreeIndex {
  /** The nodes received, by build index. */
  readonly nodes: SelectableOctreeNode[] = [];
  /** Points in the nodes received. */
  pointCount = 0;

  /**
   * Adds a node; its parent must have been added.
   * @throws RangeError when the node's index is not the next one or its parent is missing.
   */
  add(node: Pick<OctreeNode, 'index' | 'parentIndex' | 'minimum' | 'size'> & { pointCount: number }): void {
    if (node.index !== this.nodes.length) throw new RangeError(`octree node ${node.index} arrived out of order; expected node ${this.nodes.length}`);
    if (node.parentIndex >= this.nodes.length || (node.index > 0 && node.parentIndex < 0)) {
      throw new RangeError(`octree node ${node.index} names parent ${node.parentIndex}, which has not arrived`);
    }
    const halfSize = node.size / 2;
    this.nodes.push({
      pointCount: node.pointCount,
      center: [node.minimum[0] + halfSize, node.minimum[1] + halfSize, node.minimum[2] + halfSize],
      radius: halfSize * Math.sqrt(3),
      children: [],
    });
    if (node.parentIndex >= 0) this.nodes[node.parentIndex].children.push(node.index);
    this.pointCount += node.pointCount;
  }
}

/**
 * Chooses the nodes to draw: starting at the root (node 0), repeatedly the node with the largest projected
 * radius (infinite when the camera is inside its sphere) among the candidates, skipping nodes outside the view
 * frustum; a chosen node's children become candidates. Stops when the next node would take the drawn points past
 * `pointBudget`, so the choice is always the largest nodes and their parents.
 */
export function selectOctreeNodes(nodes: readonly SelectableOctreeNode[], view: OctreeView, options: NodeSelectionOptions): NodeSelection {
  const { pointBudget, minimumNodePixels = 0 } = options;
  const chosen: number[] = [];
  let pointCount = 0;
  if (nodes.length === 0) return { nodes: chosen, pointCount };
  const planes = frustumPlanes(view.viewProjection);
  // Pixels per unit of (radius / distance).
  const pixelScale = view.viewportHeight / 2 / Math.tan(view.fieldOfView / 2);
  const candidates = new MaxHeap();
  const consider = (index: number, isRoot: boolean) => {
    const node = nodes[index];
    if (!sphereInFrustum(planes, node.center, node.radius)) return;
    const distance = Math.hypot(node.center[0] - view.cameraPosition[0], node.center[1] - view.cameraPosition[1], node.center[2] - view.cameraPosition[2]);
    const projectedRadius = distance <= node.radius ? Infinity : (node.radius / distance) * pixelScale;
    if (!isRoot && projectedRadius < minimumNodePixels) return;
    candidates.push(index, projectedRadius);
  };
  consider(0, true);
  while (candidates.size > 0) {
    const index = candidates.pop();
    const node = nodes[index];
    if (pointCount + node.pointCount > pointBudget) break;
    chosen.push(index);
    pointCount += node.pointCount;
    for (const child of node.children) consider(child, false);
  }
  return { nodes: chosen, pointCount };
}

/** The six planes (a, b, c, d with a·x + b·y + c·z + d ≥ 0 inside) of a column-major projection × view matrix. */
function frustumPlanes(matrix: ArrayLike<number>): Float64Array {
  const planes = new Float64Array(24);
  // Rows of the matrix (Gribb & Hartmann): planes are row 3 ± rows 0, 1, 2.
  const row = (rowIndex: number, column: number) => matrix[column * 4 + rowIndex];
  for (let plane = 0; plane < 6; plane++) {
    const rowIndex = plane >> 1;
    const sign = plane & 1 ? -1 : 1;
    let length = 0;
    for (let column = 0; column < 4; column++) {
      planes[plane * 4 + column] = row(3, column) + sign * row(rowIndex, column);
      if (column < 3) length += planes[plane * 4 + column] ** 2;
    }
    length = Math.sqrt(length) || 1;
    for (let column = 0; column < 4; column++) planes[plane * 4 + column] /= length;
  }
  return planes;
}

function sphereInFrustum(planes: Float64Array, center: readonly number[], radius: number): boolean {
  for (let plane = 0; plane < 6; plane++) {
    const offset = plane * 4;
    const distance = planes[offset] * center[0] + planes[offset + 1] * center[1] + planes[offset + 2] * center[2] + planes[offset + 3];
    if (distance < -radius) return false;
  }
  return true;
}

/** Binary max-heap of node indices by priority. */
class MaxHeap {
  private readonly items: number[] = [];
  private readonly priorities: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: number, priority: number): void {
    let slot = this.items.length;
    this.items.push(item);
    this.priorities.push(priority);
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (this.priorities[parent] >= priority) break;
      this.items[slot] = this.items[parent];
      this.priorities[slot] = this.priorities[parent];
      slot = parent;
    }
    this.items[slot] = item;
    this.priorities[slot] = priority;
  }

  pop(): number {
    const top = this.items[0];
    const lastItem = this.items.pop()!;
    const lastPriority = this.priorities.pop()!;
    const count = this.items.length;
    if (count === 0) return top;
    let slot = 0;
    for (;;) {
      const left = slot * 2 + 1;
      if (left >= count) break;
      const right = left + 1;
      const larger = right < count && this.priorities[right] > this.priorities[left] ? right : left;
      if (this.priorities[larger] <= lastPriority) break;
      this.items[slot] = this.items[larger];
      this.priorities[slot] = this.priorities[larger];
      slot = larger;
    }
    this.items[slot] = lastItem;
    this.priorities[slot] = lastPriority;
    return top;
  }
}
