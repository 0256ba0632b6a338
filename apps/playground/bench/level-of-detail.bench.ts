/**
 * Level-of-detail benchmark (headless Chromium; WebGL through SwiftShader on this machine's CPUs): a real ScanNet
 * room (scene0000_00, 50,000 points) tiled side by side to 10M points (POINTCLICK_LOD_BENCH_POINTS for another
 * count, e.g. 50000000), opened with a 1M-point budget. Reports the octree build in the worker (first drawable
 * node, whole build) against the same build in Node, and the frame time while orbiting the large scan (overview
 * and close-up) as a ratio to orbiting a 1M-point scan drawn whole — the budget alone — measured in the same run.
 * Never fails on a time.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildPointOctree } from '../src/lod/point-octree.js';
import { buildAndServe, CHROMIUM_PATH, launchChromium } from '../test/playground-fixtures.js';
import { writeTiledScan } from '../test/tiled-scan-fixture.js';
import type { Hook } from '../test/large-scan-session.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const scene = join(sharedData, 'scannet-votenet', 'scene0000_00');
const LARGE_POINTS = Number(process.env.POINTCLICK_LOD_BENCH_POINTS ?? 10_000_000);
const BUDGET = 1_000_000;
const ORBIT_FRAMES = 8;

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`level-of-detail bench: skipped — ${CHROMIUM_PATH} is missing (apt-get install -y chromium libvulkan1)`);
  process.exit(0);
}
if (!existsSync(`${scene}_vert.npy`)) {
  console.log(`level-of-detail bench: skipped — ${scene}_vert.npy is missing (../shared/data is absent; set POINTCLICK_SHARED_DATA)`);
  process.exit(0);
}

/** Orbits `ORBIT_FRAMES` frames; the mean frame interval, the pick time and the points drawn in the last frame. */
async function orbit(page: Page): Promise<{ frame: number; pick: number; drawn: number; nodes: number; submit: number }> {
  // One orbit first, so the nodes of the view are uploaded before timing.
  await page.evaluate(() => (window as unknown as Hook).pointclickPlayground.measureRendering(3));
  const timing = await page.evaluate((frames) => (window as unknown as Hook).pointclickPlayground.measureRendering(frames), ORBIT_FRAMES);
  const figures = await page.evaluate(() => ({
    drawn: Number(document.body.dataset.drawnPoints),
    nodes: Number(document.body.dataset.drawnNodes),
    submit: Number(document.body.dataset.frameSubmitMilliseconds),
  }));
  return { frame: timing.meanFrameMilliseconds, pick: timing.pickMilliseconds, ...figures };
}

const roomPoints = 50_000;
const reference = writeTiledScan(scene, BUDGET / roomPoints);
const large = writeTiledScan(scene, Math.round(LARGE_POINTS / roomPoints));
const largeCount = large.positions.length / 3;

// Node reference: the same octree build, same positions, in Node.
let started = performance.now();
let nodeNodeCount = 0;
for (const node of buildPointOctree(large.positions)) nodeNodeCount = node.index + 1;
const nodeBuildMilliseconds = performance.now() - started;

const { server, baseUrl, modelQuery } = await buildAndServe();
const browser = await launchChromium(false);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`${baseUrl}?scene=none&backend=wasm&budget=${BUDGET}&frameTarget=0${modelQuery}`);

// ---- the reference: 1M points, drawn whole (one buffer) ---------------------------------------------------------
await page.setInputFiles('[data-testid=file-input]', reference.path);
await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), BUDGET, { timeout: 300_000 });
const referenceMode = await page.evaluate(() => document.body.dataset.levelOfDetail);
const whole = await orbit(page);

// ---- the large scan, level of detail ----------------------------------------------------------------------------
started = performance.now();
await page.setInputFiles('[data-testid=file-input]', large.path);
await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), largeCount, { timeout: 600_000 });
const openMilliseconds = performance.now() - started;
await page.waitForFunction(() => document.body.dataset.octreeBuilt === 'true', undefined, { timeout: 600_000, polling: 200 });
const build = await page.evaluate(() => ({
  mode: document.body.dataset.levelOfDetail,
  nodes: Number(document.body.dataset.octreeNodes),
  depth: Number(document.body.dataset.octreeDepth),
  first: Number(document.body.dataset.octreeFirstNodeMilliseconds),
  total: Number(document.body.dataset.octreeBuildMilliseconds),
}));
const overview = await orbit(page);
const columns = Math.ceil(Math.sqrt(largeCount / roomPoints));
const middle = Math.floor(columns / 2) - 1;
await page.evaluate((box) => (window as unknown as Hook).pointclickPlayground.setView('reset', box), large.tileBox(middle, middle, 3));
const close = await orbit(page);
const maxDrawn = await page.evaluate(() => Number(document.body.dataset.maxDrawnPoints));
// The reference once more, after the large scan: the spread of the two is the noise of this shared machine.
await page.setInputFiles('[data-testid=file-input]', reference.path);
await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), BUDGET, { timeout: 300_000 });
const wholeAgain = await orbit(page);
await browser.close();
await server.close();
rmSync(reference.path);
rmSync(large.path);

const millions = (count: number) => `${(count / 1e6).toFixed(2)}M`;
const row = (label: string, figures: Awaited<ReturnType<typeof orbit>>) =>
  `${label.padEnd(40)} ${figures.frame.toFixed(0).padStart(6)} ms   ratio ${(figures.frame / whole.frame).toFixed(2).padStart(5)}   ${millions(figures.drawn)} points in ${figures.nodes} nodes; submit ${figures.submit.toFixed(1)} ms; GPU pick ${figures.pick.toFixed(0)} ms`;
console.log(`level-of-detail bench — headless Chromium ${CHROMIUM_PATH} (WebGL on SwiftShader, this machine's CPUs), point budget ${millions(BUDGET)}`);
console.log(`scan: ScanNet scene0000_00 tiled to ${millions(largeCount)} points (binary PLY ${(large.byteLength / 1024 ** 2).toFixed(0)} MB); reference: tiled to ${millions(BUDGET)} points, drawn whole (mode ${referenceMode})`);
console.log('');
console.log(`open (pick file → scan in the page)        ${openMilliseconds.toFixed(0).padStart(6)} ms`);
console.log(`octree in the worker: first node drawable  ${build.first.toFixed(0).padStart(6)} ms after the scan arrived`);
console.log(`octree in the worker: whole build          ${build.total.toFixed(0).padStart(6)} ms   Node, same build ${nodeBuildMilliseconds.toFixed(0)} ms   ratio ${(build.total / nodeBuildMilliseconds).toFixed(2)}   (${build.nodes} nodes, Node ${nodeNodeCount}; depth ${build.depth}; mode ${build.mode})`);
console.log(`frame while orbiting (mean of ${ORBIT_FRAMES}):`);
console.log(row(`  reference: ${millions(BUDGET)} points whole`, whole));
console.log(row(`  reference again, after the large scan`, wholeAgain));
console.log(row(`  ${millions(largeCount)} points, overview`, overview));
console.log(row(`  ${millions(largeCount)} points, close-up (3×3 rooms)`, close));
console.log(`most points drawn in any frame of the large scan: ${maxDrawn.toLocaleString('en')} (budget ${BUDGET.toLocaleString('en')})`);
console.log('(SwiftShader draws points on the CPU, so absolute frame times are far above a GPU\'s; the ratio is the figure to read)');
