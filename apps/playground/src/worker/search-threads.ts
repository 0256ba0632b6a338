import type { SurfaceSearchThreads } from '@pointclick/sampling';

/**
 * Most helper threads the worker starts for the geodesic searches. Each holds a copy of its graph's search rows
 * (about 9 bytes per row entry and 32 per voxel: ~20 MB for a scan at the 150,000-voxel whole-scan limit, ~4.5 MB
 * per cached 30,000-voxel region), and they speed up only updates with several new clicks (a restored session's
 * first segmentation, clicks moved together): one is enough in a page whose main thread also renders.
 */
const HELPER_LIMIT = 1;

/**
 * Helper threads for the segmenter's geodesic click searches in this worker (the segmenter blocks in
 * `Atomics.wait` while they finish, which a worker may do): {@link HELPER_LIMIT} where there is a further core,
 * each a worker of a `blob:` URL. Undefined where the page is not cross-origin isolated (no `SharedArrayBuffer`)
 * or has one core.
 */
export function browserSearchThreads(): SurfaceSearchThreads | undefined {
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') return undefined;
  const count = Math.min(HELPER_LIMIT, (navigator.hardwareConcurrency || 1) - 1);
  if (count < 1) return undefined;
  return {
    count,
    spawn: (source) => {
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const worker = new Worker(url);
      URL.revokeObjectURL(url);
      return worker;
    },
  };
}
