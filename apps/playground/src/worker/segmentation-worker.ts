/// <reference lib="webworker" />
/**
 * The segmentation worker: reads scans, starts the TF.js backend (WebGPU, else wasm), loads the checkpoint and
 * runs the segmenter, so the page never blocks on any of it.
 */
import type { PointCloud } from '@pointclick/io';
import { generateIndoorScene } from '@pointclick/datasets';
import { loadSegmenter, Segmenter } from '@pointclick/segmenter';
import { initializeBackend } from '@pointclick/tfjs-kernels/browser';
import type { LoadedScan, WorkerRequest, WorkerResponse } from './worker-protocol.js';
import { ScanSegmenter } from './scan-segmenter.js';
import { readScanFile } from './scan-file-reader.js';
import { describeError } from '../scan/error-messages.js';
import { handleLabelFileRequest, receiveExportControl } from './label-file-worker.js';
import { robustIntensityRange } from '../viewer/point-colors.js';
import { browserSearchThreads } from './search-threads.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Shortest time between two read-progress messages, in milliseconds. */
const PROGRESS_INTERVAL_MILLISECONDS = 100;
/**
 * Scans with more points get their segmenter right after loading when the model is ready (for a scan segmented by
 * region: the voxel grid of the whole scan, seconds at 10M points), so the first click does not wait for it.
 */
const EAGER_SEGMENTER_POINTS = 1_000_000;

let segmenterPromise: Promise<Segmenter | undefined> | undefined;
let currentCloud: PointCloud | undefined;
/** The cloud last handed to the segmenter, so the backbone runs once per scan (or once per region). */
let segmenterCloud: PointCloud | undefined;
let scanSegmenter: ScanSegmenter | undefined;
/** The loaded model's segmenter, once loading has finished. */
let readySegmenter: Segmenter | undefined;

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

async function initialize(request: Extract<WorkerRequest, { type: 'initialize' }>): Promise<Segmenter | undefined> {
  try {
    const info = await initializeBackend({ preferred: request.preferredBackend, wasmPath: request.wasmPath });
    post({ type: 'backend', info });
  } catch (error) {
    post({ type: 'backend-error', message: describeError(error) });
    return undefined;
  }
  try {
    const started = performance.now();
    const loaded = await loadSegmenter(request.modelUrl);
    const searchThreads = browserSearchThreads();
    const segmenter = searchThreads ? new Segmenter(loaded.model, { searchThreads }) : loaded;
    readySegmenter = segmenter;
    post({
      type: 'model',
      classNames: segmenter.classNames,
      modelUrl: request.modelUrl,
      loadMilliseconds: performance.now() - started,
    });
    return segmenter;
  } catch (error) {
    post({ type: 'model-error', message: `cannot load the model from ${request.modelUrl}: ${describeError(error)}` });
    return undefined;
  }
}

function publishScan(cloud: PointCloud, name: string, format: string, readMilliseconds: number, byteLength: number): void {
  currentCloud = cloud;
  // The worker keeps `cloud` for the segmenter; the page gets copies it owns (transferred, so no second copy). In a
  // cross-origin isolated page the positions' copy is shared memory, which the page also hands to its octree worker
  // as it is (one copy for both instead of two).
  const shareable = self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';
  const positions = shareable ? new Float32Array(new SharedArrayBuffer(cloud.positions.byteLength)) : cloud.positions.slice();
  if (shareable) positions.set(cloud.positions);
  const scan: LoadedScan = {
    name,
    format,
    pointCount: cloud.pointCount,
    positions,
    colors: cloud.colors?.slice(),
    intensity: cloud.intensity?.slice(),
    intensityRange: cloud.intensity ? robustIntensityRange(cloud.intensity) : undefined,
    instance: cloud.instance?.slice(),
    semantic: cloud.semantic?.slice(),
    readMilliseconds,
    byteLength,
    droppedPointCount: cloud.metadata?.droppedPointCount ?? 0,
  };
  const transfer: Transferable[] = shareable ? [] : [positions.buffer as ArrayBuffer];
  for (const array of [scan.colors, scan.intensity, scan.instance, scan.semantic]) if (array) transfer.push(array.buffer);
  post({ type: 'scan', scan }, transfer);
}

async function loadFile(request: Extract<WorkerRequest, { type: 'load-file' }>): Promise<void> {
  const started = performance.now();
  const { file, fileName, reading = 'random-access' } = request;
  let lastPosted = -Infinity;
  try {
    // Random access by default: chunked LAZ goes one LASzip chunk at a time through `Blob.slice`, the other formats
    // chunk by chunk from `file.stream()` (as far as the format allows), so the file is never one ArrayBuffer beside
    // the cloud's arrays; progress is posted at most every PROGRESS_INTERVAL_MILLISECONDS, and once at the end.
    const cloud = await readScanFile(file, fileName, reading, ({ bytesRead, totalBytes }) => {
      const now = performance.now();
      if (now - lastPosted < PROGRESS_INTERVAL_MILLISECONDS && bytesRead < totalBytes) return;
      lastPosted = now;
      post({ type: 'read-progress', fileName, bytesRead, totalBytes, elapsedMilliseconds: now - started });
    });
    if (cloud.pointCount === 0) throw new Error(`${fileName} holds no points`);
    publishScan(cloud, fileName, cloud.metadata?.format ?? 'unknown', performance.now() - started, file.size);
  } catch (error) {
    post({ type: 'scan-error', message: `cannot open ${fileName}: ${describeError(error)}` });
  }
}

function loadDefaultScene(seed: number): void {
  const started = performance.now();
  try {
    // No ceiling: the default view looks into the room from above, where the furniture is.
    const scene = generateIndoorScene({ seed, ceiling: false });
    const cloud: PointCloud = {
      pointCount: scene.pointCount,
      positions: scene.positions,
      colors: scene.colors,
      instance: scene.instance,
      semantic: scene.semantic,
      metadata: { classNames: scene.classNames },
    };
    publishScan(cloud, `default scene (synthetic room, seed ${seed})`, 'generated', performance.now() - started, 0);
  } catch (error) {
    post({ type: 'scan-error', message: `cannot generate the default scene: ${describeError(error)}` });
  }
}

/** The scan's segmenter: the one built for `cloud` before (its cached features kept), else a new one. */
function segmenterOf(segmenter: Segmenter, cloud: PointCloud): ScanSegmenter {
  if (segmenterCloud !== cloud || !scanSegmenter) {
    scanSegmenter?.clear();
    scanSegmenter = new ScanSegmenter(segmenter, cloud);
    segmenterCloud = cloud;
  }
  return scanSegmenter;
}

/** Builds a large scan's segmenter now, when the model is ready (a failure is reported by the first click's run). */
function prepareLargeScan(): void {
  if (!readySegmenter || !currentCloud || currentCloud.pointCount <= EAGER_SEGMENTER_POINTS) return;
  try {
    segmenterOf(readySegmenter, currentCloud);
  } catch {
    scanSegmenter = undefined;
    segmenterCloud = undefined;
  }
}

async function segment(request: Extract<WorkerRequest, { type: 'segment' }>): Promise<void> {
  const started = performance.now();
  try {
    const segmenter = await segmenterPromise;
    if (!segmenter) throw new Error('no model is loaded');
    if (!currentCloud) throw new Error('no scan is loaded');
    // Asynchronous read-back: WebGPU in a browser cannot read tensors synchronously without stalling.
    const result = await segmenterOf(segmenter, currentCloud).segment(request.clicks, request.constraints);
    // Region results: the changed points only (their instance is the segmenter's own array, never transferred).
    const { changes } = result;
    post(
      {
        type: 'segmentation',
        requestId: request.requestId,
        instance: changes ? new Int32Array(0) : result.instance,
        changes,
        objects: result.objects,
        decoderMilliseconds: result.decoderMilliseconds,
        backboneMilliseconds: result.backboneMilliseconds,
        totalMilliseconds: performance.now() - started,
        region: result.region,
        objectsAtBorder: result.objectsAtBorder,
      },
      changes ? [changes.pointIndices.buffer, changes.labels.buffer] : [result.instance.buffer],
    );
  } catch (error) {
    post({ type: 'segmentation-error', requestId: request.requestId, message: describeError(error) });
  }
}

// Requests are handled one at a time, in order: a scan load never races a segmentation of the previous scan.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  // The page's answers to a streaming export are heard at once: the export itself holds the queue.
  if (request.type === 'export-chunk-written' || request.type === 'cancel-export') {
    receiveExportControl(request);
    return;
  }
  queue = queue.then(async () => {
    switch (request.type) {
      case 'initialize':
        // Not awaited here: scans can be read while the backend and model load.
        segmenterPromise = initialize(request);
        return;
      case 'load-file':
        await loadFile(request);
        return prepareLargeScan();
      case 'load-default-scene':
        return loadDefaultScene(request.seed);
      case 'segment':
        return segment(request);
      case 'export-labels':
      case 'import-labels':
        return handleLabelFileRequest(request, currentCloud, post);
    }
  });
};
