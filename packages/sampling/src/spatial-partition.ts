/**
 * Quickselect on `order[left..right]` (inclusive) so that `order[nth]` holds the point with the nth
 * smallest coordinate along `axis`, smaller-or-equal ones before it and greater-or-equal ones after.
 *
 * @param positions - Interleaved x y z in metres (float32 or float64). [pointCount, 3]
 * @param order - Point indices, permuted in place.
 */
export function selectNth(positions: Float32Array | Float64Array, order: Int32Array, left: number, right: number, nth: number, axis: number): void {
  while (right > left) {
    // Median of three pivot keeps sorted or clustered inputs from degrading to quadratic time.
    const middle = (left + right) >> 1;
    const a = positions[order[left] * 3 + axis];
    const b = positions[order[middle] * 3 + axis];
    const c = positions[order[right] * 3 + axis];
    const pivotSlot = a < b ? (b < c ? middle : a < c ? right : left) : a < c ? left : b < c ? right : middle;
    const pivot = positions[order[pivotSlot] * 3 + axis];
    let i = left;
    let j = right;
    while (i <= j) {
      while (positions[order[i] * 3 + axis] < pivot) i++;
      while (positions[order[j] * 3 + axis] > pivot) j--;
      if (i <= j) {
        const swap = order[i];
        order[i] = order[j];
        order[j] = swap;
        i++;
        j--;
      }
    }
    if (nth <= j) right = j;
    else if (nth >= i) left = i;
    else return;
  }
}

/**
 * Splits `order[start..end)` recursively at the median of the widest axis until every bucket holds at
 * most `bucketSize` points (or only coincident points). Appends each bucket's end to `bucketEnds` in
 * order, so consecutive buckets tile `order`.
 */
export function partitionIntoBuckets(
  positions: Float32Array,
  order: Int32Array,
  start: number,
  end: number,
  bucketSize: number,
  bucketEnds: number[],
): void {
  if (end - start <= bucketSize) {
    bucketEnds.push(end);
    return;
  }
  const axis = findWidestAxis(positions, order, start, end);
  if (axis === -1) {
    bucketEnds.push(end);
    return;
  }
  const middle = (start + end) >> 1;
  selectNth(positions, order, start, end - 1, middle, axis);
  partitionIntoBuckets(positions, order, start, middle, bucketSize, bucketEnds);
  partitionIntoBuckets(positions, order, middle, end, bucketSize, bucketEnds);
}

/**
 * Axis (0 x, 1 y, 2 z) along which the points `order[start..end)` spread widest, or -1 when they all
 * coincide. Ties go to the lower axis.
 *
 * @param positions - Interleaved x y z in metres. [pointCount, 3]
 */
export function findWidestAxis(positions: Float32Array, order: Int32Array, start: number, end: number): number {
  const box = measureBoundingBox(positions, order, start, end, new Float64Array(6), 0);
  const extentX = box[3] - box[0], extentY = box[4] - box[1], extentZ = box[5] - box[2];
  const axis = extentX >= extentY && extentX >= extentZ ? 0 : extentY >= extentZ ? 1 : 2;
  return (axis === 0 ? extentX : axis === 1 ? extentY : extentZ) === 0 ? -1 : axis;
}

/**
 * Axis-aligned bounding box of the points `order[start..end)`, written to `boxes[offset..offset + 6)` as
 * min x, min y, min z, max x, max y, max z (metres; ±Infinity for an empty range).
 *
 * @param positions - Interleaved x y z in metres (float32 or float64). [pointCount, 3]
 * @returns `boxes`.
 */
export function measureBoundingBox<Boxes extends Float32Array | Float64Array>(
  positions: Float32Array | Float64Array,
  order: Int32Array,
  start: number,
  end: number,
  boxes: Boxes,
  offset: number,
): Boxes {
  let minX = Infinity, minY = Infinity, minZ = Infinity;
  let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let slot = start; slot < end; slot++) {
    const base = order[slot] * 3;
    const x = positions[base], y = positions[base + 1], z = positions[base + 2];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  boxes[offset] = minX;
  boxes[offset + 1] = minY;
  boxes[offset + 2] = minZ;
  boxes[offset + 3] = maxX;
  boxes[offset + 4] = maxY;
  boxes[offset + 5] = maxZ;
  return boxes;
}
