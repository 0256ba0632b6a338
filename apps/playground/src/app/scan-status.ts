import { colorOfObject, computePointColors, computePointColorsOf, type ColorMode, type ObjectAppearance, type PointColorInput } from '../viewer/point-colors.js';
import type { MarkerSpec, PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import type { BackendInfo } from '@pointclick/tfjs-kernels/browser';
import type { LoadedScan, PlaygroundClick, WorkerResponse } from '../worker/worker-protocol.js';
import { formatBytes, MAX_FILE_BYTES } from '../scan/error-messages.js';
import type { ListedObject } from './object-list-panel.js';
import { element, setBusy, showMessage } from './page-elements.js';

export { showReadProgress } from './read-progress.js';

/** The status line of the TF.js backend the worker started (adapter or threads, and what it fell back from). */
export function showBackend(info: BackendInfo): void {
  const details = info.adapter ? ` (${info.adapter})` : info.threads ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''})` : '';
  const fallbacks = info.fallbacks.length ? ` — fell back from ${info.fallbacks.map((entry) => `${entry.backend}: ${entry.reason}`).join('; ')}` : '';
  element('backend').textContent = `${info.backend}${details}${fallbacks}`;
  document.body.dataset.backend = info.backend;
}

/** The status line of the loaded model. */
export function showModelLoaded(message: Extract<WorkerResponse, { type: 'model' }>): void {
  element('model').textContent = `${decodeURI(new URL(message.modelUrl).pathname)} — ${message.classNames.length} classes, loaded in ${message.loadMilliseconds.toFixed(0)} ms`;
  document.body.dataset.model = 'ready';
}

/** The status line of the open scan: points, format, size, dropped points and read time. */
export function showScanOpened(scan: LoadedScan): void {
  const dropped = scan.droppedPointCount ? `, ${scan.droppedPointCount.toLocaleString()} invalid points dropped` : '';
  element('scan').textContent =
    `${scan.name}: ${scan.pointCount.toLocaleString()} points (${scan.format}${scan.byteLength ? `, ${formatBytes(scan.byteLength)}` : ''}${dropped}), read in ${scan.readMilliseconds.toFixed(0)} ms`;
  document.body.dataset.scanPoints = String(scan.pointCount);
}

/**
 * Colours the scan's points by `mode` with the listed objects over them and places the click markers. A scan
 * drawn level of detail recolours only its drawn nodes now (hidden ones when they are drawn again); a whole scan
 * refills `scan.displayColors`.
 */
export function paintScan(
  viewer: PointCloudViewer,
  scan: LoadedScan & { displayColors: Uint8Array },
  listed: readonly ListedObject[],
  labels: Int32Array | undefined,
  mode: ColorMode,
  clicks: readonly PlaygroundClick[],
): void {
  const appearances = new Map<number, ObjectAppearance>();
  for (const object of listed) {
    appearances.set(object.objectId, { color: colorOfObject(object.objectId), classIndex: Math.max(0, object.classIndex), visible: object.visible });
  }
  const input: PointColorInput = {
    positions: scan.positions,
    colors: scan.colors,
    intensity: scan.intensity,
    intensityRange: scan.intensityRange,
    instance: labels,
    objects: appearances,
    mode,
    heightRange: viewer.heightRange,
  };
  if (viewer.isLevelOfDetail) {
    viewer.setPointColoring((pointIds, output) => computePointColorsOf(input, pointIds, output));
  } else {
    computePointColors(input, scan.displayColors);
    viewer.updateColors();
  }
  const markers: MarkerSpec[] = clicks.map((click) => ({
    position: Array.from(scan.positions.subarray(click.pointIndex * 3, click.pointIndex * 3 + 3)) as [number, number, number],
    color: colorOfObject(click.objectId),
    kind: click.kind,
  }));
  viewer.setMarkers(markers);
}

/**
 * Whether a picked or dropped scan file can be read: false (with the reason shown) when it is empty or larger than
 * this browser can hold. When true, the page shows "Reading…" until the worker's answer clears it.
 */
export function acceptScanFile(file: File): boolean {
  if (file.size > MAX_FILE_BYTES) {
    showMessage(`${file.name} is ${formatBytes(file.size)}: too large for this browser's memory (the limit is ${formatBytes(MAX_FILE_BYTES)}).`);
    return false;
  }
  if (file.size === 0) {
    showMessage(`${file.name} is empty.`);
    return false;
  }
  setBusy(`Reading ${file.name} (${formatBytes(file.size)})…`);
  return true;
}
