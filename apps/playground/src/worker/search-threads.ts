import type { SurfaceSearchThreads } from '@pointclick/sampling';

/** Most helper threads the worker starts for the geodesic searches. */
const HELPER_LIMIT = 3;

/**
 * Helper threads for the segmenter's geodesic click searches in this worker (the segmenter blocks in
 * `Atomics.wait` while they finish, which a worker may do): one per further core, at most 3, each a worker of a
 * `blob:` URL. Undefined where the page is not cross-origin isolated (no `SharedArrayBuffer`) or has one core.
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
