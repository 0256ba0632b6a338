/**
 * Opening a large LAZ in the page (headless Chromium, wasm, SwiftShader WebGL; issue 18): ScanNet scene0000_00 tiled
 * and jittered to 10M points (POINTCLICK_LAZ_BENCH_POINTS for another count), written by `writeLaz` (LAS 1.4 point
 * format 7, layered LASzip chunks of 50,000 points), opened through the file input with a 500k-point budget, each
 * reading (the page's `?read=`) in a fresh browser:
 * - `random-access` — the page's default, `readPointCloudBlob`: header, chunk table, one chunk at a time via `slice`;
 * - `stream` — the page's previous path, `readPointCloudStream(file.stream())` (layered chunks are streamed one at a
 *   time too; point-wise LAZ, LAS ≤ 1.3, which `writeLaz` does not write, was collected whole);
 * - `whole` — `file.arrayBuffer()` then `readPointCloud`: the whole file beside the arrays, which is what the previous
 *   path did for point-wise LAZ. The reference, measured in the same run.
 * Reports the time from the file picked to the scan shown, the worker's read, and the renderer process's peak
 * resident set (the page and its workers) when the scan is shown (the read's peak; the octree build has just begun)
 * and after the octree build. Never fails on a time.
 */
import { existsSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ScanReading } from '../src/worker/worker-protocol.js';
import { buildAndServe, CHROMIUM_PATH, launchChromium } from '../test/playground-fixtures.js';
import { writeTiledScan, type TiledScan } from '../test/tiled-scan-fixture.js';
import { openPlaygroundPage } from '../test/large-scan-session.js';
import { chromiumPeaks } from './chromium-memory.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const scene = join(sharedData, 'scannet-votenet', 'scene0000_00');
const POINTS = Number(process.env.POINTCLICK_LAZ_BENCH_POINTS ?? 10_000_000);
const ROOM_POINTS = 50_000;
const BUDGET = 500_000;
/** The reference first. */
const READINGS: ScanReading[] = ['whole', 'stream', 'random-access'];

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`LAZ open bench: skipped — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
  process.exit(0);
}
if (!existsSync(`${scene}_vert.npy`)) {
  console.log(`LAZ open bench: skipped — ${scene}_vert.npy is missing (../shared/data is absent; set POINTCLICK_SHARED_DATA)`);
  process.exit(0);
}

interface OpenFigures {
  reading: ScanReading;
  /** File handed to the input → scan shown in the page, ms. */
  openMilliseconds: number;
  /** The worker's read (file → cloud), ms. */
  readMilliseconds: number;
  /** Renderer's peak resident set when the scan is shown, MiB. */
  rendererAtOpenMebibytes: number;
  /** Renderer's peak resident set after the octree build, MiB. */
  rendererAfterBuildMebibytes: number;
  /** Every Chromium process's peak resident set after the build, summed, MiB. */
  allAfterBuildMebibytes: number;
}

async function measureOpen(baseUrl: string, modelQuery: string, scan: TiledScan, reading: ScanReading): Promise<OpenFigures> {
  let browser: Browser | undefined;
  try {
    // A fresh browser per reading, so the processes' peak memory is this read's.
    browser = await launchChromium(false);
    const { page, errors } = await openPlaygroundPage(browser, baseUrl, `budget=${BUDGET}&read=${reading}${modelQuery}`);
    const started = await page.evaluate(() => performance.now());
    await page.setInputFiles('[data-testid=file-input]', scan.path);
    await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count) || !document.getElementById('message')?.hidden, scan.pointCount, { timeout: 300_000, polling: 50 });
    const openMilliseconds = (await page.evaluate(() => performance.now())) - started;
    const atOpen = chromiumPeaks();
    const message = await page.evaluate(() => (document.getElementById('message')?.hidden ? undefined : document.getElementById('message')?.textContent));
    if (message) throw new Error(`LAZ open bench (${reading}): the page says ${message}`);
    const readMilliseconds = await page.evaluate(() => (window as unknown as { pointclickPlayground: { openScan?: { readMilliseconds: number } } }).pointclickPlayground.openScan?.readMilliseconds ?? NaN);
    if ((await page.evaluate(() => document.body.dataset.levelOfDetail)) === 'on') {
      await page.waitForFunction(() => document.body.dataset.octreeBuilt === 'true', undefined, { timeout: 300_000, polling: 200 });
    }
    const afterBuild = chromiumPeaks();
    if (errors.length > 0) throw new Error(`LAZ open bench (${reading}): page errors ${errors.join('; ')}`);
    return { reading, openMilliseconds, readMilliseconds, rendererAtOpenMebibytes: atOpen.renderer, rendererAfterBuildMebibytes: afterBuild.renderer, allAfterBuildMebibytes: afterBuild.all };
  } finally {
    await browser?.close();
  }
}

const written = performance.now();
const scan = writeTiledScan(scene, Math.round(POINTS / ROOM_POINTS), { jitterMetres: 0.005, name: `pointclick-laz-open-bench-${POINTS}`, format: 'laz' });
const writeSeconds = (performance.now() - written) / 1000;
const { server, baseUrl, modelQuery } = await buildAndServe();
const results: OpenFigures[] = [];
const loadBefore = loadavg();
try {
  for (const reading of READINGS) results.push(await measureOpen(baseUrl, modelQuery, scan, reading));
} finally {
  rmSync(scan.path, { force: true });
  await server.close();
}
const loadAfter = loadavg();

const [reference] = results;
const megabytes = (scan.byteLength / 1e6).toFixed(1);
console.log(`LAZ open bench — headless Chromium ${CHROMIUM_PATH}, wasm, SwiftShader WebGL, point budget ${BUDGET.toLocaleString('en')}`);
console.log(`${(scan.pointCount / 1e6).toFixed(0)}M points of ScanNet scene0000_00 tiled (±2.5 mm jitter), writeLaz: ${megabytes} MB (written in ${writeSeconds.toFixed(1)} s)`);
console.log(`load average before ${loadBefore.map((value) => value.toFixed(1)).join(' ')}, after ${loadAfter.map((value) => value.toFixed(1)).join(' ')}; ratios against '${reference.reading}' (same run, each reading in a fresh browser)`);
console.log('');
const columns: [string, (figures: OpenFigures) => number, string][] = [
  ['open: file picked → scan in the page', (figures) => figures.openMilliseconds, 'ms'],
  ['  of which the worker read', (figures) => figures.readMilliseconds, 'ms'],
  ['renderer peak resident set when the scan is shown', (figures) => figures.rendererAtOpenMebibytes, 'MiB'],
  ['renderer peak resident set after the octree build', (figures) => figures.rendererAfterBuildMebibytes, 'MiB'],
  ['all Chromium processes after the build, summed', (figures) => figures.allAfterBuildMebibytes, 'MiB'],
];
for (const [label, pick, unit] of columns) {
  const cells = results.map((figures) => `${figures.reading}: ${pick(figures).toFixed(0).padStart(6)} ${unit} (${(pick(figures) / pick(reference)).toFixed(2)}x)`);
  console.log(`${label.padEnd(52)} ${cells.join('   ')}`);
}
