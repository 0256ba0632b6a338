/**
 * Label export and import inside the segmentation worker: the worker holds the scan (with its LAS origin), computes
 * the ScanNet segments from superpoints, and the page stays responsive while large files are written or read.
 * Exports stream: the file is written in chunks that go to the page as they are made, at most
 * {@link CHUNKS_IN_FLIGHT} ahead of what the page has written, so neither side holds the whole file.
 */
import type { PointCloud } from '@pointclick/io';
import { computeSuperpoints } from '@pointclick/sampling';
import { buildLabelFileChunks } from '../export/label-formats.js';
import { importLabels } from '../export/label-import.js';
import { describeError } from '../scan/error-messages.js';
import type { ExportControl, LabelFileRequest, LabelFileResponse } from './worker-protocol.js';

/** Chunks sent to the page and not yet written by it, at most. */
export const CHUNKS_IN_FLIGHT = 4;

/** Superpoints of the last scan exported as ScanNet (computed once per scan). */
let superpoints: { cloud: PointCloud; labels: Int32Array } | undefined;

/** The export under way: chunks the page has written, whether it was cancelled, and who waits for the page. */
let running: { exportId: number; written: number; cancelled: boolean; wake?: () => void } | undefined;

/** Handles the page's acknowledgements and cancels of the running export (called outside the request queue). */
export function receiveExportControl(control: ExportControl): void {
  if (!running || running.exportId !== control.exportId) return;
  if (control.type === 'export-chunk-written') running.written++;
  else running.cancelled = true;
  running.wake?.();
}

/** Handles one export or import request for `cloud`; answers with `post`. */
export async function handleLabelFileRequest(
  request: Exclude<LabelFileRequest, ExportControl>,
  cloud: PointCloud | undefined,
  post: (message: LabelFileResponse, transfer?: Transferable[]) => void,
): Promise<void> {
  const exportId = request.type === 'export-labels' ? request.exportId : undefined;
  try {
    if (!cloud) throw new Error('no scan is open');
    if (request.type === 'export-labels') await streamExport(request, cloud, post);
    else {
      const labels = await importLabels(request.files, cloud, request.classNames);
      post({ type: 'imported-labels', labels }, [labels.instance.buffer]);
    }
  } catch (error) {
    post({ type: 'label-file-error', exportId, message: `${request.type === 'export-labels' ? 'Export' : 'Import'} failed: ${describeError(error)}` });
  } finally {
    if (running?.exportId === exportId) running = undefined;
  }
}

async function streamExport(request: Extract<LabelFileRequest, { type: 'export-labels' }>, cloud: PointCloud, post: (message: LabelFileResponse, transfer?: Transferable[]) => void): Promise<void> {
  const state: NonNullable<typeof running> = { exportId: request.exportId, written: 0, cancelled: false };
  running = state;
  let segments: Int32Array | undefined;
  if (request.format === 'scannet') {
    if (superpoints?.cloud !== cloud) superpoints = { cloud, labels: computeSuperpoints(cloud.positions, { colors: cloud.colors }).labels };
    segments = superpoints.labels;
  }
  // Every check runs here, before the first chunk: a bad label fails the export before the page writes a byte.
  const file = buildLabelFileChunks(request.format, cloud, { ...request.labels, positions: cloud.positions, colors: cloud.colors }, request.baseName, segments, {
    chunkBytes: request.chunkBytes,
  });
  post({ type: 'export-started', exportId: request.exportId, fileName: file.fileName, mimeType: file.mimeType, byteLength: file.byteLength });
  let chunkIndex = 0;
  for (const chunk of file.chunks()) {
    // Wait for the page to write earlier chunks (and see a cancel): this await is where the worker hears the page.
    while (!state.cancelled && chunkIndex - state.written >= CHUNKS_IN_FLIGHT) await new Promise<void>((resolve) => (state.wake = resolve));
    if (state.cancelled) return;
    post({ type: 'export-chunk', exportId: request.exportId, chunkIndex, bytes: chunk }, [chunk.buffer]);
    chunkIndex++;
  }
  post({ type: 'export-done', exportId: request.exportId, chunkCount: chunkIndex, byteLength: file.byteLength });
}
