/**
 * The per-node arrays the viewer uploads for an octree node, built from the scan's arrays and the node's point ids.
 * Plain TypeScript (no three.js), so picking's id path is unit-tested in Node.
 */

/** Interleaved x y z (metres) of `pointIds`, in their order: vertex `i` of the node is scan point `pointIds[i]`. */
export function gatherPointPositions(positions: Float32Array, pointIds: Uint32Array): Float32Array {
  const gathered = new Float32Array(pointIds.length * 3);
  for (let slot = 0; slot < pointIds.length; slot++) {
    const source = pointIds[slot] * 3;
    gathered[slot * 3] = positions[source];
    gathered[slot * 3 + 1] = positions[source + 1];
    gathered[slot * 3 + 2] = positions[source + 2];
  }
  return gathered;
}

/**
 * The node's point ids as pairs of 16-bit halves (low, high) without a copy: the picking shader reads them as a
 * `vec2` attribute of unsigned shorts (exact in float, unlike a 32-bit id above 2²⁴) and rebuilds the id with
 * {@link joinPointIdHalves}. Browsers are little-endian, so the low half comes first.
 */
export function splitPointIds(pointIds: Uint32Array): Uint16Array {
  return new Uint16Array(pointIds.buffer, pointIds.byteOffset, pointIds.length * 2);
}

/** The point id of a pair of halves, as the picking shader computes it: `low + high · 65536`. */
export function joinPointIdHalves(low: number, high: number): number {
  return low + high * 65536;
}
