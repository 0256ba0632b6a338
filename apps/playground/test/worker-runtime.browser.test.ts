/**
 * What the segmentation worker starts, in headless Chromium, in a cross-origin isolated page and in a plain one:
 * - `browserSearchThreads`: with isolation a module worker (as the playground's) starts a helper from a `blob:` URL,
 *   it becomes ready, and `SurfaceGraph.distancesFromEach` gives the same distances to the bit as one search at a
 *   time; without isolation there are none;
 * - `initializeBackend` on wasm: TF.js's single-threaded build (plain memory, on which this project's wasm kernels
 *   run) even where the page would allow the threaded one, whose shared memory sends every such kernel to a
 *   JavaScript fallback; `wasmThreads: true` still gets the threaded build.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTfjsWasmDirectory } from '../vite-plugins/static-assets-plugin.js';
import { APP_DIRECTORY, CHROMIUM_PATH, launchChromium } from './playground-fixtures.js';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`segmentation worker runtime browser test: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);

/**
 * The worker under test: the wasm backend as the playground starts it (`?wasmThreads` asks for the threaded
 * build), then a random cloud's graph with the playground's search helpers against one without.
 */
const WORKER_ENTRY = `
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/browser';
import { SurfaceGraph } from '@pointclick/sampling';
import { browserSearchThreads } from '${join(APP_DIRECTORY, 'src/worker/search-threads.ts')}';
const info = await initializeBackend({ preferred: 'wasm', strict: true, wasmPath: '/tfjs-wasm/', wasmThreads: new URL(self.location.href).searchParams.has('wasmThreads') });
const heap = tf.backend().wasm.HEAPU8.buffer;
const wasm = { backend: info.backend, threads: info.threads, sharedMemory: typeof SharedArrayBuffer !== 'undefined' && heap instanceof SharedArrayBuffer };
const pointCount = 20000;
const positions = new Float32Array(pointCount * 3);
let state = 7;
for (let index = 0; index < positions.length; index++) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  positions[index] = (state / 4294967296) * [4, 3, 2][index % 3];
}
const threads = browserSearchThreads();
const graph = new SurfaceGraph(positions, { threads });
const plain = new SurfaceGraph(positions);
const sources = Array.from({ length: 12 }, (_, index) => index * 1500);
graph.distancesFromEach(sources, 1.5);
const started = performance.now();
while (threads && graph.readyHelperCount < threads.count && performance.now() - started < 20000) await new Promise((resolve) => setTimeout(resolve, 20));
const shared = graph.distancesFromEach(sources, 1.5);
const alone = plain.distancesFromEach(sources, 1.5);
let mismatches = 0;
shared.forEach((distances, row) => distances.forEach((value, point) => { if (value !== alone[row][point]) mismatches++; }));
postMessage({ isolated: self.crossOriginIsolated, helperCount: threads?.count ?? 0, ready: graph.readyHelperCount, mismatches, rows: shared.length, wasm });
graph.dispose();
`;

describe.skipIf(!hasChromium)("the segmentation worker's runtime (headless Chromium)", () => {
  let browser: Browser;
  let server: Server;
  let baseUrl: string;
  let buildDirectory: string;

  beforeAll(async () => {
    // Inside the app (git-ignored test-artifacts/), so the entry resolves the workspace packages as the app does.
    mkdirSync(join(APP_DIRECTORY, 'test-artifacts'), { recursive: true });
    buildDirectory = mkdtempSync(join(APP_DIRECTORY, 'test-artifacts', 'search-threads-'));
    const entry = join(buildDirectory, 'entry.ts');
    writeFileSync(entry, WORKER_ENTRY);
    const vite = await import('vite');
    await vite.build({
      configFile: false,
      root: APP_DIRECTORY,
      logLevel: 'warn',
      build: { outDir: join(buildDirectory, 'out'), emptyOutDir: true, target: 'es2022', lib: { entry, formats: ['es'], fileName: () => 'worker.js' } },
    });
    const outDirectory = join(buildDirectory, 'out');
    const wasmDirectory = findTfjsWasmDirectory(APP_DIRECTORY);
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const isolation = url.searchParams.has('plain')
        ? {}
        : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (url.pathname.startsWith('/tfjs-wasm/') && /^[\w-]+\.wasm$/.test(url.pathname.slice('/tfjs-wasm/'.length))) {
        response.writeHead(200, { ...isolation, 'Content-Type': 'application/wasm' });
        response.end(readFileSync(join(wasmDirectory, url.pathname.slice('/tfjs-wasm/'.length))));
        return;
      }
      // The built worker and its chunks (the backends are imported on demand).
      if (/^\/[\w.-]+\.js$/.test(url.pathname) && existsSync(join(outDirectory, url.pathname))) {
        response.writeHead(200, { ...isolation, 'Content-Type': 'text/javascript' });
        response.end(readFileSync(join(outDirectory, url.pathname)));
        return;
      }
      response.writeHead(200, { ...isolation, 'Content-Type': 'text/html' });
      response.end(
        `<script type="module">const worker = new Worker('/worker.js${url.search}', { type: 'module' });` +
          `worker.onmessage = (event) => { window.checked = event.data; };` +
          `worker.onerror = (event) => { window.checked = { error: String(event.message ?? 'the worker failed to start') }; };</script>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    browser = await launchChromium(false);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (buildDirectory) rmSync(buildDirectory, { recursive: true, force: true });
  });

  interface Checked {
    isolated: boolean;
    helperCount: number;
    ready: number;
    mismatches: number;
    rows: number;
    wasm: { backend: string; threads?: number; sharedMemory: boolean };
    error?: string;
  }

  async function check(query: string): Promise<Checked> {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}${query}`);
    await page.waitForFunction(() => (window as unknown as { checked?: unknown }).checked !== undefined, null, { timeout: 60_000 });
    const checked = await page.evaluate(() => (window as unknown as { checked: never }).checked);
    await page.close();
    return checked;
  }

  it('starts a search helper in an isolated page (same distances to the bit) and the single-threaded wasm build', async () => {
    const checked = await check('');
    expect(checked.error).toBeUndefined();
    expect(checked.isolated).toBe(true);
    // One where there is a further core (this project's machines have 2).
    expect(checked.helperCount).toBe(1);
    expect(checked.ready).toBe(checked.helperCount);
    expect(checked.rows).toBe(12);
    expect(checked.mismatches).toBe(0);
    // The single-threaded build, whose memory this project's wasm kernels run on.
    expect(checked.wasm).toEqual({ backend: 'wasm', threads: 1, sharedMemory: false });
  }, 120_000);

  it('loads the threaded wasm build (shared memory) only when asked to', async () => {
    const checked = await check('?wasmThreads');
    expect(checked.error).toBeUndefined();
    expect(checked.isolated).toBe(true);
    expect(checked.wasm.backend).toBe('wasm');
    expect(checked.wasm.sharedMemory).toBe(true);
  }, 120_000);

  it('starts none without cross-origin isolation, and the searches still run', async () => {
    const checked = await check('?plain');
    expect(checked.error).toBeUndefined();
    expect(checked.isolated).toBe(false);
    expect(checked.helperCount).toBe(0);
    expect(checked.rows).toBe(12);
    expect(checked.mismatches).toBe(0);
    expect(checked.wasm.sharedMemory).toBe(false);
  }, 120_000);
});
