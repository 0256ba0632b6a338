/**
 * Streaming exports in headless Chromium (Debian's package, driven by playwright-core, wasm backend): a real ScanNet
 * room with its annotation imported is exported as LAS through the File System Access path (the save dialog answered
 * with a file in the origin-private file system, a real `FileSystemWritableFileStream`) in hundreds of chunks while
 * the page keeps answering, and as PLY through the Blob path; both read back with @pointclick/io to what the page
 * shows. A cancelled export and one whose writes fail leave the file empty (never a partial file) and the next
 * export works.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readLas, readPly } from '@pointclick/io';
import { APP_DIRECTORY, buildAndServe, launchChromium, openRoomWithGroundTruth, scanNetRoomTestSetup } from './playground-fixtures.js';

const { votenet, runnable } = scanNetRoomTestSetup('streaming export e2e');
const artifacts = join(APP_DIRECTORY, 'test-artifacts');

/** What the test's save dialog does, set on `window.exportDialog` by the init script and the test. */
interface ExportDialog {
  /** Files the dialog handed out, in order (names in the origin-private file system). */
  files: string[];
  /** When set, writes after this many chunks reject (a full disk, a revoked permission). */
  failAfterChunks?: number;
}

/**
 * Installs a `showSaveFilePicker` that answers with a new file in the origin-private file system: its
 * `createWritable()` is Chromium's own `FileSystemWritableFileStream`, which writes to a temporary file and replaces
 * the target only on `close()` — the same stream the real dialog's file gets.
 */
async function installSaveDialog(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const dialog: ExportDialog = { files: [] };
    (window as unknown as { exportDialog: ExportDialog }).exportDialog = dialog;
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
      const directory = await navigator.storage.getDirectory();
      const name = `${dialog.files.length}-${suggestedName}`;
      dialog.files.push(name);
      const handle = await directory.getFileHandle(name, { create: true });
      if (dialog.failAfterChunks === undefined) return handle;
      const failAfter = dialog.failAfterChunks;
      return {
        createWritable: async () => {
          const writable = await handle.createWritable();
          let writes = 0;
          return {
            write: (chunk: Uint8Array) => (++writes > failAfter ? Promise.reject(new DOMException('no space left on the test disk', 'QuotaExceededError')) : writable.write(chunk as Uint8Array<ArrayBuffer>)),
            close: () => writable.close(),
            abort: () => writable.abort(),
          };
        },
      };
    };
  });
}

/** Bytes of file `name` in the page's origin-private file system. */
async function readSavedFile(page: Page, name: string): Promise<Uint8Array> {
  const base64 = await page.evaluate(async (fileName) => {
    const file = await (await (await navigator.storage.getDirectory()).getFileHandle(fileName)).getFile();
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text = '';
    for (let start = 0; start < bytes.length; start += 0x8000) text += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
    return btoa(text);
  }, name);
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

const dataset = (page: Page) => page.evaluate(() => ({ ...document.body.dataset }));
const savedFiles = (page: Page) => page.evaluate(() => (window as unknown as { exportDialog: ExportDialog }).exportDialog.files);
const snapshotInstance = (page: Page) =>
  page.evaluate(() => (window as unknown as { pointclickPlayground: { labelSnapshot(): { instance: number[] } } }).pointclickPlayground.labelSnapshot().instance);
const setChunkBytes = (page: Page, chunkBytes: number) =>
  page.evaluate((bytes) => (window as unknown as { pointclickPlayground: { setExportChunkBytes(bytes: number): void } }).pointclickPlayground.setExportChunkBytes(bytes), chunkBytes);

describe.skipIf(!runnable)('playground: exports stream from the worker into the download', () => {
  /** The built app served by `vite preview` (its own build folder: other browser test files build at the same time). */
  let served: Awaited<ReturnType<typeof buildAndServe>> | undefined;
  const browsers: Browser[] = [];
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    served = await buildAndServe('test-artifacts/streaming-export-build');
  }, 180_000);
  afterAll(async () => {
    await Promise.all(browsers.map((browser) => browser.close()));
    await served?.server.close();
  });

  it('wasm: a ScanNet room’s LAS streams in chunks into the picked file while the page answers; PLY as a Blob; cancel and failure leave no file', async () => {
    browsers.push(await launchChromium(false));
    const page = await browsers[0].newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await installSaveDialog(page);
    const room = await openRoomWithGroundTruth(page, `${served!.baseUrl}?scene=none&backend=wasm${served!.modelQuery}`, votenet, 'scene0000_00');
    const shown = await snapshotInstance(page);
    expect(shown).toEqual(Array.from(room.instance!));

    // LAS through the save dialog, 8 KiB chunks: 50,000 records of 40 bytes (format 7 + int32 instance) = 247 chunks.
    const chunkBytes = 8192;
    await setChunkBytes(page, chunkBytes);
    await page.selectOption('[data-testid=export-format]', 'las');
    await page.click('[data-testid=export-as]');
    // Poll the page while the export runs: each answer is the page's main thread answering mid-export.
    const midExport: { chunks: number; milliseconds: number }[] = [];
    for (let state = 'opening'; state === 'opening' || state === 'running'; ) {
      const asked = performance.now();
      const answer = await dataset(page);
      state = answer.exportState ?? 'opening';
      const chunks = Number(answer.exportChunksWritten ?? 0);
      if (state === 'running' && chunks > 0) midExport.push({ chunks, milliseconds: performance.now() - asked });
    }
    const afterLas = await dataset(page);
    expect(afterLas.exportState).toBe('done');
    expect(afterLas.exportSink).toBe('file');
    const recordsPerChunk = Math.floor(chunkBytes / 40);
    expect(Number(afterLas.exportChunksWritten)).toBe(1 + Math.ceil(50_000 / recordsPerChunk));
    console.log(`streaming export: LAS in ${afterLas.exportChunksWritten} chunks (${afterLas.exportByteLength} bytes); the page answered ${midExport.length} times mid-export, slowest ${Math.max(...midExport.map((entry) => entry.milliseconds)).toFixed(0)} ms`);
    expect(midExport.length, 'the page answered while chunks were being written').toBeGreaterThanOrEqual(2);
    expect(midExport.some((entry) => entry.chunks < Number(afterLas.exportChunksWritten))).toBe(true);
    expect(Math.max(...midExport.map((entry) => entry.milliseconds))).toBeLessThan(2000);
    const [lasName] = await savedFiles(page);
    const lasBytes = await readSavedFile(page, lasName);
    expect(lasBytes.length).toBe(Number(afterLas.exportByteLength));
    const las = await readLas(lasBytes, { fileName: lasName });
    expect(Array.from(las.instance!)).toEqual(shown);
    // One class per object, as the page lists them.
    const semanticOf = new Map<number, number>();
    las.instance!.forEach((objectId, point) => {
      if (objectId > 0) expect(semanticOf.get(objectId) ?? las.semantic![point], `object ${objectId}`).toBe(las.semantic![point]);
      semanticOf.set(objectId, las.semantic![point]);
    });
    for (let point = 0; point < 50_000; point += 997) {
      for (let axis = 0; axis < 3; axis++) expect(Math.abs(las.positions[point * 3 + axis] + las.metadata.origin[axis] - room.positions[point * 3 + axis])).toBeLessThan(1e-3);
    }

    // Cancel: 1 KiB chunks (≈ 2,000), cancelled after a few; the picked file stays empty and the worker stops.
    await setChunkBytes(page, 1024);
    await page.click('[data-testid=export-as]');
    await page.waitForFunction(() => Number(document.body.dataset.exportChunksWritten ?? 0) >= 5 && document.body.dataset.exportState === 'running', undefined, { timeout: 30_000 });
    await page.click('[data-testid=export-cancel]');
    await page.waitForFunction(() => document.body.dataset.exportState === 'cancelled', undefined, { timeout: 10_000 });
    const cancelledAt = Number((await dataset(page)).exportChunksWritten);
    expect(cancelledAt).toBeLessThan(2000);
    const cancelledName = (await savedFiles(page))[1];
    expect((await readSavedFile(page, cancelledName)).length, 'a cancelled export leaves the picked file empty').toBe(0);
    expect(await page.textContent('[data-testid=message]')).toMatch(/cancelled; nothing was saved/);

    // A write that fails (after 3 chunks): the export fails with the reason, the file stays empty.
    await page.evaluate(() => ((window as unknown as { exportDialog: ExportDialog }).exportDialog.failAfterChunks = 3));
    await page.click('[data-testid=export-as]');
    await page.waitForFunction(() => document.body.dataset.exportState === 'failed', undefined, { timeout: 30_000 });
    expect(await page.textContent('[data-testid=message]')).toMatch(/Export failed: writing .*no space left/);
    expect((await readSavedFile(page, (await savedFiles(page))[2])).length).toBe(0);
    await page.evaluate(() => delete (window as unknown as { exportDialog: ExportDialog }).exportDialog.failAfterChunks);

    // PLY without the File System Access API: chunks become Blob parts and one download, equal to the page's labels.
    await page.evaluate(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await setChunkBytes(page, 64 * 1024);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=export-ply]')]);
    const plyPath = join(artifacts, 'streaming-export.ply');
    await download.saveAs(plyPath);
    const afterPly = await dataset(page);
    expect(afterPly.exportSink).toBe('blob');
    expect(afterPly.exportState).toBe('done');
    expect(Number(afterPly.exportChunksWritten)).toBe(1 + Math.ceil(50_000 / Math.floor((64 * 1024) / 23)));
    const ply = await readPly(new Uint8Array(readFileSync(plyPath)), { fileName: plyPath });
    expect(Array.from(ply.instance!)).toEqual(shown);
    expect(ply.positions).toEqual(room.positions);
    expect(errors).toEqual([]);
  }, 180_000);
});
