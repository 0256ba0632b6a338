import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import type { PointColoring } from '../viewer/octree-renderer.js';
import type { OctreeBuildRequest, OctreeBuildResponse } from '../lod/octree-build-protocol.js';
import { FrameBudgetController } from '../viewer/frame-budget-controller.js';
import { element, showMessage } from './page-elements.js';

/** Default point budget: the most points drawn in one frame. */
export const DEFAULT_POINT_BUDGET = 3_000_000;
/** Smallest budget the page accepts, points (an octree's root node has up to a few tens of thousands). */
export const MINIMUM_POINT_BUDGET = 100_000;
/** Default frame time the effective budget aims at, milliseconds (a click's frame then costs at most about this). */
export const DEFAULT_FRAME_TARGET_MILLISECONDS = 60;

/** How the page bounds the points drawn per frame. */
export interface LevelOfDetailOptions {
  /** Most points drawn per frame (default {@link DEFAULT_POINT_BUDGET}); larger scans are drawn level of detail. */
  pointBudget?: number;
  /**
   * Frame time the effective budget aims at, milliseconds (default {@link DEFAULT_FRAME_TARGET_MILLISECONDS}; 0
   * turns adaptation off: every frame may draw the whole point budget).
   */
  frameTargetMilliseconds?: number;
}

/**
 * How the page draws a scan: whole (one buffer, as before) when it has at most the point budget of points, else
 * level of detail — the octree is built in its own worker (`src/worker/octree-worker.ts`) from the positions
 * (shared memory in cross-origin isolated pages, else a copy), its nodes are handed to the viewer as they arrive, and each frame draws at most the budget. Owns the
 * budget input of the toolbar and writes the figures tests and benchmarks read to `document.body.dataset`:
 * `levelOfDetail` (on/off), `pointBudget`, `drawnPoints`, `drawnNodes`, `maxDrawnPoints` (since the scan opened),
 * `frameSubmitMilliseconds` (node choice, uploads and draw submission of the last frame),
 * `octreeNodes`, `octreeBuilt`, `octreeDepth`, `octreeFirstNodeMilliseconds`, `octreeBuildMilliseconds`,
 * `octreePositions` (`shared` or `copied`).
 *
 * The budget input is a ceiling: level-of-detail frames draw at most the effective budget, which a
 * {@link FrameBudgetController} lowers when frames take longer than the frame-time target and raises again when
 * they are fast (issue 18: SwiftShader and a GPU differ by 100×, so no fixed budget suits both). A frame's time is
 * measured from the start of its draw to the next animation frame, asked for right after the draw: WebGL gives no
 * GPU time without the disjoint-timer extension (absent in SwiftShader), and the CPU time around the draw is only the
 * submission (1–3 ms), while the next animation frame waits for the drawn one to be presented — the compositor's
 * read-back in SwiftShader, the GPU's work and the display's refresh on a GPU. A new effective budget applies from
 * the next frame (none is drawn for it). Dataset: `effectivePointBudget`, `frameTargetMilliseconds`,
 * `presentedFrameMilliseconds` (the last measured frame).
 */
export class LevelOfDetailDisplay {
  private worker?: Worker;
  private buildId = 0;
  private buildStarted = 0;
  private maxDrawnPoints = 0;
  private budget: number;
  private readonly frameBudget: FrameBudgetController;
  private measuringFrame = false;
  private presentedFrameMilliseconds?: number;

  /**
   * @param options Initial budget (points, clamped to at least {@link MINIMUM_POINT_BUDGET}) and frame target.
   * @param budgetChanged Called after the budget input changed the budget (the page redraws the scan, which may
   *   switch between whole and level-of-detail drawing).
   */
  constructor(
    private readonly viewer: PointCloudViewer,
    options: LevelOfDetailOptions,
    budgetChanged: () => void,
  ) {
    this.budget = Math.max(MINIMUM_POINT_BUDGET, Math.round(options.pointBudget ?? DEFAULT_POINT_BUDGET));
    const target = options.frameTargetMilliseconds ?? DEFAULT_FRAME_TARGET_MILLISECONDS;
    this.frameBudget = new FrameBudgetController({ targetMilliseconds: target, ceilingPoints: this.budget, floorPoints: MINIMUM_POINT_BUDGET });
    document.body.dataset.frameTargetMilliseconds = String(target);
    const input = element<HTMLInputElement>('point-budget');
    input.value = String(this.budget / 1e6);
    input.onchange = () => {
      const millions = Number(input.value);
      if (!Number.isFinite(millions) || millions <= 0) {
        input.value = String(this.budget / 1e6);
        return;
      }
      this.budget = Math.max(MINIMUM_POINT_BUDGET, Math.round(millions * 1e6));
      input.value = String(this.budget / 1e6);
      this.frameBudget.setCeiling(this.budget);
      this.viewer.setPointBudget(this.frameBudget.effectiveBudget);
      document.body.dataset.pointBudget = String(this.budget);
      document.body.dataset.effectivePointBudget = String(this.frameBudget.effectiveBudget);
      budgetChanged();
    };
    document.body.dataset.pointBudget = String(this.budget);
    document.body.dataset.effectivePointBudget = String(this.frameBudget.effectiveBudget);
  }

  /** Most points drawn in one frame: the user's budget (the effective budget's ceiling). */
  get pointBudget(): number {
    return this.budget;
  }

  /** Whether a scan of `pointCount` points is drawn level of detail under the current budget. */
  needsLevelOfDetail(pointCount: number): boolean {
    return pointCount > this.budget;
  }

  /** Draws the scan whole, as one buffer coloured from `displayColors` (stopping any octree build). */
  showWhole(positions: Float32Array, displayColors: Uint8Array, keepView: boolean): void {
    this.stopBuild();
    this.maxDrawnPoints = 0;
    this.viewer.setCloud(positions, displayColors, keepView);
    const dataset = document.body.dataset;
    dataset.levelOfDetail = 'off';
    for (const key of ['octreeNodes', 'octreeBuilt', 'octreeDepth', 'octreeFirstNodeMilliseconds', 'octreeBuildMilliseconds'] as const) delete dataset[key];
  }

  /**
   * Draws the scan level of detail and starts building its octree in a new worker (a build in flight for an
   * earlier scan is abandoned). `positions` stays the page's; the worker gets a copy, or the same memory when it
   * is a `SharedArrayBuffer` (`octreePositions` in the dataset says which).
   */
  showLevelOfDetail(positions: Float32Array, coloring: PointColoring, keepView: boolean): void {
    this.stopBuild();
    this.maxDrawnPoints = 0;
    this.viewer.setLevelOfDetailCloud(positions, this.frameBudget.effectiveBudget, coloring, keepView);
    const dataset = document.body.dataset;
    dataset.levelOfDetail = 'on';
    dataset.octreeNodes = '0';
    dataset.octreeBuilt = 'false';
    delete dataset.octreeFirstNodeMilliseconds;
    delete dataset.octreeBuildMilliseconds;
    const buildId = ++this.buildId;
    const worker = new Worker(new URL('../worker/octree-worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<OctreeBuildResponse>) => this.handleBuildMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      if (buildId !== this.buildId) return;
      this.stopBuild();
      showMessage(`The octree worker stopped: ${event.message || 'unknown error'} (often: out of memory). Only the nodes built so far are drawn.`);
    };
    this.buildStarted = performance.now();
    // Positions in shared memory (the segmentation worker makes them so in cross-origin isolated pages) are handed
    // over as they are; otherwise the worker gets a copy (transferred).
    const shared = typeof SharedArrayBuffer !== 'undefined' && positions.buffer instanceof SharedArrayBuffer;
    const handed = shared ? positions : positions.slice();
    dataset.octreePositions = shared ? 'shared' : 'copied';
    const request: OctreeBuildRequest = { type: 'build', buildId, positions: handed };
    worker.postMessage(request, shared ? [] : [handed.buffer]);
  }

  /** Points the next level-of-detail frame may draw (at most {@link pointBudget}). */
  get effectivePointBudget(): number {
    return this.frameBudget.effectiveBudget;
  }

  /** Records a drawn frame: the status line and the dataset figures; measures its presented time. */
  frameDrawn(): void {
    const dataset = document.body.dataset;
    const drawn = this.viewer.lastDrawnPoints;
    this.maxDrawnPoints = Math.max(this.maxDrawnPoints, drawn);
    dataset.drawnPoints = String(drawn);
    dataset.drawnNodes = String(this.viewer.lastDrawnNodes);
    dataset.maxDrawnPoints = String(this.maxDrawnPoints);
    dataset.frameSubmitMilliseconds = this.viewer.lastFrameMilliseconds.toFixed(1);
    if (this.viewer.isLevelOfDetail && this.frameBudget.isAdaptive) this.measureFrame(performance.now() - this.viewer.lastFrameMilliseconds, drawn);
    this.showFrame();
  }

  /** The status line: submission time, points and nodes drawn, effective and chosen budgets, presented time. */
  private showFrame(): void {
    const drawn = this.viewer.lastDrawnPoints;
    const effective = this.frameBudget.effectiveBudget;
    const budgets = effective === this.budget ? `budget ${this.budget.toLocaleString('en')}` : `effective budget ${effective.toLocaleString('en')} of ${this.budget.toLocaleString('en')}`;
    const presented = this.presentedFrameMilliseconds === undefined ? '' : `; frame ${this.presentedFrameMilliseconds.toFixed(0)} ms, target ${this.frameBudget.targetMilliseconds} ms`;
    const nodes = this.viewer.isLevelOfDetail ? `, ${drawn.toLocaleString('en')} points in ${this.viewer.lastDrawnNodes} octree nodes (${budgets}${presented})` : '';
    element('frame').textContent = `${this.viewer.lastFrameMilliseconds.toFixed(1)} ms to submit${nodes}`;
  }

  /**
   * Times the frame whose draw began at `started` (page clock, ms) until the next animation frame, and hands the
   * time to the budget controller (one frame at a time; hidden pages, whose animation frames stop, are not timed).
   */
  private measureFrame(started: number, drawnPoints: number): void {
    if (this.measuringFrame || document.visibilityState !== 'visible') return;
    this.measuringFrame = true;
    requestAnimationFrame(() => {
      this.measuringFrame = false;
      if (!this.viewer.isLevelOfDetail || document.visibilityState !== 'visible') return;
      this.presentedFrameMilliseconds = performance.now() - started;
      document.body.dataset.presentedFrameMilliseconds = this.presentedFrameMilliseconds.toFixed(1);
      if (this.frameBudget.recordFrame(this.presentedFrameMilliseconds, drawnPoints)) {
        // Applies from the next frame: none is drawn for it (a larger budget's frame would only delay a click).
        this.viewer.setPointBudget(this.frameBudget.effectiveBudget, false);
        document.body.dataset.effectivePointBudget = String(this.frameBudget.effectiveBudget);
      }
      this.showFrame();
    });
  }

  private handleBuildMessage(message: OctreeBuildResponse): void {
    if (message.buildId !== this.buildId) return;
    const dataset = document.body.dataset;
    switch (message.type) {
      case 'nodes':
        if (dataset.octreeFirstNodeMilliseconds === undefined) dataset.octreeFirstNodeMilliseconds = (performance.now() - this.buildStarted).toFixed(1);
        this.viewer.addOctreeNodes(message.nodes);
        dataset.octreeNodes = String(this.viewer.octreeNodeCount);
        return;
      case 'complete':
        dataset.octreeBuilt = 'true';
        dataset.octreeDepth = String(message.depth);
        dataset.octreeBuildMilliseconds = message.buildMilliseconds.toFixed(1);
        this.stopBuild();
        return;
      case 'error':
        this.stopBuild();
        showMessage(`Cannot build the level-of-detail octree: ${message.message}`);
        return;
    }
  }

  private stopBuild(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
