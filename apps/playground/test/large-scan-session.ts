import type { Browser, Page } from 'playwright-core';
import type { Box, TiledScan } from './tiled-scan-fixture.js';

/*
 * Page steps shared by the large-scan browser test and benchmark: open a tiled scan through the file input, zoom
 * onto a tile, click a point of it and time the mask, read the mask back. Times are taken inside the page.
 */

/** NYU40 ids of structure (unannotated, wall, floor, ceiling), never chosen as click targets. */
const STRUCTURE_CLASSES = new Set([0, 1, 2, 22]);

/** The page's scripting hook (`window.pointclickPlayground`), as the browser tests and benchmarks use it. */
export type Hook = {
  pointclickPlayground: {
    projectPoint(index: number): [number, number] | undefined;
    drawnColor(index: number): [number, number, number] | undefined;
    setView(view: string, box?: Box): void;
    instanceLabels: Int32Array | undefined;
    measureRendering(frames: number): Promise<{ meanFrameMilliseconds: number; pickMilliseconds: number }>;
  };
};

/**
 * Opens the served playground at `baseUrl` in a new 1280 × 800 page of `browser` (wasm backend, no default scene,
 * `query` appended, e.g. `budget=500000` and the model) and waits for the model; page errors are collected in `errors`.
 */
export async function openPlaygroundPage(browser: Browser, baseUrl: string, query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}?scene=none&backend=wasm&${query}`);
  await page.waitForFunction(() => document.body.dataset.model === 'ready', undefined, { timeout: 120_000 });
  return { page, errors };
}

/** Milliseconds of opening a scan in the page. */
export interface OpenTimings {
  /** From the file handed to the file input to the scan shown (its point count in the page). */
  openMilliseconds: number;
  /** Octree in the worker: the first node drawable, after the scan arrived (0 for scans drawn whole). */
  firstNodeMilliseconds: number;
  /** Octree in the worker: the whole build (0 for scans drawn whole). */
  buildMilliseconds: number;
}

/** Hands `scan` to the page's file input and waits for the scan and, for level of detail, its whole octree. */
export async function openTiledScan(page: Page, scan: TiledScan): Promise<OpenTimings> {
  const started = await page.evaluate(() => performance.now());
  await page.setInputFiles('[data-testid=file-input]', scan.path);
  await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), scan.pointCount, { timeout: 300_000, polling: 100 });
  const openMilliseconds = (await page.evaluate(() => performance.now())) - started;
  if ((await page.evaluate(() => document.body.dataset.levelOfDetail)) !== 'on') return { openMilliseconds, firstNodeMilliseconds: 0, buildMilliseconds: 0 };
  await page.waitForFunction(() => document.body.dataset.octreeBuilt === 'true', undefined, { timeout: 300_000, polling: 200 });
  return page.evaluate((open) => ({
    openMilliseconds: open,
    firstNodeMilliseconds: Number(document.body.dataset.octreeFirstNodeMilliseconds),
    buildMilliseconds: Number(document.body.dataset.octreeBuildMilliseconds),
  }), openMilliseconds);
}

/** A click target: a room point of a furniture object, its topmost point (visible in a view from above). */
export interface ClickTarget {
  /** Ground-truth instance id in the room. */
  instanceId: number;
  /** The room's point index. */
  roomPoint: number;
  /** Points of the object in the room. */
  pointCount: number;
}

/** The room's `count` largest furniture objects (no wall, floor or ceiling), largest first, each at its topmost point. */
export function furnitureTargets(scan: TiledScan, count: number): ClickTarget[] {
  const { instance, semantic, cloud } = scan.room;
  const sizes = new Map<number, number>();
  instance.forEach((id, point) => {
    if (id > 0 && !STRUCTURE_CLASSES.has(semantic[point])) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  });
  return [...sizes.entries()]
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([instanceId, pointCount]) => {
      let topmost = -1;
      instance.forEach((id, point) => {
        if (id === instanceId && (topmost < 0 || cloud.positions[point * 3 + 2] > cloud.positions[topmost * 3 + 2])) topmost = point;
      });
      return { instanceId, roomPoint: topmost, pointCount };
    });
}

/** The room points of object `instanceId`, highest first, at most `count` of them (the most visible from above). */
export function highestPoints(scan: TiledScan, instanceId: number, count: number): number[] {
  const points: number[] = [];
  scan.room.instance.forEach((id, point) => {
    if (id === instanceId) points.push(point);
  });
  const height = (point: number) => scan.room.cloud.positions[point * 3 + 2];
  return points.sort((left, right) => height(right) - height(left)).slice(0, count);
}

/**
 * Looks at `box` from above and waits until one of scan points `points` is drawn (its node refined in); returns the
 * first of them that is (at the effective budget the finest nodes, which hold an object's topmost point, may not be).
 */
export async function zoomOnto(page: Page, box: Box, points: readonly number[]): Promise<number> {
  await page.evaluate((view) => (window as unknown as Hook).pointclickPlayground.setView('top', view), box);
  // Slot + 1, so that point 0 in the first slot is a truthy answer too.
  const drawn = await page.waitForFunction((ids) => ids.findIndex((id) => (window as unknown as Hook).pointclickPlayground.drawnColor(id) !== undefined) + 1, points, { timeout: 120_000, polling: 200 });
  return points[(await drawn.jsonValue()) - 1];
}

/** What one click on a scan point gave. */
export interface ClickOutcome {
  /** The point the page picked under the cursor. */
  picked: number;
  /** From the pointer going down to the first frame drawn after the mask arrived, milliseconds (in the page). */
  clickToMaskMilliseconds: number;
  /** The worker's backbone time of the run (0 when the region's features were cached). */
  backboneMilliseconds: number;
  /** The worker's whole time of the run. */
  workerMilliseconds: number;
  /** The page's pick of the point under the cursor (GPU draw and read-back of point ids), milliseconds. */
  pickMilliseconds: number;
}

/** Click outcomes (`document.body.dataset.lastClickOutcome`, src/app/view-clicks.ts) that mean the click marked nothing. */
const UNTAKEN_CLICK_OUTCOMES = ['no-point', 'no-scan', 'context-lost', 'drag', 'cancelled'];

/**
 * Clicks where scan point `point` is drawn (it must be on screen) and waits for the segmentation it starts and the
 * next frame after it; `newObject` presses N first, so the click starts the next object. Fails at once, with the
 * page's reason, when the page did not take the press as a click on a point.
 */
export async function clickScanPoint(page: Page, point: number, newObject = false): Promise<ClickOutcome> {
  if (newObject) await page.keyboard.press('n');
  const position = await page.evaluate((id) => (window as unknown as Hook).pointclickPlayground.projectPoint(id), point);
  if (!position) throw new Error(`scan point ${point} is not on screen`);
  // A press outside the canvas is no click on the view: say so rather than wait for a segmentation.
  const canvas = await page.locator('[data-testid=viewport] canvas[data-engine]').boundingBox();
  if (!canvas || position[0] < canvas.x || position[0] >= canvas.x + canvas.width || position[1] < canvas.y || position[1] >= canvas.y + canvas.height) {
    throw new Error(`scan point ${point} projects to (${position[0].toFixed(0)}, ${position[1].toFixed(0)}), outside the canvas ${JSON.stringify(canvas)}`);
  }
  // Armed before the click: the pointer-down time, then the frame after the segmentation count changes and the page is idle.
  await page.evaluate((untaken) => {
    const state = window as unknown as { maskShown?: Promise<number> };
    const runsBefore = document.body.dataset.segmentationRuns;
    let pressedAt = NaN;
    document.addEventListener('pointerdown', () => (pressedAt = performance.now()), { capture: true, once: true });
    state.maskShown = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no segmentation within 240 s of the click')), 240_000);
      const observer = new MutationObserver(() => {
        const outcome = document.body.dataset.lastClickOutcome ?? '';
        if (untaken.includes(outcome)) {
          observer.disconnect();
          clearTimeout(timer);
          reject(new Error(`the page did not take the click (${outcome}): ${document.getElementById('message')?.textContent ?? ''}`));
          return;
        }
        if (document.body.dataset.segmentationRuns === runsBefore || document.body.dataset.busy !== 'false') return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - pressedAt)));
      });
      observer.observe(document.body, { attributes: true, attributeFilter: ['data-segmentation-runs', 'data-busy', 'data-last-click-outcome'] });
    });
  }, UNTAKEN_CLICK_OUTCOMES);
  await page.mouse.click(position[0], position[1]);
  const clickToMaskMilliseconds = await page.evaluate(() => (window as unknown as { maskShown: Promise<number> }).maskShown);
  return page.evaluate((elapsed) => ({
    picked: Number(document.body.dataset.lastPick),
    clickToMaskMilliseconds: elapsed,
    backboneMilliseconds: Number(document.body.dataset.lastBackboneMilliseconds),
    workerMilliseconds: Number(document.body.dataset.lastWorkerMilliseconds),
    pickMilliseconds: Number(document.body.dataset.lastPickMilliseconds),
  }), clickToMaskMilliseconds);
}

/** Scan point indices the page's latest segmentation gives to `objectId`. */
export function maskPoints(page: Page, objectId: number): Promise<number[]> {
  return page.evaluate((id) => {
    const labels = (window as unknown as Hook).pointclickPlayground.instanceLabels;
    const points: number[] = [];
    labels?.forEach((label, point) => {
      if (label === id) points.push(point);
    });
    return points;
  }, objectId);
}
