/**
 * Large scans in the page (headless Chromium, wasm, SwiftShader WebGL; issue 18): ScanNet scene0000_00 tiled and
 * jittered to 10M points (POINTCLICK_LARGE_BENCH_POINTS for another count), opened through the file input with a
 * 500k-point budget. Reports, per scan, the time from the file picked to the scan shown, the octree's first node
 * and whole build, the first click on a furniture object of a central tile until its mask is drawn, click updates
 * inside the region (new objects of the same tile, median of 5), and the page's peak memory (the renderer
 * process's peak resident set, which holds the page and its workers, and the JS heaps that
 * `performance.measureUserAgentSpecificMemory()` reports: the page is cross-origin isolated). Reference: the same
 * steps on a 1M-point tiling, measured in the same run, each scan in a fresh browser. Never fails on a time.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildAndServe, CHROMIUM_PATH, launchChromium } from '../test/playground-fixtures.js';
import { chromiumPeaks } from './chromium-memory.js';
import { writeTiledScan, type Box, type TiledScan } from '../test/tiled-scan-fixture.js';
import { clickScanPoint, furnitureTargets, highestPoints, openPlaygroundPage, openTiledScan, zoomOnto, type Hook, type OpenTimings } from '../test/large-scan-session.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const scene = join(sharedData, 'scannet-votenet', 'scene0000_00');
const LARGE_POINTS = Number(process.env.POINTCLICK_LARGE_BENCH_POINTS ?? 10_000_000);
const REFERENCE_POINTS = 1_000_000;
const ROOM_POINTS = 50_000;
const BUDGET = 500_000;
const UPDATE_REPEATS = 5;
/** Highest points of each update object tried, in order, until one is drawn. */
const UPDATE_CANDIDATES = 64;
/** The page's frame-time target, ms (`?frameTarget`; unset: the page's default; 0: every frame draws the budget). */
const FRAME_TARGET = process.env.POINTCLICK_LARGE_BENCH_FRAME_TARGET;

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`large-scan bench: skipped — ${CHROMIUM_PATH} is missing (apt-get install -y chromium libvulkan1)`);
  process.exit(0);
}
if (!existsSync(`${scene}_vert.npy`)) {
  console.log(`large-scan bench: skipped — ${scene}_vert.npy is missing (../shared/data is absent; set POINTCLICK_SHARED_DATA)`);
  process.exit(0);
}

interface Figures extends OpenTimings {
  pointCount: number;
  firstClick: { clickToMask: number; worker: number; backbone: number };
  update: { clickToMask: number; pick: number; worker: number; roundTrip: number; movedRegion: number };
  /** The effective point budget and the last presented frame time (ms) after the updates. */
  effectiveBudget: number;
  presentedFrame: number;
  rendererPeakMebibytes: number;
  allProcessesPeakMebibytes: number;
  heapMebibytes: { total: number; window: number; workers: number } | undefined;
}

/** JS heap bytes of the page and its workers (cross-origin isolated pages only), in MiB. */
async function measureHeaps(page: Page): Promise<Figures['heapMebibytes']> {
  return page.evaluate(async () => {
    type Breakdown = { bytes: number; attribution: { scope: string }[] };
    const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Breakdown[] }> }).measureUserAgentSpecificMemory;
    if (!crossOriginIsolated || !measure) return undefined;
    // Chromium may wait for a garbage collection before answering: give up after a minute.
    const result = await Promise.race([measure.call(performance), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
    if (!result) return undefined;
    // No named helper here: tsx wraps named functions in a helper the page does not have.
    const totals = { total: result.bytes / 2 ** 20, window: 0, workers: 0 };
    for (const entry of result.breakdown) {
      const scopes = entry.attribution.map((attribution) => attribution.scope);
      if (scopes.includes('Window')) totals.window += entry.bytes / 2 ** 20;
      if (scopes.includes('DedicatedWorkerGlobalScope')) totals.workers += entry.bytes / 2 ** 20;
    }
    return totals;
  });
}

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

async function measureScan(baseUrl: string, modelQuery: string, scan: TiledScan): Promise<Figures> {
  // A fresh browser per scan, so the processes' peak memory is this scan's.
  const browser = await launchChromium(false);
  try {
    const { page } = await openPlaygroundPage(browser, baseUrl, `budget=${BUDGET}${FRAME_TARGET === undefined ? '' : `&frameTarget=${FRAME_TARGET}`}${modelQuery}`);
    const opened = await openTiledScan(page, scan);
    const rows = Math.ceil(scan.pointCount / ROOM_POINTS / scan.columns);
    const [column, row] = [Math.floor(scan.columns / 2), Math.floor(rows / 2)];
    const tile = row * scan.columns + column;
    const tileBox = scan.tileBox(column, row);
    const [first, ...others] = furnitureTargets(scan, 12);
    const firstPoint = await zoomOnto(page, tileBox, highestPoints(scan, first.instanceId, UPDATE_CANDIDATES).map((roomPoint) => scan.pointOf(tile, roomPoint)));
    const firstClick = await clickScanPoint(page, firstPoint);
    // Update clicks on other objects of the tile inside the region box, so each is what it says (decoder only).
    const region = JSON.parse((await page.evaluate(() => document.body.dataset.regionBox)) ?? 'null') as Box | null;
    const inside = (point: number) => !region || [0, 1, 2].every((axis) => scan.positions[point * 3 + axis] >= region.minimum[axis] && scan.positions[point * 3 + axis] <= region.maximum[axis]);
    // …and drawn in this view: the highest drawn of each object's UPDATE_CANDIDATES highest points (visible from
    // above; at the effective budget the finest nodes of a small object, its topmost point among them, may not be).
    const candidates = others.map((target) => highestPoints(scan, target.instanceId, UPDATE_CANDIDATES).map((roomPoint) => scan.pointOf(tile, roomPoint)).filter(inside));
    const drawn = await page.evaluate((lists) => lists.map((points) => points.find((point) => (window as unknown as Hook).pointclickPlayground.drawnColor(point) !== undefined)), candidates);
    const updatePoints = drawn.filter((point): point is number => point !== undefined);
    if (updatePoints.length === 0) throw new Error('large-scan bench: no other furniture object of the tile is drawn inside the first region');
    const updates: { clickToMask: number; pick: number; worker: number; roundTrip: number; backbone: number }[] = [];
    for (let repeat = 0; repeat < UPDATE_REPEATS; repeat++) {
      const point = updatePoints[repeat % updatePoints.length];
      const outcome = await clickScanPoint(page, point, true);
      const roundTrip = Number(await page.evaluate(() => document.body.dataset.lastRoundTripMilliseconds));
      updates.push({ clickToMask: outcome.clickToMaskMilliseconds, pick: outcome.pickMilliseconds, worker: outcome.workerMilliseconds, roundTrip, backbone: outcome.backboneMilliseconds });
    }
    const [effectiveBudget, presentedFrame] = await page.evaluate(() => [Number(document.body.dataset.effectivePointBudget), Number(document.body.dataset.presentedFrameMilliseconds ?? Number.NaN)]);
    const heapMebibytes = await measureHeaps(page);
    const peaks = chromiumPeaks();
    return {
      pointCount: scan.pointCount,
      ...opened,
      firstClick: { clickToMask: firstClick.clickToMaskMilliseconds, worker: firstClick.workerMilliseconds, backbone: firstClick.backboneMilliseconds },
      update: {
        clickToMask: median(updates.map((update) => update.clickToMask)),
        pick: median(updates.map((update) => update.pick)),
        worker: median(updates.map((update) => update.worker)),
        roundTrip: median(updates.map((update) => update.roundTrip)),
        movedRegion: updates.filter((update) => update.backbone > 0).length,
      },
      effectiveBudget,
      presentedFrame,
      rendererPeakMebibytes: peaks.renderer,
      allProcessesPeakMebibytes: peaks.all,
      heapMebibytes,
    };
  } finally {
    await browser.close();
  }
}

const { server, baseUrl, modelQuery } = await buildAndServe();
const results: Figures[] = [];
for (const pointCount of [REFERENCE_POINTS, LARGE_POINTS]) {
  const scan = writeTiledScan(scene, Math.round(pointCount / ROOM_POINTS), { jitterMetres: 0.005, name: `pointclick-large-scan-bench-${pointCount}` });
  try {
    results.push(await measureScan(baseUrl, modelQuery, scan));
  } finally {
    rmSync(scan.path, { force: true });
  }
}
await server.close();

const [reference, large] = results;
const millions = (count: number) => `${(count / 1e6).toFixed(0)}M`;
const line = (label: string, pick: (figures: Figures) => number, unit = 'ms') => {
  const [base, value] = [pick(reference), pick(large)];
  console.log(`${label.padEnd(58)} ${value.toFixed(0).padStart(7)} ${unit}   ${millions(reference.pointCount)}: ${base.toFixed(0).padStart(6)} ${unit}   ratio ${(value / base).toFixed(2).padStart(6)}`);
};
console.log(`large-scan bench — headless Chromium ${CHROMIUM_PATH}, wasm, SwiftShader WebGL, point budget ${BUDGET.toLocaleString('en')}, frame target ${FRAME_TARGET ?? 'the page default'} ms; ScanNet scene0000_00 tiled (±2.5 mm jitter)`);
console.log(`${millions(large.pointCount)} points against the same steps on ${millions(reference.pointCount)} points (reference, same run, each in a fresh browser)`);
console.log('');
line('open: file picked → scan in the page', (figures) => figures.openMilliseconds);
line('octree in the worker: first node drawable', (figures) => figures.firstNodeMilliseconds);
line('octree in the worker: whole build', (figures) => figures.buildMilliseconds);
line('first click → first mask drawn [goal ≤ 10,000 ms]', (figures) => figures.firstClick.clickToMask);
line('  of which in the worker', (figures) => figures.firstClick.worker);
line('  of which backbone', (figures) => figures.firstClick.backbone);
line(`click update in the region → mask drawn (median of ${UPDATE_REPEATS}) [≤ 200 ms]`, (figures) => figures.update.clickToMask);
line('  the pick under the cursor (median)', (figures) => figures.update.pick);
line('  request → answer in the page (median)', (figures) => figures.update.roundTrip);
line('  of which in the worker (median)', (figures) => figures.update.worker);
line('effective point budget after the updates', (figures) => figures.effectiveBudget, 'points');
line('  last presented frame (draw → next animation frame)', (figures) => figures.presentedFrame);
line('peak resident set of the renderer (page + workers)', (figures) => figures.rendererPeakMebibytes, 'MiB');
line('peak resident sets of all Chromium processes, summed', (figures) => figures.allProcessesPeakMebibytes, 'MiB');
if (large.heapMebibytes && reference.heapMebibytes) {
  line('JS heaps after the updates (measureUserAgentSpecificMemory)', (figures) => figures.heapMebibytes!.total, 'MiB');
  line('  the page', (figures) => figures.heapMebibytes!.window, 'MiB');
  line('  its workers', (figures) => figures.heapMebibytes!.workers, 'MiB');
} else {
  console.log('JS heaps: performance.measureUserAgentSpecificMemory() is unavailable (the page is not cross-origin isolated)');
}
console.log(`updates that moved the region (a backbone pass): ${large.update.movedRegion} of ${UPDATE_REPEATS} (${millions(reference.pointCount)}: ${reference.update.movedRegion})`);
console.log('("mask drawn" includes one frame at the effective budget (hundreds of milliseconds on SwiftShader at 500k, tens at the adaptive floor); the worker and round-trip lines do not)');
