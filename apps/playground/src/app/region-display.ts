import type { SegmentationRegion } from '@pointclick/segmenter';
import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import type { WorkerResponse } from '../worker/worker-protocol.js';
import type { ScanLabelChanges } from '../worker/scan-segmenter.js';
import { showMessage } from './page-elements.js';

/*
 * The page's side of scans segmented region by region: the region box and its notices, and the page's copy of the
 * scan's labels, which the worker updates with the points each click changed.
 */

/** The page's copy of the labels of the scan its segmentation worker segments by region. */
const labelCopies = new WeakMap<Worker, Int32Array>();

/**
 * A message of the segmentation `worker` as the page handles it: a segmentation carrying `changes` (scans segmented
 * by region) gets as `instance` the page's copy of the scan's labels with the changes applied — updated in place
 * (a new copy of zeros when `changes.fresh`), so no whole label array is sent or allocated per click. When the copy
 * does not match (no earlier result for this scan), `instance` stays empty and the page ignores the result. Other
 * messages pass unchanged.
 */
export function withWholeLabels(worker: Worker, message: WorkerResponse): WorkerResponse {
  if (message.type !== 'segmentation' || !message.changes) return message;
  const { changes } = message;
  let labels = labelCopies.get(worker);
  if (changes.fresh) {
    labels = new Int32Array(changes.pointCount);
    labelCopies.set(worker, labels);
  }
  if (!labels || labels.length !== changes.pointCount) return message;
  applyLabelChanges(labels, changes);
  return { ...message, instance: labels };
}

/**
 * Writes `changes.labels[slot]` to `labels[changes.pointIndices[slot]]` for every slot.
 * @throws {RangeError} naming the slot when a point index lies outside `labels`.
 */
export function applyLabelChanges(labels: Int32Array, changes: Pick<ScanLabelChanges, 'pointIndices' | 'labels'>): void {
  const { pointIndices } = changes;
  for (let slot = 0; slot < pointIndices.length; slot++) {
    const point = pointIndices[slot];
    if (!(point >= 0 && point < labels.length)) throw new RangeError(`label changes: pointIndices[${slot}] is ${point}; the scan has ${labels.length} points`);
    labels[point] = changes.labels[slot];
  }
}

/**
 * Shows the region of interest of a large scan's last segmentation: the box in the view (orange when a mask
 * reaches its border), its size and box in `document.body.dataset` (`regionVoxels`, `regionBox` as JSON
 * `{ minimum, maximum }` in metres, `objectsAtBorder`) and a notice
 * naming the objects whose mask may be cut by the box. Removes the box for scans segmented whole.
 */
export function showSegmentationRegion(viewer: PointCloudViewer, region: SegmentationRegion | undefined, objectsAtBorder: number[] = []): void {
  viewer.setRegion(region, objectsAtBorder.length > 0);
  if (!region) {
    delete document.body.dataset.regionVoxels;
    delete document.body.dataset.regionBox;
    delete document.body.dataset.objectsAtBorder;
    return;
  }
  document.body.dataset.regionVoxels = String(region.voxelCount);
  document.body.dataset.regionBox = JSON.stringify({ minimum: region.minimum, maximum: region.maximum });
  document.body.dataset.objectsAtBorder = objectsAtBorder.join(',');
  if (objectsAtBorder.length > 0) {
    const names = objectsAtBorder.map((objectId) => `object ${objectId}`).join(', ');
    showMessage(
      `This scan is too large for one pass, so the model ran on the outlined box (${region.voxelCount.toLocaleString('en')} voxels). ` +
        `The mask of ${names} reaches its edge and may be cut there: click the object near the edge to move the box.`,
      'info',
    );
  }
}
