/**
 * The class list of a segmented object in headless Chromium (Debian's package, driven by playwright-core):
 * ordered by the model's probabilities with the top three marked, and the class the person picks is the one
 * the labels export writes.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { readNpy } from '@pointclick/io';
import { APP_DIRECTORY, buildAndServe, CHROMIUM_PATH, launchChromium, useBlobDownloads } from './playground-fixtures.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const scanPath = join(sharedData, 'scannet-votenet', 'scene0000_00_vert.npy');
const artifacts = join(APP_DIRECTORY, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM_PATH);
const hasData = existsSync(scanPath);
if (!hasChromium) console.warn(`playground class list: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
if (!hasData) console.warn(`playground class list: SKIPPED — ${scanPath} is missing (../shared/data is absent; set POINTCLICK_SHARED_DATA)`);

interface ListedOption {
  value: number;
  text: string;
  probability: number;
  topRank?: number;
  selected: boolean;
}

async function classOptions(page: Page): Promise<ListedOption[]> {
  return page.$$eval('[data-testid=object-row] select option', (options) =>
    options.map((option) => ({
      value: Number((option as HTMLOptionElement).value),
      text: option.textContent ?? '',
      probability: Number((option as HTMLOptionElement).dataset.probability),
      topRank: (option as HTMLOptionElement).dataset.topRank ? Number((option as HTMLOptionElement).dataset.topRank) : undefined,
      selected: (option as HTMLOptionElement).selected,
    })),
  );
}

/** Checks the list follows the probabilities: descending, summing to 1, the first three marked ★ 1–3. */
function expectOrderedByProbability(options: readonly ListedOption[]): void {
  expect(options.length).toBeGreaterThan(3);
  for (let index = 1; index < options.length; index++) expect(options[index].probability).toBeLessThanOrEqual(options[index - 1].probability);
  expect(options.reduce((sum, option) => sum + option.probability, 0)).toBeCloseTo(1, 3);
  expect(options.map((option) => option.topRank)).toEqual([1, 2, 3, ...Array.from({ length: options.length - 3 }, () => undefined)]);
  options.forEach((option) => expect(option.text.startsWith('★ ')).toBe(option.topRank !== undefined));
}

describe.skipIf(!hasChromium || !hasData)('playground class list in headless Chromium', () => {
  let server: PreviewServer;
  let baseUrl: string;
  let modelQuery = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    ({ server, baseUrl, modelQuery } = await buildAndServe());
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('orders an object’s classes by probability, marks the top three, and exports the class the person picked', async () => {
    browser = await launchChromium(false);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await useBlobDownloads(page);
    await page.goto(`${baseUrl}?scene=none&backend=wasm${modelQuery}`);
    await page.waitForFunction(() => document.body.dataset.model === 'ready' || document.body.dataset.model === 'failed', undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.model)).toBe('ready');

    // The highest point of the scan, seen from the top view, is certainly under the cursor.
    const vertices = readNpy(readFileSync(scanPath));
    const data = vertices.data as Float32Array;
    let highest = 0;
    for (let point = 1; point < vertices.shape[0]; point++) if (data[point * 6 + 2] > data[highest * 6 + 2]) highest = point;
    await page.setInputFiles('[data-testid=file-input]', scanPath);
    await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), vertices.shape[0], { timeout: 60_000 });
    await page.keyboard.press('t');
    const position = await page.evaluate((index) => (window as unknown as { pointclickPlayground: { projectPoint(index: number): [number, number] | undefined } }).pointclickPlayground.projectPoint(index), highest);
    expect(position).toBeDefined();
    await page.mouse.click(position![0], position![1]);
    await page.waitForFunction(() => Number(document.body.dataset.segmentationRuns ?? 0) >= 1 && document.body.dataset.busy === 'false', undefined, { timeout: 90_000 });
    await page.waitForSelector('[data-testid=object-row] select option[data-top-rank="1"]', { state: 'attached', timeout: 30_000 });

    const predicted = await classOptions(page);
    expectOrderedByProbability(predicted);
    // The model's first choice is the class in force until the person picks another.
    expect(predicted[0].selected).toBe(true);
    const rowClass = () => page.$eval('[data-testid=object-row]', (row) => (row as HTMLElement).dataset.className);
    expect(await rowClass()).toBe(predicted[0].text.replace(/^★ /, '').replace(/ · .*$/, ''));

    // The person picks the model's second choice: it is selected, the order stays the model's.
    const second = predicted[1];
    await page.selectOption('[data-testid=object-row] select', String(second.value));
    await page.waitForFunction((value) => document.querySelector<HTMLSelectElement>('[data-testid=object-row] select')?.value === String(value), second.value);
    const picked = await classOptions(page);
    expect(picked.map((option) => option.value)).toEqual(predicted.map((option) => option.value));
    expect(picked.find((option) => option.selected)?.value).toBe(second.value);
    const secondName = second.text.replace(/^★ /, '').replace(/ · .*$/, '');
    expect(await rowClass()).toBe(secondName);
    await page.screenshot({ path: join(artifacts, 'class-list-picked.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-labels]')]);
    const labelsPath = join(artifacts, 'class-list-labels.json');
    await download.saveAs(labelsPath);
    const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as { objects: Array<{ objectId: number; semanticId: number; className: string }> };
    expect(labels.objects).toEqual([expect.objectContaining({ objectId: 1, semanticId: second.value + 1, className: secondName })]);
    expect(errors).toEqual([]);
  }, 240_000);
});
