/** A hand correction: points painted into an object, or erased from it, with the brush or the lasso. */
export interface CorrectionStroke {
  /** Object the stroke adds points to or removes them from (the active object when it was drawn). */
  objectId: number;
  /** `'add'` paints the points into the object, `'remove'` erases them from it. */
  mode: 'add' | 'remove';
  /** Tool that drew it. */
  tool: 'brush' | 'lasso';
  /** Scan points the stroke covered (the visible points under it), distinct. */
  pointIndices: number[];
}

/** Point indices per objectId, as the segmenter's `include` and `exclude` take them. */
export type PointSetsByObject = Record<number, number[]>;

/**
 * The segmenter constraints of a list of strokes, replayed in order: a point painted into an object leaves
 * every other object's painted set and that object's erased set; a point erased from an object leaves its
 * painted set. So the latest stroke over a point decides, and the sets never contradict each other.
 */
export function strokeConstraints(strokes: readonly CorrectionStroke[]): { include: PointSetsByObject; exclude: PointSetsByObject } {
  // point → object it is painted into; objectId → points erased from it.
  const paintedInto = new Map<number, number>();
  const erasedFrom = new Map<number, Set<number>>();
  for (const stroke of strokes) {
    let erased = erasedFrom.get(stroke.objectId);
    if (stroke.mode === 'add') {
      for (const point of stroke.pointIndices) {
        paintedInto.set(point, stroke.objectId);
        erased?.delete(point);
      }
      continue;
    }
    if (!erased) erasedFrom.set(stroke.objectId, (erased = new Set()));
    for (const point of stroke.pointIndices) {
      if (paintedInto.get(point) === stroke.objectId) paintedInto.delete(point);
      erased.add(point);
    }
  }
  const include: PointSetsByObject = {};
  for (const [point, objectId] of paintedInto) (include[objectId] ??= []).push(point);
  const exclude: PointSetsByObject = {};
  for (const [objectId, points] of erasedFrom) if (points.size > 0) exclude[objectId] = [...points];
  return { include, exclude };
}

/** Objects that hold painted points (so they are listed and segmented even without a click). */
export function paintedObjectIds(strokes: readonly CorrectionStroke[]): Set<number> {
  return new Set(Object.keys(strokeConstraints(strokes).include).map(Number));
}
