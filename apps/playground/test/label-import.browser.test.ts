/**
 * Import labels → correct with a click → export → read back, in headless Chromium (Debian's package, driven by
 * playwright-core, wasm backend): a ScanNet room's ground-truth annotation (aggregation + segs) becomes the page's
 * objects, a click on a new object takes points over, and the LAS, LAZ and ScanNet exports read back with @pointclick/io
 * to exactly what the page shows.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { unzipSync, strFromU8 } from 'fflate';
import { parseScannetLabelTable, readLas, NYU40_CLASS_NAMES } from '@pointclick/io';
import { parseScannetScene } from '@pointclick/io/node';
import { APP_DIRECTORY, buildAndServe, launchChromium, openRoomWithGroundTruth, useBlobDownloads, scanNetRoomTestSetup } from './playground-fixtures.js';

const { votenet, runnable } = scanNetRoomTestSetup('label import e2e');
const artifacts = join(APP_DIRECTORY, 'test-artifacts');

interface Snapshot {
  instance: number[];
  objects: { objectId: number; className: string; pointCount: number }[];
}

const snapshot = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => (window as unknown as { pointclickPlayground: { labelSnapshot(): Snapshot } }).pointclickPlayground.labelSnapshot());

async function download(page: Page, format: string, fileName: string): Promise<Buffer> {
  await page.selectOption('[data-testid=export-format]', format);
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=export-as]')]);
  const path = join(artifacts, fileName);
  await file.saveAs(path);
  return readFileSync(path);
}

/** Points per object id (0 left out). */
function countObjects(instance: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let point = 0; point < instance.length; point++) if (instance[point] > 0) counts.set(instance[point], (counts.get(instance[point]) ?? 0) + 1);
  return counts;
}

describe.skipIf(!runnable)('playground: import labels, correct them, export them', () => {
  let server: PreviewServer;
  let baseUrl: string;
  let modelQuery = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // Its own build folder: the other browser test file builds the app at the same time.
    ({ server, baseUrl, modelQuery } = await buildAndServe('test-artifacts/label-import-build'));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('wasm: ScanNet annotation in, a click on a new object, LAS, LAZ and ScanNet out equal to the page', async () => {
    const labelTable = parseScannetLabelTable(readFileSync(join(votenet, 'scannetv2-labels.combined.tsv'), 'utf8'));
    browser = await launchChromium(false);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await useBlobDownloads(page);
    // The ground truth as a ScanNet annotation with NYU40 class names as labels.
    const room = await openRoomWithGroundTruth(page, `${baseUrl}?scene=none&backend=wasm${modelQuery}`, votenet, 'scene0000_00');
    const imported = await snapshot(page);
    // The page shows the annotation as it is: every point's object, every object's class.
    expect(imported.instance).toEqual(Array.from(room.instance!));
    const truthCounts = countObjects(room.instance!);
    expect(imported.objects.map((object) => [object.objectId, object.pointCount])).toEqual([...truthCounts].sort((left, right) => left[0] - right[0]));
    for (const object of imported.objects) {
      const point = room.instance!.indexOf(object.objectId);
      expect(object.className.replace(/[\s_-]+/g, ' '), `class of object ${object.objectId}`).toBe(NYU40_CLASS_NAMES[room.semantic![point]]);
    }
    expect(await page.locator('[data-testid=object-row]').count()).toBe(truthCounts.size);

    // Correct with a click: a new object on the topmost point of the largest furniture object.
    const furniture = [...truthCounts].filter(([objectId]) => !['wall', 'floor', 'ceiling'].includes(NYU40_CLASS_NAMES[room.semantic![room.instance!.indexOf(objectId)]]));
    const [targetId] = furniture.sort((left, right) => right[1] - left[1])[0];
    let target = -1;
    room.instance!.forEach((objectId, point) => {
      if (objectId === targetId && (target < 0 || room.positions[point * 3 + 2] > room.positions[target * 3 + 2])) target = point;
    });
    await page.keyboard.press('t');
    await page.keyboard.press('n');
    const newObjectId = Math.max(...truthCounts.keys()) + 1;
    const position = await page.evaluate((index) => (window as unknown as { pointclickPlayground: { projectPoint(index: number): [number, number] | undefined } }).pointclickPlayground.projectPoint(index), target);
    expect(position).toBeDefined();
    await page.mouse.click(position![0], position![1]);
    await page.waitForFunction(() => Number(document.body.dataset.segmentationRuns ?? 0) >= 1 && document.body.dataset.busy === 'false', undefined, { timeout: 120_000 });
    const edited = await snapshot(page);
    const newCount = edited.instance.filter((objectId) => objectId === newObjectId).length;
    expect(newCount, 'the new object has points').toBeGreaterThan(0);
    // Its points were taken from the imported layer; every other point kept its imported object.
    edited.instance.forEach((objectId, point) => {
      if (objectId !== newObjectId && objectId !== imported.instance[point]) throw new Error(`point ${point}: ${imported.instance[point]} became ${objectId}`);
    });
    expect(edited.objects.find((object) => object.objectId === newObjectId)?.pointCount).toBe(newCount);
    await page.screenshot({ path: join(artifacts, 'label-import-edited.png') });

    // LAS out: instance (extra bytes) is exactly the page's; classification is one class per object, as listed.
    const las = await readLas(new Uint8Array(await download(page, 'las', 'label-import-export.las')));
    expect(Array.from(las.instance!)).toEqual(edited.instance);
    expect(las.attributes?.instance).toBeUndefined();
    const semanticOf = new Map<number, number>();
    las.instance!.forEach((objectId, point) => {
      if (objectId === 0) return;
      expect(semanticOf.get(objectId) ?? las.semantic![point]).toBe(las.semantic![point]);
      semanticOf.set(objectId, las.semantic![point]);
    });
    const classOf = new Map(edited.objects.map((object) => [object.objectId, object.className]));
    for (const [objectId, semantic] of semanticOf) {
      for (const [otherId, otherSemantic] of semanticOf) expect(semantic === otherSemantic, `objects ${objectId}, ${otherId}`).toBe(classOf.get(objectId) === classOf.get(otherId));
    }

    // LAZ out: the same records, LASzip-compressed by the worker, read back here through laz-perf.
    const laz = await readLas(new Uint8Array(await download(page, 'laz', 'label-import-export.laz')));
    expect(laz.metadata.format).toBe('laz');
    expect(Array.from(laz.instance!)).toEqual(edited.instance);
    expect(Array.from(laz.semantic!)).toEqual(Array.from(las.semantic!));

    // ScanNet out: read back by the ScanNet reader to the page's objects, each group labelled with its class.
    const archive = unzipSync(new Uint8Array(await download(page, 'scannet', 'label-import-export-scannet.zip')));
    const aggregation = strFromU8(archive['scene0000_00_vert.aggregation.json']);
    const segments = strFromU8(archive['scene0000_00_vert_vh_clean_2.0.010000.segs.json']);
    const back = parseScannetScene({ vertices: room, aggregation, segments, labelTable });
    expect(Array.from(back.instance!)).toEqual(edited.instance);
    const groups = (JSON.parse(aggregation) as { segGroups: { objectId: number; label: string }[] }).segGroups;
    expect(groups.map((group) => [group.objectId + 1, group.label])).toEqual(edited.objects.filter((object) => object.pointCount > 0).map((object) => [object.objectId, object.className]));
    expect(errors).toEqual([]);
  }, 300_000);
});
