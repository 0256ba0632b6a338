/**
 * Clicks on the view are never lost silently (headless Chromium, wasm, SwiftShader WebGL; issue 18): a click on
 * the empty page and a click beside the scan's points are answered with the reason they marked nothing, and a
 * click that comes before the view it was aimed at is drawn (animation frames held back, as on a busy main
 * thread: the level-of-detail nodes for the new camera are not drawn yet) waits for that frame and then picks the
 * point under the cursor, instead of picking an empty scene. The scan: a real ScanNet room (scene0000_00) tiled
 * 2 × 2 (200,000 points) with a 100,000-point budget, so it is drawn level of detail. Slow tier (a browser test).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { buildAndServe, CHROMIUM_PATH, launchChromium } from './playground-fixtures.js';
import { writeTiledScan, type TiledScan } from './tiled-scan-fixture.js';
import { furnitureTargets, openPlaygroundPage, type Hook } from './large-scan-session.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const scene = join(sharedData, 'scannet-votenet', 'scene0000_00');
const hasChromium = existsSync(CHROMIUM_PATH);
const hasData = existsSync(`${scene}_vert.npy`) && existsSync(`${scene}_ins_label.npy`);
if (!hasChromium) console.warn(`view-clicks browser test: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium libvulkan1)`);
if (!hasData) console.warn(`view-clicks browser test: SKIPPED — ${scene}_vert.npy is missing (../shared/data is absent; set POINTCLICK_SHARED_DATA)`);

const ROOM_POINTS = 50_000;
const POINT_BUDGET = 100_000;

type Dataset = Record<string, string | undefined>;
const readDataset = (page: Page): Promise<Dataset> => page.evaluate(() => ({ ...document.body.dataset }));
const messageText = (page: Page): Promise<string> => page.evaluate(() => (document.getElementById('message')?.hidden ? '' : (document.getElementById('message')?.textContent ?? '')));

/** Holds the page's animation frames back (no frame is drawn) until `releaseAnimationFrames`. */
function holdAnimationFrames(page: Page): Promise<void> {
  return page.evaluate(() => {
    const held: FrameRequestCallback[] = [];
    const original = window.requestAnimationFrame.bind(window);
    Object.assign(window, { heldAnimationFrames: { held, original } });
    window.requestAnimationFrame = (callback) => held.push(callback);
  });
}

function releaseAnimationFrames(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { held, original } = (window as unknown as { heldAnimationFrames: { held: FrameRequestCallback[]; original: typeof requestAnimationFrame } }).heldAnimationFrames;
    window.requestAnimationFrame = original;
    const count = held.length;
    for (const callback of held.splice(0)) original(callback);
    return count;
  });
}

describe.skipIf(!hasChromium || !hasData)('clicks on the view in headless Chromium', () => {
  let served: { server: PreviewServer; browser?: Browser; scan?: TiledScan } | undefined;
  afterAll(async () => {
    await served?.browser?.close();
    await served?.server.close();
    if (served?.scan) rmSync(served.scan.path, { force: true });
  });

  it('says why a click marked nothing, and picks a click made before its view was drawn once it is', async () => {
    // Its own build folder, so it can run beside the other browser tests.
    const { server, baseUrl, modelQuery } = await buildAndServe('test-artifacts/view-clicks-build');
    served = { server };
    const scan = writeTiledScan(scene, 4, { name: 'pointclick-view-clicks-test' });
    served.scan = scan;
    const browser = await launchChromium(false);
    served.browser = browser;
    const { page, errors } = await openPlaygroundPage(browser, baseUrl, `budget=${POINT_BUDGET}${modelQuery}`);
    const canvas = page.locator('[data-testid=viewport] canvas[data-engine]');
    const canvasBox = (await canvas.boundingBox())!;

    // No scan yet: the click is answered, not dropped.
    await page.mouse.click(canvasBox.x + canvasBox.width / 2, canvasBox.y + canvasBox.height / 2);
    expect((await readDataset(page)).lastClickOutcome).toBe('no-scan');
    expect(await messageText(page)).toMatch(/open a scan/i);

    // The scan opens while no animation frame runs: nothing of it is drawn yet.
    await holdAnimationFrames(page);
    await page.setInputFiles('[data-testid=file-input]', scan.path);
    await page.waitForFunction((count) => document.body.dataset.scanPoints === String(count), scan.pointCount, { timeout: 60_000 });
    expect((await readDataset(page)).levelOfDetail).toBe('on');
    // Aimed at a furniture object of tile 0, seen from above — a view not drawn yet either.
    const [target] = furnitureTargets(scan, 1);
    const targetPoint = scan.pointOf(0, target.roomPoint);
    await page.evaluate((box) => (window as unknown as Hook).pointclickPlayground.setView('top', box), scan.tileBox(0, 0));
    const aimed = (await page.evaluate((id) => (window as unknown as Hook).pointclickPlayground.projectPoint(id), targetPoint))!;
    // Projected through the camera as it is now, not as the last frame left it: on the canvas, where the first
    // frame of the new view draws it (the old page projected through a half-updated camera, off the canvas here).
    expect(aimed[0]).toBeGreaterThan(canvasBox.x);
    expect(aimed[0]).toBeLessThan(canvasBox.x + canvasBox.width);
    expect(aimed[1]).toBeGreaterThan(canvasBox.y);
    expect(aimed[1]).toBeLessThan(canvasBox.y + canvasBox.height);
    await page.mouse.click(aimed[0], aimed[1]);
    // The click waits for the frame: picking now would see an empty scene (the old page picked -1 and dropped it).
    const waiting = await readDataset(page);
    expect(waiting.lastClickOutcome).toBe('waiting');
    expect(waiting.lastPick).toBeUndefined();
    expect(await releaseAnimationFrames(page)).toBeGreaterThan(0);
    await page.waitForFunction(() => document.body.dataset.lastClickOutcome !== 'waiting', undefined, { timeout: 60_000 });
    const taken = await readDataset(page);
    expect(taken.lastClickOutcome).toBe('picked');
    const picked = Number(taken.lastPick);
    // A point of tile 0 drawn where the cursor was (6 device pixels of pick radius, a 2-pixel disc).
    expect(Math.floor(picked / ROOM_POINTS), `picked point ${picked} is in tile 0`).toBe(0);
    const drawnAt = (await page.evaluate((id) => (window as unknown as Hook).pointclickPlayground.projectPoint(id), picked))!;
    expect(Math.hypot(drawnAt[0] - aimed[0], drawnAt[1] - aimed[1])).toBeLessThanOrEqual(8);
    // The target projects where it was aimed at, now that the frame is drawn.
    const targetDrawnAt = (await page.evaluate((id) => (window as unknown as Hook).pointclickPlayground.projectPoint(id), targetPoint))!;
    expect(Math.hypot(targetDrawnAt[0] - aimed[0], targetDrawnAt[1] - aimed[1])).toBeLessThan(0.5);
    expect(await page.evaluate(() => (window as unknown as { pointclickPlayground: { state: { clicks: { pointIndex: number }[] } } }).pointclickPlayground.state.clicks.map((click) => click.pointIndex))).toEqual([picked]);

    // Beside the scan (a corner of the whole scan's top view): no point there, and the page says so.
    await page.keyboard.press('t');
    await page.waitForFunction(() => document.body.dataset.drawnPoints !== undefined && Number(document.body.dataset.drawnPoints) > 0);
    await page.mouse.click(canvasBox.x + 4, canvasBox.y + canvasBox.height - 4);
    await page.waitForFunction(() => document.body.dataset.lastClickOutcome !== 'picked', undefined, { timeout: 30_000 });
    const missed = await readDataset(page);
    expect(missed.lastClickOutcome).toBe('no-point');
    expect(missed.lastPick).toBe('-1');
    expect(await messageText(page)).toMatch(/no point/i);
    // Nothing was recorded for it.
    expect(await page.evaluate(() => (window as unknown as { pointclickPlayground: { state: { clicks: unknown[] } } }).pointclickPlayground.state.clicks.length)).toBe(1);
    expect(errors).toEqual([]);
  }, 240_000);
});
