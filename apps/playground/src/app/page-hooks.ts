import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import type { LoadedScan, PlaygroundClick, WorkerRequest, WorkerResponse } from '../worker/worker-protocol.js';
import { element } from './page-elements.js';
import { labelFileName, type LabelExportFormat } from '../export/label-formats.js';
import type { StreamingExport } from './streaming-export.js';
import type { ListedObject } from './object-list-panel.js';
import { baseNameOf } from './scan-downloads.js';

/** Page coordinates (CSS pixels) of a scan point, or undefined when it is off screen or out of range. */
export function projectPointOnPage(viewer: PointCloudViewer, positions: Float32Array, pointIndex: number): [number, number] | undefined {
  if (pointIndex < 0 || pointIndex * 3 >= positions.length) return undefined;
  const onCanvas = viewer.projectPosition(Array.from(positions.subarray(pointIndex * 3, pointIndex * 3 + 3)) as [number, number, number]);
  if (!onCanvas) return undefined;
  const rectangle = viewer.canvas.getBoundingClientRect();
  return [rectangle.left + onCanvas[0], rectangle.top + onCanvas[1]];
}

/**
 * Orbits the camera by a small step on each of `frameCount` animation frames and returns the mean interval
 * between frames in milliseconds, plus the time of one GPU pick at the canvas centre (benchmark hook).
 */
export async function measureRendering(viewer: PointCloudViewer, frameCount: number): Promise<{ meanFrameMilliseconds: number; pickMilliseconds: number }> {
  const controls = viewer.controls;
  const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
  await nextFrame();
  const started = await nextFrame();
  let last = started;
  for (let frame = 0; frame < frameCount; frame++) {
    const offset = viewer.camera.position.clone().sub(controls.target);
    offset.applyAxisAngle(viewer.camera.up, 0.02);
    viewer.camera.position.copy(controls.target).add(offset);
    controls.update();
    last = await nextFrame();
  }
  const canvas = viewer.canvas;
  const pickStarted = performance.now();
  viewer.pickPoint(canvas.clientWidth / 2, canvas.clientHeight / 2);
  const pickMilliseconds = performance.now() - pickStarted;
  return { meanFrameMilliseconds: (last - started) / frameCount, pickMilliseconds };
}

/**
 * Streams an export of the shown labels from the worker into a download named after `scan` (large scans must not
 * block the page): the save dialog opens first, straight from the click, then the worker's chunks are written as
 * they come.
 * @param shown Per-point object ids as the page shows them, or undefined for none.
 */
export function startLabelExport(
  exports: StreamingExport,
  format: LabelExportFormat,
  scan: LoadedScan,
  listed: ListedObject[],
  shown: Int32Array | undefined,
  classNames: readonly string[],
  clicks: readonly PlaygroundClick[],
): Promise<void> {
  const { fileName, mimeType } = labelFileName(format, baseNameOf(scan));
  return exports.start(fileName, mimeType, (exportId, chunkBytes) => exportRequest(format, exportId, chunkBytes, scan, listed, shown, classNames, clicks));
}

/**
 * The worker request that builds and streams an export of the shown labels (large scans must not block the page),
 * with the buffers to transfer.
 * @param shown Per-point object ids as the page shows them, or undefined for none.
 * @param chunkBytes Bytes per chunk the worker sends.
 */
export function exportRequest(
  format: LabelExportFormat,
  exportId: number,
  chunkBytes: number,
  scan: LoadedScan,
  listed: ListedObject[],
  shown: Int32Array | undefined,
  classNames: readonly string[],
  clicks: readonly PlaygroundClick[],
): { request: WorkerRequest; transfer: Transferable[] } {
  const objects = listed
    .filter((object) => object.prediction)
    .map((object) => ({ objectId: object.objectId, classIndex: Math.max(0, object.classIndex), confidence: object.confidence, pointCount: object.prediction!.pointCount }));
  const instance = shown?.slice() ?? new Int32Array(scan.pointCount);
  return {
    request: {
      type: 'export-labels',
      exportId,
      chunkBytes,
      format,
      baseName: baseNameOf(scan),
      labels: { instance, objects, classNames: [...classNames], clicks: [...clicks], scanName: scan.name },
    },
    transfer: [instance.buffer],
  };
}

/** What the page shows, for scripted checks: object id per point (0 = none) and the listed objects. */
export interface LabelSnapshot {
  instance: number[];
  objects: { objectId: number; className: string; pointCount: number }[];
}

/**
 * The page's labels for scripted checks (the end-to-end test).
 * @param shown Per-point object ids as the page shows them, or undefined for none.
 */
export function labelSnapshot(shown: Int32Array | undefined, pointCount: number, listed: ListedObject[], classNames: readonly string[]): LabelSnapshot {
  return {
    instance: shown ? Array.from(shown) : new Array<number>(pointCount).fill(0),
    objects: listed.map((object) => ({ objectId: object.objectId, className: classNames[object.classIndex] ?? '', pointCount: object.prediction?.pointCount ?? 0 })),
  };
}

/**
 * Shows a segmentation's timings in the latency line and records them in `document.body.dataset` (read by the
 * browser tests and benchmarks): runs so far, backbone, decoder, worker and click-to-mask milliseconds.
 * @param roundTrip Milliseconds from the request leaving the page to the answer arriving.
 */
export function showSegmentationTimings(message: Extract<WorkerResponse, { type: 'segmentation' }>, roundTrip: number, completedRuns: number): void {
  const dataset = document.body.dataset;
  dataset.segmentationRuns = String(completedRuns);
  dataset.lastBackboneMilliseconds = message.backboneMilliseconds.toFixed(1);
  dataset.lastDecoderMilliseconds = message.decoderMilliseconds.toFixed(1);
  dataset.lastRoundTripMilliseconds = roundTrip.toFixed(1);
  dataset.lastWorkerMilliseconds = message.totalMilliseconds.toFixed(1);
  const backbone = message.backboneMilliseconds > 0 ? ` + backbone ${message.backboneMilliseconds.toFixed(0)} ms (once per scan or region)` : '';
  element('latency').textContent =
    `decoder ${message.decoderMilliseconds.toFixed(0)} ms${backbone}; worker ${message.totalMilliseconds.toFixed(0)} ms, click to mask ${roundTrip.toFixed(0)} ms`;
}
