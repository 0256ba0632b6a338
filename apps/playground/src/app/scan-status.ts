import type { BackendInfo } from '@pointclick/tfjs-kernels/browser';
import type { LoadedScan, WorkerResponse } from '../worker/worker-protocol.js';
import { formatBytes, MAX_FILE_BYTES } from '../scan/error-messages.js';
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
