/**
 * Browser benchmark of the playground (headless Chromium, wasm backend, this machine's 2 cores):
 * - loading a 1M-point PLY (read in the worker, transferred, uploaded) and the first segmentation (backbone +
 *   decoder), then the click-update latency (decoder only) over several clicks;
 * - frame time while orbiting and the GPU pick time at 1M and 5M points.
 * References measured in the same run, in Node: readPointCloud of the same bytes, and the same segmenter on the
 * wasm backend (backbone and decoder), so the ratios show the browser's overhead. Never fails on a time.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIndoorScene } from '@pointclick/datasets';
import { readPointCloud, writePly, type PointCloud } from '@pointclick/io';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { buildAndServe, CHROMIUM_PATH, launchChromium } from '../test/playground-fixtures.js';

const POINT_COUNT = 1_000_000;
const TILE_COUNT = 5;
const UPDATE_CLICKS = 5;
const STRUCTURE_KINDS = new Set(['floor', 'wall', 'ceiling']);

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

function format(milliseconds: number): string {
  return `${milliseconds.toFixed(0).padStart(7)} ms`;
}

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`playground bench: skipped — ${CHROMIUM_PATH} is missing (apt-get install -y chromium libvulkan1)`);
  process.exit(0);
}

// ---- the scan: a generated 1M-point room without a ceiling (the top view sees the furniture) ----------------
const scene = generateIndoorScene({ seed: 7, pointCount: POINT_COUNT, ceiling: false });
const cloud: PointCloud = { pointCount: scene.pointCount, positions: scene.positions, colors: scene.colors };
const plyPath = join(tmpdir(), 'pointclick-playground-bench-1m.ply');
const plyBytes = writePly(cloud);
writeFileSync(plyPath, plyBytes);
// Click targets: the topmost point of each of the largest furniture objects.
const targets = scene.objects
  .filter((object) => !STRUCTURE_KINDS.has(object.kind))
  .map((object) => {
    let best = -1;
    let count = 0;
    scene.instance.forEach((instanceId, point) => {
      if (instanceId !== object.instanceId) return;
      count++;
      if (best < 0 || scene.positions[point * 3 + 2] > scene.positions[best * 3 + 2]) best = point;
    });
    return { pointIndex: best, count, kind: object.kind };
  })
  .filter((target) => target.count > 0)
  .sort((left, right) => right.count - left.count)
  .slice(0, UPDATE_CLICKS + 1);

// ---- 5M points: the room tiled five times along x ----------------------------------------------------------
const tiled = new Float32Array(POINT_COUNT * TILE_COUNT * 3);
const tiledColors = new Uint8Array(POINT_COUNT * TILE_COUNT * 3);
let width = 0;
for (let point = 0; point < POINT_COUNT; point++) width = Math.max(width, scene.positions[point * 3]);
for (let tile = 0; tile < TILE_COUNT; tile++) {
  tiled.set(scene.positions, tile * POINT_COUNT * 3);
  tiledColors.set(scene.colors, tile * POINT_COUNT * 3);
  for (let point = 0; point < POINT_COUNT; point++) tiled[(tile * POINT_COUNT + point) * 3] += tile * (width + 1);
}
const tiledPath = join(tmpdir(), 'pointclick-playground-bench-5m.ply');
writeFileSync(tiledPath, writePly({ pointCount: POINT_COUNT * TILE_COUNT, positions: tiled, colors: tiledColors }));

const { server, baseUrl, modelQuery, modelDirectory } = await buildAndServe();

// ---- Node references ---------------------------------------------------------------------------------------
let started = performance.now();
await readPointCloud(plyBytes, { fileName: plyPath });
const nodeReadMilliseconds = performance.now() - started;
await initializeBackend({ preferred: 'wasm', strict: true });
const segmenter = await loadSegmenter(modelDirectory);
segmenter.setScene(cloud);
const nodeFirst = segmenter.segment([{ pointIndex: targets[0].pointIndex, objectId: 1, kind: 'object' }]);
const nodeUpdate = segmenter.segment([
  { pointIndex: targets[0].pointIndex, objectId: 1, kind: 'object' },
  { pointIndex: targets[1].pointIndex, objectId: 2, kind: 'object' },
]);
segmenter.dispose();

// ---- the browser ---------------------------------------------------------------------------------------------
const browser = await launchChromium(false);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`${baseUrl}?scene=none&backend=wasm${modelQuery}`);
await page.waitForFunction(() => document.body.dataset.model === 'ready', undefined, { timeout: 120_000 });
const backend = await page.textContent('[data-testid=backend]');

started = performance.now();
await page.setInputFiles('[data-testid=file-input]', plyPath);
await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), POINT_COUNT, { timeout: 300_000 });
const loadMilliseconds = performance.now() - started;
await page.keyboard.press('t');
await page.waitForTimeout(300);

type Hook = { pointclickPlayground: { projectPoint(index: number): [number, number] | undefined; measureRendering(frames: number): Promise<{ meanFrameMilliseconds: number; pickMilliseconds: number }> } };
async function clickAndWait(pointIndex: number, runs: number): Promise<{ backbone: number; decoder: number; worker: number; roundTrip: number; total: number }> {
  const position = await page.evaluate((index) => (window as unknown as Hook).pointclickPlayground.projectPoint(index), pointIndex);
  if (!position) throw new Error(`point ${pointIndex} is not in view`);
  const clickStarted = performance.now();
  await page.mouse.click(position[0], position[1]);
  await page.waitForFunction((expected) => Number(document.body.dataset.segmentationRuns ?? 0) >= expected, runs, { timeout: 600_000, polling: 10 });
  const total = performance.now() - clickStarted;
  const timings = await page.evaluate(() => ({
    backbone: Number(document.body.dataset.lastBackboneMilliseconds),
    decoder: Number(document.body.dataset.lastDecoderMilliseconds),
    worker: Number(document.body.dataset.lastWorkerMilliseconds),
    roundTrip: Number(document.body.dataset.lastRoundTripMilliseconds),
  }));
  return { ...timings, total };
}

const first = await clickAndWait(targets[0].pointIndex, 1);
const updates: Awaited<ReturnType<typeof clickAndWait>>[] = [];
for (let index = 1; index < targets.length; index++) {
  await page.keyboard.press('n');
  updates.push(await clickAndWait(targets[index].pointIndex, index + 1));
}
const rendering1m = await page.evaluate(() => (window as unknown as Hook).pointclickPlayground.measureRendering(30));

started = performance.now();
await page.setInputFiles('[data-testid=file-input]', tiledPath);
await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), POINT_COUNT * TILE_COUNT, { timeout: 300_000 });
const load5mMilliseconds = performance.now() - started;
const rendering5m = await page.evaluate(() => (window as unknown as Hook).pointclickPlayground.measureRendering(20));
await browser.close();
await server.close();

const updateRoundTrip = median(updates.map((update) => update.roundTrip));
const updateDecoder = median(updates.map((update) => update.decoder));
console.log(`playground bench — headless Chromium ${CHROMIUM_PATH}, backend ${backend}; model ${modelQuery ? 'untrained tiny checkpoint (models/default absent)' : 'models/default'}`);
console.log(`scan: generated room, ${POINT_COUNT.toLocaleString()} points, binary PLY ${(plyBytes.byteLength / 1024 ** 2).toFixed(1)} MB`);
console.log('');
console.log(`load 1M-point PLY (pick file → drawn)      ${format(loadMilliseconds)}   Node readPointCloud ${format(nodeReadMilliseconds)}   ratio ${(loadMilliseconds / nodeReadMilliseconds).toFixed(2)}`);
console.log(`first segmentation, click → mask          ${format(first.total)}`);
console.log(`  backbone (once per scan, in the worker)  ${format(first.backbone)}   Node wasm ${format(nodeFirst.backboneMilliseconds)}   ratio ${(first.backbone / nodeFirst.backboneMilliseconds).toFixed(2)}`);
console.log(`  decoder                                  ${format(first.decoder)}   Node wasm ${format(nodeFirst.decoderMilliseconds)}`);
console.log(`  whole request in the worker             ${format(first.worker)}   (setScene, backbone, decoder, click grouping over every point)`);
console.log(`load + first segmentation                  ${format(loadMilliseconds + first.total)}`);
console.log(`click update, median of ${updates.length} (2…${updates.length + 1} objects)`);
console.log(`  whole request in the worker              ${format(median(updates.map((update) => update.worker)))}`);
console.log(`  click → mask (page round trip)           ${format(updateRoundTrip)}`);
console.log(`  decoder                                  ${format(updateDecoder)}   Node wasm (2 objects) ${format(nodeUpdate.decoderMilliseconds)}   ratio ${(updateDecoder / nodeUpdate.decoderMilliseconds).toFixed(2)}`);
console.log(`  click → mask as seen by the test driver  ${format(median(updates.map((update) => update.total)))}`);
console.log(`rendering 1M points: frame while orbiting  ${rendering1m.meanFrameMilliseconds.toFixed(1)} ms (${(1000 / rendering1m.meanFrameMilliseconds).toFixed(1)} fps), GPU pick ${rendering1m.pickMilliseconds.toFixed(1)} ms`);
console.log(`rendering 5M points: load ${format(load5mMilliseconds)}, frame while orbiting ${rendering5m.meanFrameMilliseconds.toFixed(1)} ms (${(1000 / rendering5m.meanFrameMilliseconds).toFixed(1)} fps), GPU pick ${rendering5m.pickMilliseconds.toFixed(1)} ms`);
console.log('(headless Chromium here renders WebGL with SwiftShader on the CPU: frame times are a lower bound on what a GPU gives)');
