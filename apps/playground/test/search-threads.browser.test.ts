/**
 * The segmentation worker's helper threads for the geodesic searches (`browserSearchThreads`), in headless
 * Chromium: in a cross-origin isolated page, a module worker (as the playground's) starts them from `blob:` URLs,
 * they become ready, and `SurfaceGraph.distancesFromEach` gives the same distances to the bit as one search at a
 * time; without isolation there are none.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIRECTORY, CHROMIUM_PATH, launchChromium } from './playground-fixtures.js';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`search helper threads browser test: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);

/** The worker under test: a random cloud's graph with the playground's helpers against one without. */
const WORKER_ENTRY = `
import { SurfaceGraph } from '@pointclick/sampling';
import { browserSearchThreads } from '${join(APP_DIRECTORY, 'src/worker/search-threads.ts')}';
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
postMessage({ isolated: self.crossOriginIsolated, helperCount: threads?.count ?? 0, ready: graph.readyHelperCount, mismatches, rows: shared.length });
graph.dispose();
`;

describe.skipIf(!hasChromium)('search helper threads in the segmentation worker (headless Chromium)', () => {
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
    const worker = readFileSync(join(buildDirectory, 'out', 'worker.js'));
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const isolation = url.searchParams.has('plain')
        ? {}
        : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (url.pathname === '/worker.js') {
        response.writeHead(200, { ...isolation, 'Content-Type': 'text/javascript' });
        response.end(worker);
        return;
      }
      response.writeHead(200, { ...isolation, 'Content-Type': 'text/html' });
      response.end(
        `<script type="module">const worker = new Worker('/worker.js${url.search}', { type: 'module' });` +
          `worker.onmessage = (event) => { window.checked = event.data; };` +
          `worker.onerror = (event) => { window.checked = { error: event.message }; };</script>`,
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

  async function check(query: string): Promise<{ isolated: boolean; helperCount: number; ready: number; mismatches: number; rows: number; error?: string }> {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}${query}`);
    await page.waitForFunction(() => (window as unknown as { checked?: unknown }).checked !== undefined, null, { timeout: 60_000 });
    const checked = await page.evaluate(() => (window as unknown as { checked: never }).checked);
    await page.close();
    return checked;
  }

  it('starts helpers in an isolated page and gives the same distances to the bit', async () => {
    const checked = await check('');
    expect(checked.error).toBeUndefined();
    expect(checked.isolated).toBe(true);
    // One where there is a further core (this project's machines have 2).
    expect(checked.helperCount).toBe(1);
    expect(checked.ready).toBe(checked.helperCount);
    expect(checked.rows).toBe(12);
    expect(checked.mismatches).toBe(0);
  }, 120_000);

  it('starts none without cross-origin isolation, and the searches still run', async () => {
    const checked = await check('?plain');
    expect(checked.error).toBeUndefined();
    expect(checked.isolated).toBe(false);
    expect(checked.helperCount).toBe(0);
    expect(checked.rows).toBe(12);
    expect(checked.mismatches).toBe(0);
  }, 120_000);
});
