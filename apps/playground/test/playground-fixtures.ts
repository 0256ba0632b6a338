import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { TINY_CONFIG, type PointTransformerV3Config } from '@pointclick/ptv3';
import { NYU40_CLASS_NAMES, readNpy, writePly, writeScanNetAnnotation, type PointCloud } from '@pointclick/io';
import { readVotenetScene } from '@pointclick/io/node';
import { InteractiveSegmentationModel, serializeCheckpoint, type SegmenterConfig } from '@pointclick/segmenter';

/** Class names of the test checkpoint. */
export const TEST_CLASS_NAMES = ['wall', 'floor', 'chair', 'table', 'sofa', 'bed'];

/**
 * Writes an untrained checkpoint of the trainer's 'tiny' size to `directory` (model.json + weights.bin), for
 * running the page before `models/default` exists. Its object threshold is 0, so every point goes to the
 * likeliest click group and both clicked objects get a non-empty mask whatever the random weights say:
 * the test checks the page's plumbing (worker, masks, export), not the model's accuracy.
 */
export async function writeTinyCheckpoint(directory: string): Promise<void> {
  await initializeBackend({ preferred: 'cpu', strict: true });
  const backbone: PointTransformerV3Config = { ...TINY_CONFIG, orders: [...TINY_CONFIG.orders], gridSize: 0.05, seed: 3 };
  const config: SegmenterConfig = {
    backbone,
    decoder: {
      levelChannels: [16, 16, 8],
      width: 16,
      headCount: 2,
      feedForwardChannels: 32,
      prototypeChannels: 16,
      fourierFeatureCount: 8,
      maxAttentionKeys: 256,
      prototypeCount: TEST_CLASS_NAMES.length,
      seed: 4,
    },
    classNames: [...TEST_CLASS_NAMES],
    maxClicks: 20,
    clickTolerance: 0.1,
    objectThreshold: 0,
  };
  const model = new InteractiveSegmentationModel(config);
  try {
    const { document, weights } = serializeCheckpoint(model, { metadata: { purpose: 'playground end-to-end test (untrained)' } });
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'model.json'), JSON.stringify(document));
    writeFileSync(join(directory, 'weights.bin'), weights);
  } finally {
    model.dispose();
  }
  if (tf.memory().numTensors !== 0) throw new Error(`writeTinyCheckpoint leaked ${tf.memory().numTensors} tensors`);
}

/** The app's directory. */
export const APP_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
/** The repository root. */
export const REPOSITORY_ROOT = resolve(APP_DIRECTORY, '../..');
/** Debian's Chromium (override with POINTCLICK_CHROMIUM). */
export const CHROMIUM_PATH = process.env.POINTCLICK_CHROMIUM ?? '/usr/bin/chromium';
/** Flags every headless run needs on this machine. */
export const BASE_ARGUMENTS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu-sandbox'];

/**
 * Builds the app with Vite and serves it with `vite preview` on a free port. Without `models/default`, an
 * untrained tiny checkpoint is written to a temporary directory and served at /models/custom/; `modelQuery` is
 * the query-string part that points the page at it ('' when the default model is used).
 */
export async function buildAndServe(
  /** Build folder, relative to the app (default Vite's `dist`); browser test files that run in parallel each need their own. */
  outDirectory = 'dist',
): Promise<{ server: PreviewServer; baseUrl: string; modelQuery: string; modelDirectory: string }> {
  let modelQuery = '';
  let modelDirectory = join(REPOSITORY_ROOT, 'models', 'default');
  if (!existsSync(join(modelDirectory, 'model.json'))) {
    modelDirectory = join(tmpdir(), 'pointclick-playground-test-model');
    await writeTinyCheckpoint(modelDirectory);
    // Read by vite.config.ts: served (never copied) at /models/custom/.
    process.env.POINTCLICK_MODEL_DIR = modelDirectory;
    modelQuery = '&model=models/custom/model.json';
    console.warn('playground: models/default is absent; using an untrained tiny checkpoint');
  }
  const vite = await import('vite');
  const configFile = join(APP_DIRECTORY, 'vite.config.ts');
  const build = { outDir: outDirectory, emptyOutDir: true };
  await vite.build({ configFile, root: APP_DIRECTORY, logLevel: 'warn', build });
  const server = await vite.preview({ configFile, root: APP_DIRECTORY, logLevel: 'warn', build, preview: { port: 0, host: '127.0.0.1' } });
  return { server, baseUrl: server.resolvedUrls!.local[0], modelQuery, modelDirectory };
}

/** Launches headless Chromium (with SwiftShader WebGPU when `webgpu`). */
export async function launchChromium(webgpu: boolean): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // Long SwiftShader WebGPU work blocks the GPU process; with the watchdog on, Chromium resets it sooner.
  const webgpuArguments = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-gpu-watchdog'];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: webgpu ? [...BASE_ARGUMENTS, ...webgpuArguments] : BASE_ARGUMENTS });
}

/** A ScanNet room as a test hands it to the page. */
export interface ScanFixture {
  /** File handed to the page. */
  path: string;
  cloud: PointCloud;
  /** Ground-truth instance per point. */
  instance: Int32Array;
  semantic: Int32Array;
}

/**
 * A ScanNet room of scannet-votenet (`scene` is the path prefix, `…/scene0000_00`) as the page will read it, with
 * its labels; `stride` > 1 keeps every stride-th point, written as PLY to the temporary directory.
 */
export function loadScanNetFixture(scene: string, stride: number): ScanFixture {
  const vertices = readNpy(readFileSync(`${scene}_vert.npy`));
  const instanceAll = Int32Array.from(readNpy(readFileSync(`${scene}_ins_label.npy`)).data as Uint32Array);
  const semanticAll = Int32Array.from(readNpy(readFileSync(`${scene}_sem_label.npy`)).data as Uint32Array);
  const data = vertices.data as Float32Array;
  const pointCount = Math.ceil(vertices.shape[0] / stride);
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const source = point * stride;
    for (let axis = 0; axis < 3; axis++) {
      positions[point * 3 + axis] = data[source * 6 + axis];
      colors[point * 3 + axis] = data[source * 6 + 3 + axis];
    }
    instance[point] = instanceAll[source];
    semantic[point] = semanticAll[source];
  }
  const cloud: PointCloud = { pointCount, positions, colors };
  if (stride === 1) return { path: `${scene}_vert.npy`, cloud, instance, semantic };
  const path = join(tmpdir(), `pointclick-playground-${basename(scene)}-every-${stride}.ply`);
  writeFileSync(path, writePly(cloud));
  return { path, cloud, instance, semantic };
}

/**
 * Makes exports of `page` arrive as Blob downloads (Playwright's `download` event): headless Chromium has
 * `showSaveFilePicker` but closes its dialog at once, as a user cancelling it would, so a page that keeps it never
 * downloads. Call before `page.goto`.
 */
export async function useBlobDownloads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
}

/**
 * Opens the page at `url` (wasm backend, no default scene), waits for the model, reads `<scene>_vert.npy` of the
 * VoteNet folder `votenet` and imports its ground truth as a ScanNet aggregation + segs pair with NYU40 class names.
 * Returns the room as `@pointclick/io` reads it.
 */
export async function openRoomWithGroundTruth(page: Page, url: string, votenet: string, sceneId: string): Promise<PointCloud> {
  const room = await readVotenetScene(votenet, sceneId);
  const classNames = Object.fromEntries(NYU40_CLASS_NAMES.map((name, id) => [id, name]));
  const annotation = writeScanNetAnnotation({ sceneId, instance: room.instance!, semantic: room.semantic!, classNames });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.model === 'ready', undefined, { timeout: 60_000 });
  await page.setInputFiles('[data-testid=file-input]', join(votenet, `${sceneId}_vert.npy`));
  await page.waitForFunction((pointCount) => document.body.dataset.scanPoints === String(pointCount), room.pointCount, { timeout: 60_000 });
  await page.setInputFiles('[data-testid=import-labels-input]', [
    { name: `${sceneId}.aggregation.json`, mimeType: 'application/json', buffer: Buffer.from(annotation.aggregation) },
    { name: `${sceneId}_vh_clean_2.0.010000.segs.json`, mimeType: 'application/json', buffer: Buffer.from(annotation.segments) },
  ]);
  await page.waitForFunction(() => document.body.dataset.importedObjects !== undefined, undefined, { timeout: 30_000 });
  return room;
}

/**
 * The shared data's VoteNet ScanNet folder, and whether a browser test on its scene0000_00 can run here: Chromium and
 * the room present. When not, says which is missing, naming `testName`, so the skip is visible.
 */
export function scanNetRoomTestSetup(testName: string): { votenet: string; runnable: boolean } {
  const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
  const votenet = join(sharedData, 'scannet-votenet');
  const hasChromium = existsSync(CHROMIUM_PATH);
  const hasData = existsSync(join(votenet, 'scene0000_00_vert.npy'));
  if (!hasChromium) console.warn(`${testName}: SKIPPED — ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
  if (!hasData) console.warn(`${testName}: SKIPPED — ${votenet}/scene0000_00_vert.npy is missing (set POINTCLICK_SHARED_DATA)`);
  return { votenet, runnable: hasChromium && hasData };
}
