/**
 * A real LAZ opened through the file input in headless Chromium (Debian's package, driven by playwright-core): the
 * worker reads it with `readPointCloudBlob`, header → chunk table → one LASzip chunk at a time through `Blob.slice`
 * (Topography.laz: LAS 1.2, point-wise compressed, two chunks, which a plain stream would collect whole). The scan
 * the page holds must equal what `readPointCloud` reads from the same bytes in Node — point count, positions,
 * classes and intensity at points spread over both chunks — and the progress bar must reach 100 %.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPointCloud } from '@pointclick/io';
import { CHROMIUM_PATH } from './playground-fixtures.js';
import { expectCompleteReadProgress, recordReadProgress } from './read-progress-recorder.js';
import { servePlayground } from './served-playground.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const fixture = join(sharedData, 'fixtures', 'Topography.laz');
const hasChromium = existsSync(CHROMIUM_PATH);
const hasData = existsSync(fixture);
if (!hasChromium) console.warn(`LAZ random access e2e: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
if (!hasData) console.warn(`LAZ random access e2e: SKIPPED — ${fixture} is missing (set POINTCLICK_SHARED_DATA)`);

/** What the test reads back from the page's open scan. */
interface ScanSample {
  pointCount: number;
  format: string;
  byteLength: number;
  positions: number[];
  semantic: number[] | undefined;
  intensity: number[] | undefined;
}

describe.skipIf(!hasChromium || !hasData)('playground: a LAZ file is read chunk by chunk through Blob.slice', () => {
  // Its own build folder: other browser test files build the app at the same time.
  const served = servePlayground('test-artifacts/laz-random-access-build');

  it('opens Topography.laz with the points, classes and intensity readPointCloud gives, progress up to 100 %', async () => {
    const bytes = readFileSync(fixture);
    const expected = await readPointCloud(bytes, { fileName: 'Topography.laz' });
    // First, last, both sides of the chunk boundary (LASzip chunks of 50,000 points), a few in between, and points of
    // every class the fixture has (1 unclassified, 2 ground at point 2, 9 water at points 26 and 63,452).
    const samples = [0, 1, 2, 26, 17_351, 49_999, 50_000, 50_001, 61_234, 63_452, expected.pointCount - 1];

    const { page, errors } = await served.openPage();
    await recordReadProgress(page);
    await page.setInputFiles('[data-testid=file-input]', fixture);
    await page.waitForFunction(() => document.body.dataset.scanPoints !== undefined || !document.getElementById('message')?.hidden, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => document.getElementById('message')?.hidden ? '' : document.getElementById('message')?.textContent)).toBe('');

    const scan = await page.evaluate((indices) => {
      type Open = { pointCount: number; format: string; byteLength: number; positions: Float32Array; semantic?: Int32Array; intensity?: Float32Array };
      const open = (window as unknown as { pointclickPlayground: { openScan?: Open } }).pointclickPlayground.openScan;
      if (!open) return undefined;
      return {
        pointCount: open.pointCount,
        format: open.format,
        byteLength: open.byteLength,
        positions: indices.flatMap((index) => [0, 1, 2].map((axis) => open.positions[index * 3 + axis])),
        semantic: open.semantic && indices.map((index) => open.semantic![index]),
        intensity: open.intensity && indices.map((index) => open.intensity![index]),
      };
    }, samples) satisfies ScanSample | undefined;
    expect(scan).toBeDefined();
    expect(scan!.pointCount).toBe(73_403);
    expect(scan!.pointCount).toBe(expected.pointCount);
    expect(scan!.format).toBe('laz');
    expect(scan!.byteLength).toBe(bytes.length);
    expect(scan!.positions).toEqual(samples.flatMap((index) => [0, 1, 2].map((axis) => expected.positions[index * 3 + axis])));
    expect(scan!.semantic).toEqual(samples.map((index) => expected.semantic![index]));
    expect(scan!.intensity).toEqual(samples.map((index) => expected.intensity![index]));
    // So the class comparison is not of one constant class.
    expect(new Set(samples.map((index) => expected.semantic![index]))).toEqual(new Set([1, 2, 9]));

    const seen = await expectCompleteReadProgress(page, 'Topography.laz', bytes.length);
    // Throughput and time left, as for every other format.
    expect(seen.at(-1)!.text).toMatch(/\(100 %\), [\d.]+ MB\/s, almost done$/);
    expect(errors).toEqual([]);
  }, 60_000);
});
