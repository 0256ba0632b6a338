import { buildExports } from '../export/label-export.js';
import { describeError } from '../scan/error-messages.js';
import { writeSessionDocument, type ScanIdentity } from '../state/session-file.js';
import type { SessionState } from '../state/session-history.js';
import type { LoadedScan } from '../worker/worker-protocol.js';
import type { ListedObject } from './object-list-panel.js';
import { downloadBlob, showMessage } from './page-elements.js';

/** File name stem for downloads: the scan's file name without its extension, or `default-scene`. */
function baseNameOf(scan: Pick<LoadedScan, 'name' | 'format'>): string {
  const name = scan.format === 'generated' ? 'default-scene' : scan.name;
  return name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
}

/**
 * Downloads the labelled scan as PLY (`<scan>-labels.ply`) or the labels as JSON (`<scan>-labels.json`);
 * objects without a prediction yet are left out. A failure is shown in the message bar.
 * @param instance Per-point object ids of the latest segmentation (none yet: every point unlabelled).
 */
export function downloadLabels(
  kind: 'ply' | 'labels',
  scan: LoadedScan,
  listed: readonly ListedObject[],
  instance: Int32Array | undefined,
  classNames: string[],
  state: SessionState,
): void {
  try {
    const objects = listed
      .filter((object) => object.prediction)
      .map((object) => ({ objectId: object.objectId, classIndex: Math.max(0, object.classIndex), confidence: object.confidence, pointCount: object.prediction!.pointCount }));
    const { ply, labelsJson } = buildExports({
      positions: scan.positions,
      colors: scan.colors,
      instance: instance ?? new Int32Array(scan.pointCount),
      objects,
      classNames,
      clicks: state.clicks,
      scanName: scan.name,
    });
    if (kind === 'ply') downloadBlob(new Blob([ply as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `${baseNameOf(scan)}-labels.ply`);
    else downloadBlob(new Blob([labelsJson], { type: 'application/json' }), `${baseNameOf(scan)}-labels.json`);
  } catch (error) {
    showMessage(`Export failed: ${describeError(error)}`);
  }
}

/** Downloads the session (clicks, object settings, class names) as `<scan>.session.json`. */
export function downloadSession(scan: Pick<LoadedScan, 'name' | 'format'>, identity: ScanIdentity, state: SessionState, classNames: string[]): void {
  const text = writeSessionDocument(identity, state, classNames);
  downloadBlob(new Blob([text], { type: 'application/json' }), `${baseNameOf(scan)}.session.json`);
}
