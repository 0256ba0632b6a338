import type { SurfaceSearchThreads } from '@pointclick/sampling';

/**
 * Most helper threads the worker starts for the geodesic searches. Each holds a copy of its graph's search rows
 * (about 9 bytes per row entry and 32 per voxel: ~37 MB for a 300k-voxel region), per cached region of a large
 * scan, and they speed up only updates with several new clicks (a restored session's first segmentation, clicks
 * moved together): one is enough in a page that also renders.
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
