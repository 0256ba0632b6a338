import * as THREE from 'three';
import { OctreeIndex, selectOctreeNodes } from '../lod/octree-node-selection.js';
import { gatherPointPositions, splitPointIds } from '../lod/octree-node-data.js';
import { DEFAULT_GRID_RESOLUTION, type OctreeNode } from '../lod/point-octree.js';

/** Writes the display colours (r g b 0…255) of the points `pointIds` into `output`, three bytes per id in order. */
export type PointColoring = (pointIds: Uint32Array, output: Uint8Array) => void;

/** What one frame of the level-of-detail renderer drew. */
export interface OctreeFrame {
  /** Points drawn (at most the budget). */
  drawnPoints: number;
  /** Nodes drawn. */
  drawnNodes: number;
  /** Whether chosen nodes wait for upload (another frame is needed to draw the whole choice). */
  pending: boolean;
}

/**
 * Largest point count uploaded to the GPU in one frame: the rest of a new choice follows in the next frames, so
 * a fast camera move never stalls one frame on a full budget of new nodes.
 */
const MAX_UPLOAD_POINTS_PER_FRAME = 1_000_000;
/** Uploaded nodes are kept (hidden) while the uploaded points stay under this multiple of the budget. */
const CACHE_BUDGET_MULTIPLE = 2;
/**
 * A node is drawn only when its bounding sphere projects to at least this many pixels of radius: its parent's
 * grid cells then project to about half a pixel or more, so a smaller node would only overdraw covered pixels.
 */
const MINIMUM_NODE_PIXELS = (DEFAULT_GRID_RESOLUTION / 4) * (Math.sqrt(3) / 2);
/**
 * Most points of the provisional node drawn until the octree's root arrives: a large scan's first frames then cost
 * about what a small scan's do (the budget may be millions, and the root replaces it within seconds).
 */
const MAX_PROVISIONAL_POINTS = 500_000;

interface UploadedNode {
  points: THREE.Points;
  colors: THREE.BufferAttribute;
  /** Colouring the colour buffer was last filled with. */
  colorVersion: number;
  /** Frame the node was last chosen in. */
  lastChosenFrame: number;
}

/**
 * Every `stride`-th point id of a scan of `pointCount` points, with the stride that keeps at most `limit` of them:
 * a uniform subsample in the scan's own order.
 */
export function subsamplePointIds(pointCount: number, limit: number): Uint32Array {
  const stride = Math.max(1, Math.ceil(pointCount / Math.max(1, limit)));
  return Uint32Array.from({ length: Math.ceil(pointCount / stride) }, (_, slot) => slot * stride);
}

/**
 * Draws a scan from its octree (built in a worker and added node by node): each frame chooses nodes by projected
 * size against the point budget (`selectOctreeNodes`), uploads the chosen nodes' positions (gathered from the
 * scan by their point ids), colours and point ids as one `THREE.Points` per node, and hides the rest. Colours are
 * filled per node from a {@link PointColoring}: a new colouring refills the drawn nodes only, hidden ones when
 * they are drawn again. Until the root node arrives, a provisional node is drawn instead — a uniform subsample of the
 * scan (every k-th point, at most the budget and {@link MAX_PROVISIONAL_POINTS}) with real point ids, so the view is
 * never empty during a long build and picking on it resolves to real points; the root replaces it.
 */
export class OctreeRenderer {
  /** The nodes' `THREE.Points`, added to the viewer's scene. */
  readonly group = new THREE.Group();
  private readonly index = new OctreeIndex();
  private readonly nodePointIds: Uint32Array[] = [];
  private readonly uploaded = new Map<number, UploadedNode>();
  private uploadedPointCount = 0;
  private colorVersion = 0;
  private frame = 0;
  private readonly viewProjection = new THREE.Matrix4();
  /** Projection × view matrix of the last frame, and whether chosen nodes were left waiting for upload in it. */
  private readonly drawnViewProjection = new THREE.Matrix4();
  private drawnComplete = false;
  private provisional?: { pointIds: Uint32Array; node: UploadedNode };
  /** Nodes hidden for the pick in progress (they cannot reach the picked rectangle). */
  private readonly hiddenForPick: THREE.Points[] = [];
  /** One bit per scan point, set for the points of a partial recolouring while it is applied. */
  private changedPointBits?: Uint32Array;

  /**
   * @param positions The scan's interleaved x y z (metres), read when a node is uploaded.
   * @param pointBudget Most points drawn in one frame.
   * @param coloring Colours of the nodes' points.
   */
  constructor(
    private readonly positions: Float32Array,
    private readonly displayMaterial: THREE.ShaderMaterial,
    private readonly pickMaterial: THREE.ShaderMaterial,
    public pointBudget: number,
    private coloring: PointColoring,
  ) {}

  /** Adds nodes of the build (breadth first, as the worker sends them). */
  addNodes(nodes: readonly OctreeNode[]): void {
    for (const node of nodes) {
      this.index.add({ ...node, pointCount: node.pointIds.length });
      this.nodePointIds.push(node.pointIds);
    }
  }

  /** Nodes received so far. */
  get nodeCount(): number {
    return this.index.nodes.length;
  }

  /** Points in the nodes received so far (the scan's point count once the build is complete). */
  get pointCount(): number {
    return this.index.pointCount;
  }

  /**
   * Replaces the colouring: drawn nodes are refilled in the next frame, hidden ones when drawn again. With
   * `changedPointIds` (the points where the new colouring differs from the last, e.g. those whose label changed),
   * uploaded nodes holding none of them keep their colours as they are: neither refilled nor uploaded again.
   */
  setColoring(coloring: PointColoring, changedPointIds?: ArrayLike<number>): void {
    const previous = this.colorVersion;
    this.coloring = coloring;
    this.colorVersion++;
    if (!changedPointIds) return;
    const pointCount = this.positions.length / 3;
    const bits = (this.changedPointBits ??= new Uint32Array(Math.ceil(pointCount / 32)));
    for (let slot = 0; slot < changedPointIds.length; slot++) {
      const point = changedPointIds[slot];
      if (point >= 0 && point < pointCount) bits[point >>> 5] |= 1 << (point & 31);
    }
    const nodes: [Uint32Array, UploadedNode][] = [...this.uploaded].map(([nodeIndex, node]) => [this.nodePointIds[nodeIndex], node]);
    if (this.provisional) nodes.push([this.provisional.pointIds, this.provisional.node]);
    for (const [pointIds, node] of nodes) {
      // Only a node whose colours were those of the last colouring can keep them.
      if (node.colorVersion !== previous) continue;
      let changed = false;
      for (let slot = 0; slot < pointIds.length && !changed; slot++) changed = (bits[pointIds[slot] >>> 5] & (1 << (pointIds[slot] & 31))) !== 0;
      if (!changed) node.colorVersion = this.colorVersion;
    }
    for (let slot = 0; slot < changedPointIds.length; slot++) {
      const point = changedPointIds[slot];
      if (point >= 0 && point < pointCount) bits[point >>> 5] = 0;
    }
  }

  /**
   * Chooses the nodes for `camera` and a viewport `viewportHeight` device pixels high, uploads and colours what
   * the choice needs (within the per-frame upload limit) and shows exactly the chosen, uploaded nodes.
   */
  update(camera: THREE.PerspectiveCamera, viewportHeight: number): OctreeFrame {
    this.frame++;
    if (this.index.nodes.length === 0) {
      this.drawnComplete = true;
      return this.drawProvisional();
    }
    this.removeProvisional();
    camera.updateMatrixWorld();
    this.viewProjection.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    const selection = selectOctreeNodes(
      this.index.nodes,
      {
        cameraPosition: [camera.position.x, camera.position.y, camera.position.z],
        viewProjection: this.viewProjection.elements,
        fieldOfView: THREE.MathUtils.degToRad(camera.getEffectiveFOV()),
        viewportHeight,
      },
      { pointBudget: this.pointBudget, minimumNodePixels: MINIMUM_NODE_PIXELS },
    );
    for (const node of this.uploaded.values()) node.points.visible = false;
    let uploadedNow = 0;
    let drawnPoints = 0;
    let drawnNodes = 0;
    let pending = false;
    for (const nodeIndex of selection.nodes) {
      let node = this.uploaded.get(nodeIndex);
      if (!node) {
        if (uploadedNow >= MAX_UPLOAD_POINTS_PER_FRAME) {
          pending = true;
          continue;
        }
        node = this.upload(nodeIndex);
        uploadedNow += this.nodePointIds[nodeIndex].length;
      }
      if (node.colorVersion !== this.colorVersion) {
        this.coloring(this.nodePointIds[nodeIndex], node.colors.array as Uint8Array);
        node.colors.needsUpdate = true;
        node.colorVersion = this.colorVersion;
      }
      node.points.visible = true;
      node.lastChosenFrame = this.frame;
      drawnPoints += this.nodePointIds[nodeIndex].length;
      drawnNodes++;
    }
    this.evict();
    this.drawnViewProjection.copy(this.viewProjection);
    this.drawnComplete = !pending;
    return { drawnPoints, drawnNodes, pending };
  }

  /**
   * Whether the last frame drew the nodes chosen for `camera` as it is now, all of them uploaded: a pick then
   * sees what the user sees (false before the first frame, after a camera move, while nodes wait for upload).
   */
  isDrawnFor(camera: THREE.PerspectiveCamera): boolean {
    if (this.frame === 0 || !this.drawnComplete) return false;
    camera.updateMatrixWorld();
    const current = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    // Before the root arrives the provisional node is drawn whatever the camera.
    return this.index.nodes.length === 0 ? this.provisional !== undefined : current.equals(this.drawnViewProjection);
  }

  /**
   * Draws the uploaded nodes with the picking material (`true`) or the display material again (`false`). While
   * picking, nodes whose bounding sphere lies outside `frustum` (the picked rectangle's) are hidden: their
   * vertices would all be clipped, and software rendering pays for each of them.
   */
  setPicking(picking: boolean, frustum?: THREE.Frustum): void {
    for (const points of this.hiddenForPick.splice(0)) points.visible = true;
    const sphere = new THREE.Sphere();
    for (const [nodeIndex, node] of this.uploaded) {
      node.points.material = picking ? this.pickMaterial : this.displayMaterial;
      if (!picking || !frustum || !node.points.visible) continue;
      const { center, radius } = this.index.nodes[nodeIndex];
      if (frustum.intersectsSphere(sphere.set(new THREE.Vector3(...center), radius))) continue;
      node.points.visible = false;
      this.hiddenForPick.push(node.points);
    }
    if (this.provisional) this.provisional.node.points.material = picking ? this.pickMaterial : this.displayMaterial;
  }

  /**
   * The colour (r g b 0…255) scan point `pointId` was drawn with in the last frame, or undefined when it was not
   * drawn (linear in the drawn points: a test hook).
   */
  drawnColor(pointId: number): [number, number, number] | undefined {
    const drawn: [Uint32Array, UploadedNode][] = [...this.uploaded].map(([nodeIndex, node]) => [this.nodePointIds[nodeIndex], node]);
    if (this.provisional) drawn.push([this.provisional.pointIds, this.provisional.node]);
    for (const [pointIds, node] of drawn) {
      if (!node.points.visible) continue;
      const slot = pointIds.indexOf(pointId);
      if (slot < 0) continue;
      const colors = node.colors.array as Uint8Array;
      return [colors[slot * 3], colors[slot * 3 + 1], colors[slot * 3 + 2]];
    }
    return undefined;
  }

  /** Frees every uploaded node. */
  dispose(): void {
    for (const nodeIndex of [...this.uploaded.keys()]) this.remove(nodeIndex);
    this.removeProvisional();
  }

  /** Draws (uploading and colouring it when needed) the provisional node alone. */
  private drawProvisional(): OctreeFrame {
    if (!this.provisional) {
      const pointIds = subsamplePointIds(this.positions.length / 3, Math.min(this.pointBudget, MAX_PROVISIONAL_POINTS));
      this.provisional = { pointIds, node: this.createNode(pointIds) };
    }
    const { pointIds, node } = this.provisional;
    if (node.colorVersion !== this.colorVersion) {
      this.coloring(pointIds, node.colors.array as Uint8Array);
      node.colors.needsUpdate = true;
      node.colorVersion = this.colorVersion;
    }
    node.points.visible = true;
    return { drawnPoints: pointIds.length, drawnNodes: 1, pending: false };
  }

  private removeProvisional(): void {
    if (!this.provisional) return;
    this.disposeNode(this.provisional.node);
    this.provisional = undefined;
  }

  private upload(nodeIndex: number): UploadedNode {
    const pointIds = this.nodePointIds[nodeIndex];
    const node = this.createNode(pointIds);
    this.uploaded.set(nodeIndex, node);
    this.uploadedPointCount += pointIds.length;
    return node;
  }

  /** A `THREE.Points` of the scan points `pointIds`, added to the group, colours not yet filled. */
  private createNode(pointIds: Uint32Array): UploadedNode {
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(gatherPointPositions(this.positions, pointIds), 3));
    const colors = new THREE.BufferAttribute(new Uint8Array(pointIds.length * 3), 3, true);
    geometry.setAttribute('pointColor', colors);
    // Read by the picking shader only (POINT_IDS): the real point id of each vertex, as two 16-bit halves.
    geometry.setAttribute('pointIdHalves', new THREE.BufferAttribute(splitPointIds(pointIds), 2));
    const points = new THREE.Points(geometry, this.displayMaterial);
    // The node choice already culls against the frustum.
    points.frustumCulled = false;
    this.group.add(points);
    return { points, colors, colorVersion: -1, lastChosenFrame: this.frame };
  }

  /** Frees the least recently chosen hidden nodes while more than the cache's share of points is uploaded. */
  private evict(): void {
    const limit = this.pointBudget * CACHE_BUDGET_MULTIPLE;
    if (this.uploadedPointCount <= limit) return;
    const hidden = [...this.uploaded.entries()].filter(([, node]) => node.lastChosenFrame !== this.frame).sort((left, right) => left[1].lastChosenFrame - right[1].lastChosenFrame);
    for (const [nodeIndex] of hidden) {
      if (this.uploadedPointCount <= limit) break;
      this.remove(nodeIndex);
    }
  }

  private remove(nodeIndex: number): void {
    const node = this.uploaded.get(nodeIndex);
    if (!node) return;
    this.disposeNode(node);
    this.uploaded.delete(nodeIndex);
    this.uploadedPointCount -= this.nodePointIds[nodeIndex].length;
  }

  /** Takes a node made by `createNode` out of the group and frees its geometry. */
  private disposeNode(node: UploadedNode): void {
    this.group.remove(node.points);
    node.points.geometry.dispose();
  }
}
