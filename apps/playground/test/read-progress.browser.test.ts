/**
 * A scan read as a stream in headless Chromium (Debian's package, driven by playwright-core): a 2,000,000-point
 * binary PLY (40 tiles of a ScanNet room, 38 MB) goes from the file input to the worker, which reads it from
 * `file.stream()`, and the page's progress bar reports the bytes read, never going back, up to the file's size, with
 * MB/s in its text; then the scan is shown with every point.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePly } from '@pointclick/io';
import { readVotenetScene } from '@pointclick/io/node';
import { APP_DIRECTORY, CHROMIUM_PATH } from './playground-fixtures.js';
import { expectCompleteReadProgress, recordReadProgress } from './read-progress-recorder.js';
import { servePlayground } from './served-playground.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenet = join(sharedData, 'scannet-votenet');
const artifacts = join(APP_DIRECTORY, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM_PATH);
const hasData = existsSync(join(votenet, 'scene0000_00_vert.npy'));
if (!hasChromium) console.warn(`read progress e2e: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
if (!hasData) console.warn(`read progress e2e: SKIPPED — ${votenet}/scene0000_00_vert.npy is missing (set POINTCLICK_SHARED_DATA)`);

const TILES = 40;

describe.skipIf(!hasChromium || !hasData)('playground: reading a large scan shows a progress bar', () => {
  // Its own build folder: other browser test files build the app at the same time.
  const served = servePlayground('test-artifacts/read-progress-build');

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
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

    const { page, errors } = await served.openPage();
    // Record every progress report the page shows, from the first one on.
    await recordReadProgress(page);
    await page.setInputFiles('[data-testid=file-input]', path);
    await page.waitForFunction((expected) => document.body.dataset.scanPoints === String(expected), pointCount, { timeout: 120_000 });
    const seen = await expectCompleteReadProgress(page, 'tiled-rooms.ply', bytes.length);
    expect(seen.at(-1)!.text).toMatch(/\(100 %\), [\d.]+ MB\/s/);
    // The overlay is gone once the scan is shown.
    expect(await page.locator('[data-testid=read-progress]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 240_000);
});
