import type { SceneSuperpoints } from './labeled-scene.js';

/**
 * Superpoints from any per-point ids (sparse, any integers): renumbered 0..count-1 in order of first appearance,
 * so the result is deterministic for a given point order.
 */
export function renumberSuperpoints(ids: ArrayLike<number>): SceneSuperpoints {
  const renumbered = new Map<number, number>();
  const labels = new Int32Array(ids.length);
  for (let point = 0; point < ids.length; point++) {
    let label = renumbered.get(ids[point]);
    if (label === undefined) {
      label = renumbered.size;
      renumbered.set(ids[point], label);
    }
    labels[point] = label;
  }
  return { labels, count: renumbered.size };
}
