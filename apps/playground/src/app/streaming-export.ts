/**
 * The page's side of a streaming export: opens the destination, asks the worker for the file, writes each chunk as
 * it arrives (acknowledging it, so the worker stays a few chunks ahead at most), shows progress with a Cancel
 * button, and completes the file only when every byte the worker announced was written. A cancel, a failed write or
 * a worker error aborts the destination: no partial file is completed and no download starts.
 */
import type { WorkerRequest, WorkerResponse } from '../worker/worker-protocol.js';
import { describeError, formatBytes } from '../scan/error-messages.js';
import { openExportSink, type ExportSink } from './export-sinks.js';
import { showMessage } from './page-elements.js';

/** Worker messages about exports. */
export type ExportResponse = Extract<WorkerResponse, { type: 'export-started' | 'export-chunk' | 'export-done' }> | Extract<WorkerResponse, { type: 'label-file-error' }>;

/** State of the last export, mirrored in `document.body.dataset.exportState` for scripted checks. */
export type ExportState = 'opening' | 'running' | 'done' | 'cancelled' | 'failed';

interface RunningExport {
  exportId: number;
  fileName: string;
  sink: ExportSink;
  /** Bytes the worker announced (known from `export-started`). */
  byteLength?: number;
  writtenBytes: number;
  writtenChunks: number;
  /** Writes run one after another, in arrival order. */
  writes: Promise<void>;
  stopped: boolean;
}

/** Default bytes per chunk the page asks the worker for: 1 MiB. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

export class StreamingExport {
  /** Bytes per chunk asked of the worker (scripted checks lower it to see many chunks). */
  chunkBytes = EXPORT_CHUNK_BYTES;
  private running?: RunningExport;
  /** Whether the save dialog of a new export is open. */
  private opening = false;
  private exportCounter = 0;
  private readonly panel: HTMLElement;
  private readonly label: HTMLElement;
  private readonly bar: HTMLProgressElement;

  /**
   * @param post - Sends a request to the worker.
   * @param anchor - Element after which the progress line is shown.
   */
  constructor(
    private readonly post: (request: WorkerRequest, transfer?: Transferable[]) => void,
    anchor: HTMLElement,
  ) {
    this.panel = document.createElement('div');
    this.panel.className = 'export-progress';
    this.panel.dataset.testid = 'export-progress';
    this.panel.hidden = true;
    this.label = document.createElement('span');
    this.bar = document.createElement('progress');
    this.bar.max = 1;
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    cancel.dataset.testid = 'export-cancel';
    cancel.onclick = () => this.cancel();
    this.panel.append(this.label, this.bar, cancel);
    anchor.after(this.panel);
  }

  /** Whether an export is being written. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Starts an export: opens the destination for `fileName` (the save dialog, where the browser has one — so call this
   * straight from the click), then sends `request(exportId, chunkBytes)` to the worker.
   */
  async start(fileName: string, mimeType: string, request: (exportId: number, chunkBytes: number) => { request: WorkerRequest; transfer: Transferable[] }): Promise<void> {
    if (this.running || this.opening) {
      showMessage(`An export (${this.running?.fileName ?? 'waiting for the save dialog'}) is still under way: wait for it or cancel it first.`, 'info');
      return;
    }
    const exportId = ++this.exportCounter;
    this.setState('opening');
    let sink: ExportSink | undefined;
    this.opening = true;
    try {
      sink = await openExportSink(fileName, mimeType);
    } catch (error) {
      this.setState('failed');
      showMessage(`Export failed: could not open ${fileName} for writing: ${describeError(error)}`);
      return;
    } finally {
      this.opening = false;
    }
    if (!sink) {
      this.setState('cancelled');
      return;
    }
    this.running = { exportId, fileName, sink, writtenBytes: 0, writtenChunks: 0, writes: Promise.resolve(), stopped: false };
    document.body.dataset.exportSink = sink.kind;
    document.body.dataset.exportChunksWritten = '0';
    document.body.dataset.exportBytesWritten = '0';
    this.setState('running');
    this.showProgress();
    const built = request(exportId, this.chunkBytes);
    this.post(built.request, built.transfer);
  }

  /** Handles a worker message about an export; false when the message is not about the running one. */
  receive(message: ExportResponse): boolean {
    const current = this.running;
    if (message.type === 'label-file-error') {
      if (message.exportId === undefined) return false;
      if (current?.exportId === message.exportId) void this.stop(current, 'failed', message.message);
      return true;
    }
    if (!current || current.exportId !== message.exportId || current.stopped) return true;
    switch (message.type) {
      case 'export-started':
        current.byteLength = message.byteLength;
        current.fileName = message.fileName;
        document.body.dataset.exportByteLength = String(message.byteLength);
        this.showProgress();
        return true;
      case 'export-chunk': {
        const { bytes } = message;
        current.writes = current.writes.then(async () => {
          if (current.stopped) return;
          await current.sink.write(bytes);
          current.writtenBytes += bytes.length;
          current.writtenChunks++;
          document.body.dataset.exportChunksWritten = String(current.writtenChunks);
          document.body.dataset.exportBytesWritten = String(current.writtenBytes);
          this.post({ type: 'export-chunk-written', exportId: current.exportId });
          this.showProgress();
        });
        current.writes.catch((error: unknown) => this.stop(current, 'failed', `Export failed: writing ${current.fileName}: ${describeError(error)}`));
        return true;
      }
      case 'export-done':
        current.writes = current.writes.then(async () => {
          if (current.stopped) return;
          if (current.writtenBytes !== message.byteLength || current.writtenChunks !== message.chunkCount) {
            throw new Error(`${current.writtenBytes} bytes in ${current.writtenChunks} chunks were written, the worker sent ${message.byteLength} in ${message.chunkCount}`);
          }
          await current.sink.close();
          this.finish(current, 'done');
          showMessage(`Exported ${current.fileName} (${formatBytes(current.writtenBytes)} in ${current.writtenChunks} chunks).`, 'info');
        });
        current.writes.catch((error: unknown) => this.stop(current, 'failed', `Export failed: ${describeError(error)}`));
        return true;
    }
  }

  /** Stops the running export: the worker stops writing and the destination is discarded. */
  cancel(): void {
    if (this.running) void this.stop(this.running, 'cancelled', `Export of ${this.running.fileName} cancelled; nothing was saved.`);
  }

  private async stop(current: RunningExport, state: 'failed' | 'cancelled', text: string): Promise<void> {
    if (current.stopped) return;
    current.stopped = true;
    this.post({ type: 'cancel-export', exportId: current.exportId });
    this.finish(current, state);
    showMessage(text, state === 'failed' ? 'error' : 'info');
    try {
      await current.sink.abort();
    } catch {
      // Aborting a stream that already failed rejects again; it is discarded either way.
    }
  }

  private finish(current: RunningExport, state: ExportState): void {
    current.stopped = true;
    if (this.running === current) this.running = undefined;
    this.panel.hidden = true;
    this.setState(state);
  }

  private setState(state: ExportState): void {
    document.body.dataset.exportState = state;
  }

  private showProgress(): void {
    const current = this.running;
    if (!current) return;
    this.panel.hidden = false;
    const total = current.byteLength;
    this.bar.value = total ? current.writtenBytes / total : 0;
    this.label.textContent = `Exporting ${current.fileName}: ${formatBytes(current.writtenBytes)}${total !== undefined ? ` of ${formatBytes(total)}` : ''} `;
  }
}
