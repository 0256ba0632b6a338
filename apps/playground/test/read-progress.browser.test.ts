/**
 * A scan read as a stream in headless Chromium (Debian's package, driven by playwright-core): a 2,000,000-point
 * binary PLY (40 tiles of a ScanNet room, 38 MB) goes from the file input to the worker's `file.stream()`, and the
 * page's progress bar reports the bytes read, never going back, up to the file's size, with MB/s in its text;
 * then the scan is shown with every point.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { writePly } from '@pointclick/io';
import { readVotenetScene } from '@pointclick/io/node';
import { APP_DIRECTORY, buildAndServe, CHROMIUM_PATH, launchChromium } from './playground-fixtures.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenet = join(sharedData, 'scannet-votenet');
const artifacts = join(APP_DIRECTORY, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM_PATH);
const hasData = existsSync(join(votenet, 'scene0000_00_vert.npy'));
if (!hasChromium) console.warn(`read progress e2e: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
if (!hasData) console.warn(`read progress e2e: SKIPPED — ${votenet}/scene0000_00_vert.npy is missing (set POINTCLICK_SHARED_DATA)`);

const TILES = 40;

describe.skipIf(!hasChromium || !hasData)('playground: reading a large scan shows a progress bar', () => {
  let server: PreviewServer;
  let baseUrl: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // Its own build folder: other browser test files build the app at the same time.
    ({ server, baseUrl } = await buildAndServe('test-artifacts/read-progress-build'));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('streams a 2M-point binary PLY with monotone progress up to its size, MB/s shown, then shows every point', async () => {
    const room = await readVotenetScene(votenet, 'scene0000_00');
    const pointCount = room.pointCount * TILES;
    const positions = new Float32Array(pointCount * 3);
    const colors = new Uint8Array(pointCount * 3);
    for (let tile = 0; tile < TILES; tile++) {
      for (let index = 0; index < room.pointCount * 3; index++) {
        positions[tile * room.pointCount * 3 + index] = room.positions[index] + (index % 3 === 0 ? tile * 12 : 0);
        colors[tile * room.pointCount * 3 + index] = room.colors![index];
      }
    }
    const bytes = writePly({ pointCount, positions, colors });
    const path = join(artifacts, 'tiled-rooms.ply');
    writeFileSync(path, bytes);

    browser = await launchChromium(false);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}?scene=none&backend=cpu`);
    // Record every progress report the page shows, from the first one on.
    await page.evaluate(() => {
      const seen: { bytesRead: number; totalBytes: number; text: string }[] = [];
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid=read-progress]');
        const text = document.querySelector('[data-testid=read-progress-text]')?.textContent ?? '';
        if (bar) seen.push({ bytesRead: Number(bar.dataset.bytesRead), totalBytes: Number(bar.dataset.totalBytes), text });
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.setInputFiles('[data-testid=file-input]', path);
    await page.waitForFunction((expected) => document.body.dataset.scanPoints === String(expected), pointCount, { timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: { bytesRead: number; totalBytes: number; text: string }[] }).progressSeen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((report) => report.totalBytes === bytes.length)).toBe(true);
    for (let index = 1; index < seen.length; index++) expect(seen[index].bytesRead).toBeGreaterThanOrEqual(seen[index - 1].bytesRead);
    expect(seen[seen.length - 1].bytesRead).toBe(bytes.length);
    expect(seen[seen.length - 1].text).toMatch(/^Reading tiled-rooms\.ply: .* \(100 %\), [\d.]+ MB\/s/);
    // The overlay is gone once the scan is shown.
    expect(await page.locator('[data-testid=read-progress]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 240_000);
});
