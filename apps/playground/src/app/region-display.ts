import type { SegmentationRegion } from '@pointclick/segmenter';
import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import { showMessage } from './page-elements.js';

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
