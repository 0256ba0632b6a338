import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { OctreeNode } from '../lod/point-octree.js';
import { OctreeRenderer, type PointColoring } from './octree-renderer.js';
import { replaceMarkers, type MarkerSpec } from './click-markers.js';
import { POINT_FRAGMENT_SHADER, POINT_VERTEX_SHADER } from './point-shaders.js';
import { FrameScheduler } from './frame-scheduler.js';
import { nearestPickedPoint, pickedPointRows, renderPointIds, type PickingScene } from './point-picking.js';

export type { MarkerSpec } from './click-markers.js';

/** A camera preset. */
export type ViewName = 'reset' | 'top' | 'front' | 'side';


/** Pixels on each side of the cursor searched for a point when picking. */
const PICK_RADIUS = 6;

/**
 * three.js viewer for large point clouds: one `THREE.Points` draw call, colours as a normalized Uint8 attribute,
 * orbit/pan/zoom controls, camera presets and GPU picking (point ids rendered into a small offscreen target
 * around the cursor, so picking costs one draw of the points whatever their count). Scans over the point budget
 * are drawn level of detail instead (`setLevelOfDetailCloud`): an octree's nodes chosen per frame, at most the
 * budget of points, picking still resolving to real point ids.
 */
export class PointCloudViewer implements PickingScene {
  /** The WebGL renderer. */
  readonly renderer: THREE.WebGLRenderer;
  /** The perspective camera (z up). */
  readonly camera: THREE.PerspectiveCamera;
  /** Orbit, pan and zoom controls. */
  readonly controls: OrbitControls;
  /** The scene: the points, the click markers and the region outline. */
  readonly scene = new THREE.Scene();
  private readonly markerGroup = new THREE.Group();
  private points?: THREE.Points;
  private regionOutline?: THREE.Box3Helper;
  /** The outlined region's corners and colour, as one string (undefined: none). */
  private regionKey?: string;
  private colorAttribute?: THREE.BufferAttribute;
  private levelOfDetail?: OctreeRenderer;
  private readonly displayMaterial: THREE.ShaderMaterial;
  private readonly pickMaterial: THREE.ShaderMaterial;
  /** Picking material of octree nodes: writes the point ids stored per vertex rather than the vertex index. */
  private readonly nodePickMaterial: THREE.ShaderMaterial;
  private readonly pickTarget: THREE.WebGLRenderTarget;
  private bounds = new THREE.Box3(new THREE.Vector3(-1, -1, -1), new THREE.Vector3(1, 1, 1));
  private pointSizePixels = 2;
  private attenuate = false;
  private readonly frames = new FrameScheduler(() => this.drawFrame());
  private readonly resizeObserver: ResizeObserver;
  /** Milliseconds of the last frame's draw call submission (CPU side), node choice and uploads included. */
  lastFrameMilliseconds = 0;
  /** Points drawn in the last frame. */
  lastDrawnPoints = 0;
  /** Octree nodes drawn in the last frame (0 when the whole cloud is one buffer). */
  lastDrawnNodes = 0;
  /** Called after each drawn frame. */
  onFrame?: () => void;
  /** Whether the WebGL context is lost (a GPU reset); nothing is drawn or picked until it is restored. */
  contextLost = false;
  /** Called when the WebGL context is lost (true) or restored (false). */
  onContextChange?: (lost: boolean) => void;

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.setClearColor(0x1b1e24);
    container.appendChild(this.renderer.domElement);
    this.camera = new THREE.PerspectiveCamera(55, 1, 0.01, 1000);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.screenSpacePanning = true;
    // The view follows the pointer: a camera move is drawn at once, even while data frames are held.
    this.controls.addEventListener('change', () => this.frames.requestNow());
    const uniforms = () => ({ pointSize: { value: 2 }, attenuationScale: { value: 0 } });
    this.displayMaterial = new THREE.ShaderMaterial({ vertexShader: POINT_VERTEX_SHADER, fragmentShader: POINT_FRAGMENT_SHADER, uniforms: uniforms() });
    this.pickMaterial = new THREE.ShaderMaterial({
      vertexShader: POINT_VERTEX_SHADER,
      fragmentShader: POINT_FRAGMENT_SHADER,
      uniforms: uniforms(),
      defines: { PICKING: 1 },
      blending: THREE.NoBlending,
    });
    this.nodePickMaterial = new THREE.ShaderMaterial({
      vertexShader: POINT_VERTEX_SHADER,
      fragmentShader: POINT_FRAGMENT_SHADER,
      uniforms: uniforms(),
      defines: { PICKING: 1, POINT_IDS: 1 },
      blending: THREE.NoBlending,
    });
    const pickSize = 2 * PICK_RADIUS + 1;
    this.pickTarget = new THREE.WebGLRenderTarget(pickSize, pickSize, { type: THREE.UnsignedByteType, format: THREE.RGBAFormat, depthBuffer: true });
    this.markerGroup.renderOrder = 10;
    this.scene.add(this.markerGroup);
    // three.js calls preventDefault on context loss, so the browser restores the context and three re-uploads.
    this.renderer.domElement.addEventListener('webglcontextlost', () => {
      this.contextLost = true;
      this.onContextChange?.(true);
    });
    this.renderer.domElement.addEventListener('webglcontextrestored', () => {
      this.contextLost = false;
      this.onContextChange?.(false);
      this.requestRender();
    });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  /**
   * Replaces the displayed cloud with one buffer drawn whole. `colors` is the initial colour buffer (interleaved
   * r g b 0…255), kept by reference. With `keepView` the camera stays where it is.
   */
  setCloud(positions: Float32Array, colors: Uint8Array, keepView = false): void {
    this.clearCloud();
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    this.colorAttribute = new THREE.BufferAttribute(colors, 3, true);
    geometry.setAttribute('pointColor', this.colorAttribute);
    geometry.computeBoundingBox();
    geometry.computeBoundingSphere();
    this.points = new THREE.Points(geometry, this.displayMaterial);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    this.cloudChanged(geometry.boundingBox!.clone(), keepView);
  }

  /**
   * Replaces the displayed cloud with a level-of-detail one: a uniform subsample of the scan is drawn until octree
   * nodes arrive (`addOctreeNodes`); then each frame draws the nodes chosen for the camera, at most `pointBudget` points,
   * coloured by `coloring`. `positions` (interleaved x y z, metres) is kept by reference: nodes gather their
   * positions from it. With `keepView` the camera stays where it is.
   */
  setLevelOfDetailCloud(positions: Float32Array, pointBudget: number, coloring: PointColoring, keepView = false): void {
    this.clearCloud();
    this.levelOfDetail = new OctreeRenderer(positions, this.displayMaterial, this.nodePickMaterial, pointBudget, coloring);
    this.scene.add(this.levelOfDetail.group);
    this.cloudChanged(new THREE.Box3().setFromArray(positions), keepView);
  }

  /** Adds octree nodes (breadth first, as the octree worker sends them) to the level-of-detail cloud. */
  addOctreeNodes(nodes: readonly OctreeNode[]): void {
    if (!this.levelOfDetail) return;
    this.levelOfDetail.addNodes(nodes);
    this.requestRender();
  }

  /** Whether the cloud is drawn level of detail (octree nodes) rather than as one buffer. */
  get isLevelOfDetail(): boolean {
    return this.levelOfDetail !== undefined;
  }

  /** Octree nodes received for the level-of-detail cloud (0 otherwise). */
  get octreeNodeCount(): number {
    return this.levelOfDetail?.nodeCount ?? 0;
  }

  /**
   * Replaces the colours of a level-of-detail cloud: the drawn nodes are recoloured in the next frame. With
   * `changedPointIds`, the new colouring differs from the last one at those points only: nodes without any of them
   * keep their colour buffers (no refill, no upload).
   */
  setPointColoring(coloring: PointColoring, changedPointIds?: ArrayLike<number>): void {
    if (!this.levelOfDetail) return;
    this.levelOfDetail.setColoring(coloring, changedPointIds);
    this.requestRender();
  }

  /** Most points a level-of-detail cloud draws in one frame; redrawn at once unless `redraw` is false. */
  setPointBudget(pointBudget: number, redraw = true): void {
    if (!this.levelOfDetail) return;
    this.levelOfDetail.pointBudget = pointBudget;
    if (redraw) this.requestRender();
  }

  /**
   * The colour (r g b 0…255) scan point `pointId` was drawn with in the last frame, or undefined when it was not
   * drawn (a test and benchmark hook; linear in the drawn points).
   */
  drawnColor(pointId: number): [number, number, number] | undefined {
    if (this.levelOfDetail) return this.levelOfDetail.drawnColor(pointId);
    const colors = this.colorAttribute?.array as Uint8Array | undefined;
    if (!colors || pointId < 0 || pointId * 3 >= colors.length) return undefined;
    return [colors[pointId * 3], colors[pointId * 3 + 1], colors[pointId * 3 + 2]];
  }

  private clearCloud(): void {
    if (this.points) {
      this.scene.remove(this.points);
      this.points.geometry.dispose();
      this.points = undefined;
      this.colorAttribute = undefined;
    }
    if (this.levelOfDetail) {
      this.scene.remove(this.levelOfDetail.group);
      this.levelOfDetail.dispose();
      this.levelOfDetail = undefined;
    }
  }

  private cloudChanged(bounds: THREE.Box3, keepView: boolean): void {
    this.bounds = bounds;
    const diagonal = this.bounds.getSize(new THREE.Vector3()).length() || 1;
    this.camera.near = diagonal / 2000;
    this.camera.far = diagonal * 20;
    this.camera.updateProjectionMatrix();
    this.applyPointSize();
    if (keepView) this.requestRender();
    else this.setView('reset');
  }

  /** Lowest and highest z of the cloud, metres. */
  get heightRange(): [number, number] {
    return [this.bounds.min.z, this.bounds.max.z];
  }

  /** Length of the cloud's bounding-box diagonal, metres. */
  get sceneDiagonal(): number {
    return this.bounds.getSize(new THREE.Vector3()).length() || 1;
  }

  /** Uploads changed colours (after the buffer given to `setCloud` was rewritten). */
  updateColors(): void {
    if (!this.colorAttribute) return;
    this.colorAttribute.needsUpdate = true;
    this.requestRender();
  }

  /** Point size in CSS pixels; with `attenuate`, the size at one scene diagonal from the camera. */
  setPointSize(pixels: number, attenuate: boolean): void {
    this.pointSizePixels = pixels;
    this.attenuate = attenuate;
    this.applyPointSize();
    this.requestRender();
  }

  /** Moves the camera to a preset view of the whole cloud, or of `box` (corners in metres) when given. */
  setView(view: ViewName, box?: { minimum: [number, number, number]; maximum: [number, number, number] }): void {
    const framed = box ? new THREE.Box3(new THREE.Vector3(...box.minimum), new THREE.Vector3(...box.maximum)) : this.bounds;
    const center = framed.getCenter(new THREE.Vector3());
    const size = framed.getSize(new THREE.Vector3());
    const radius = Math.max(size.length() / 2, 1e-3);
    const distance = radius / Math.sin(THREE.MathUtils.degToRad(this.camera.fov / 2)) * 1.05;
    const direction =
      view === 'top'
        ? new THREE.Vector3(0, -1e-3, 1)
        : view === 'front'
          ? new THREE.Vector3(0, -1, 0)
          : view === 'side'
            ? new THREE.Vector3(1, 0, 0)
            : new THREE.Vector3(0.9, -1.3, 1.1);
    this.camera.position.copy(center).addScaledVector(direction.normalize(), distance);
    this.controls.target.copy(center);
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.requestRender();
  }

  /**
   * Outlines the box the model last ran on (large scans, segmented region by region), or removes the outline.
   * @param box Corners in metres; `warn` draws it in the warning colour (a mask reaches its border).
   */
  setRegion(box: { minimum: [number, number, number]; maximum: [number, number, number] } | undefined, warn = false): void {
    // An update inside the same region keeps its outline: no new frame, no new line material to compile.
    const key = box ? `${box.minimum}|${box.maximum}|${warn}` : undefined;
    if (key === this.regionKey) return;
    this.regionKey = key;
    if (this.regionOutline) {
      this.scene.remove(this.regionOutline);
      this.regionOutline.geometry.dispose();
      (this.regionOutline.material as THREE.Material).dispose();
      this.regionOutline = undefined;
    }
    if (box) {
      const bounds = new THREE.Box3(new THREE.Vector3(...box.minimum), new THREE.Vector3(...box.maximum));
      this.regionOutline = new THREE.Box3Helper(bounds, new THREE.Color(warn ? 0xffb020 : 0x5fa8ff));
      this.scene.add(this.regionOutline);
    }
    this.requestRender();
  }

  /** Replaces the click markers. */
  setMarkers(markers: MarkerSpec[]): void {
    replaceMarkers(this.markerGroup, markers, Math.max(this.sceneDiagonal * 0.008, 0.01));
    this.requestRender();
  }

  /**
   * Index of the visible point under the CSS-pixel position (relative to the canvas), or -1: the nearest hit
   * within a few pixels of the cursor, nearest to the camera where points overlap (depth test).
   */
  pickPoint(cssX: number, cssY: number): number {
    if ((!this.points && !this.levelOfDetail) || this.contextLost) return -1;
    const ratio = this.renderer.getPixelRatio();
    const canvas = this.renderer.domElement;
    const centerX = Math.round(cssX * ratio);
    const centerY = Math.round(cssY * ratio);
    const pixels = renderPointIds(this, this.pickTarget, canvas.width, canvas.height, centerX - PICK_RADIUS, centerY - PICK_RADIUS);
    // The pick drew into its own target: the canvas still shows the last frame, so no frame is needed.
    return nearestPickedPoint(pixels, PICK_RADIUS);
  }

  /**
   * The visible point of every device pixel of a CSS-pixel rectangle of the canvas (nearest to the camera where
   * points overlap), for brush and lasso selection: `ids[row · width + column]` is a point index or -1, rows top
   * down; `scale` device pixels per CSS pixel. Undefined while there is no cloud or the context is lost.
   */
  pickRegion(cssLeft: number, cssTop: number, cssWidth: number, cssHeight: number): { ids: Int32Array; width: number; height: number; scale: number } | undefined {
    if ((!this.points && !this.levelOfDetail) || this.contextLost) return undefined;
    const scale = this.renderer.getPixelRatio();
    const canvas = this.renderer.domElement;
    const left = Math.max(0, Math.floor(cssLeft * scale));
    const top = Math.max(0, Math.floor(cssTop * scale));
    const width = Math.min(canvas.width, Math.ceil((cssLeft + cssWidth) * scale)) - left;
    const height = Math.min(canvas.height, Math.ceil((cssTop + cssHeight) * scale)) - top;
    if (width <= 0 || height <= 0) return { ids: new Int32Array(0), width: 0, height: 0, scale };
    const target = new THREE.WebGLRenderTarget(width, height, { type: THREE.UnsignedByteType, format: THREE.RGBAFormat, depthBuffer: true });
    try {
      return { ids: pickedPointRows(renderPointIds(this, target, canvas.width, canvas.height, left, top), width, height), width, height, scale };
    } finally {
      target.dispose();
    }
  }

  /** {@link PickingScene.setPicking}: point materials to picking and back; markers and the region outline hidden. */
  setPicking(picking: boolean, frustum: THREE.Frustum): void {
    if (this.points) this.points.material = picking ? this.pickMaterial : this.displayMaterial;
    // Only the nodes that reach the picked rectangle are drawn: the others' vertices would all be clipped.
    this.levelOfDetail?.setPicking(picking, frustum);
    // Markers and the region outline are not points: their colours would read back as point ids.
    this.markerGroup.visible = !picking;
    if (this.regionOutline) this.regionOutline.visible = !picking;
  }

  /**
   * CSS-pixel position (relative to the canvas) of a point in the current camera's view (drawn yet or not), or
   * undefined when it is behind the camera.
   */
  projectPosition(position: [number, number, number]): [number, number] | undefined {
    // The camera's world matrices are brought up to date by a frame; after a camera move (`setView`, the controls'
    // lookAt) and before the next frame they hold the new position with the old orientation, and a point projected
    // through them lands somewhere else — outside the canvas, at times.
    this.camera.updateMatrixWorld();
    const projected = new THREE.Vector3(...position).project(this.camera);
    if (projected.z < -1 || projected.z > 1) return undefined;
    const canvas = this.renderer.domElement;
    const ratio = this.renderer.getPixelRatio();
    return [((projected.x + 1) / 2) * (canvas.width / ratio), ((1 - projected.y) / 2) * (canvas.height / ratio)];
  }

  /** Asks for one frame at the next animation frame (held back while `holdFrames` holds). */
  requestRender(): void {
    this.frames.request();
  }

  /**
   * Holds frames asked for by data changes back for at most `milliseconds`, until `releaseFrames`: a click's
   * marker then waits for its mask, and one frame shows both (camera moves are still drawn at once).
   */
  holdFrames(milliseconds: number): void {
    this.frames.hold(milliseconds);
  }

  /** Ends `holdFrames`; a frame asked for meanwhile is drawn at the next animation frame. */
  releaseFrames(): void {
    this.frames.release();
  }

  /**
   * Whether a pick now sees what the last frame showed for the current camera: a cloud is shown, the WebGL
   * context is there, and (level of detail) the nodes were chosen for this camera, all uploaded.
   */
  get isPickable(): boolean {
    if ((!this.points && !this.levelOfDetail) || this.contextLost) return false;
    return !this.levelOfDetail || this.levelOfDetail.isDrawnFor(this.camera);
  }

  /**
   * Calls `action` once the view can be picked ({@link isPickable}): now, or after the frames that draw the
   * current camera's nodes (at most `maximumFrames`, then `action` runs whatever the state, so a click is never
   * kept waiting for ever). Returns whether it ran at once.
   */
  whenPickable(action: () => void, maximumFrames = 10): boolean {
    if (this.isPickable || maximumFrames <= 0 || this.contextLost) {
      action();
      return true;
    }
    this.frames.afterNextFrame(() => this.whenPickable(action, maximumFrames - 1));
    return false;
  }

  /** Draws one frame; returns whether another is needed (chosen nodes still waiting for upload). */
  private drawFrame(): boolean {
    const started = performance.now();
    let pending = false;
    if (this.levelOfDetail) {
      const frame = this.levelOfDetail.update(this.camera, this.renderer.domElement.height);
      this.lastDrawnPoints = frame.drawnPoints;
      this.lastDrawnNodes = frame.drawnNodes;
      pending = frame.pending;
    } else {
      this.lastDrawnPoints = this.points?.geometry.getAttribute('position').count ?? 0;
      this.lastDrawnNodes = 0;
    }
    this.renderer.render(this.scene, this.camera);
    this.lastFrameMilliseconds = performance.now() - started;
    this.onFrame?.();
    return pending;
  }

  /** The canvas. */
  get canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  private applyPointSize(): void {
    const ratio = this.renderer.getPixelRatio();
    // With attenuation, `pointSize` is the size in pixels of a point one scene diagonal away (about the distance
    // of the reset view), larger nearer the camera.
    const attenuationScale = this.attenuate ? this.sceneDiagonal : 0;
    for (const material of [this.displayMaterial, this.pickMaterial, this.nodePickMaterial]) {
      material.uniforms.pointSize.value = this.pointSizePixels * ratio;
      material.uniforms.attenuationScale.value = attenuationScale;
    }
  }

  private resize(): void {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(width, height);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.applyPointSize();
    this.requestRender();
  }
}
