/** A picture of point ids: `ids[row · width + column]` is the point drawn at that pixel, or -1. */
export interface PointIdImage {
  ids: Int32Array;
  width: number;
  height: number;
}

/** Distinct point ids of the pixels for which `inside(column, row)` holds, increasing. */
function collectIds(image: PointIdImage, inside: (column: number, row: number) => boolean): number[] {
  const found = new Set<number>();
  for (let row = 0; row < image.height; row++) {
    for (let column = 0; column < image.width; column++) {
      const id = image.ids[row * image.width + column];
      if (id >= 0 && !found.has(id) && inside(column + 0.5, row + 0.5)) found.add(id);
    }
  }
  return [...found].sort((left, right) => left - right);
}

/** Squared distance from (x, y) to the segment a–b. */
function squaredSegmentDistance(x: number, y: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const along = length > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / length)) : 0;
  return (x - ax - along * dx) ** 2 + (y - ay - along * dy) ** 2;
}

/**
 * Points under a brush stroke: the ids of the pixels whose centres lie within `radius` of the stroke's path.
 * @param path Pointer positions in the image's pixels (one position: a dab).
 * @param radius Brush radius in the image's pixels.
 */
export function selectBrushPoints(image: PointIdImage, path: readonly [number, number][], radius: number): number[] {
  if (path.length === 0) return [];
  const limit = radius * radius;
  const segments: [[number, number], [number, number]][] = path.length === 1 ? [[path[0], path[0]]] : path.slice(1).map((point, index) => [path[index], point]);
  return collectIds(image, (x, y) => segments.some(([from, to]) => squaredSegmentDistance(x, y, from, to) <= limit));
}

/**
 * Points inside a lasso: the ids of the pixels whose centres lie inside the polygon (even-odd rule; the polygon
 * closes itself).
 * @param polygon Vertices in the image's pixels, three at least.
 */
export function selectLassoPoints(image: PointIdImage, polygon: readonly [number, number][]): number[] {
  if (polygon.length < 3) return [];
  return collectIds(image, (x, y) => {
    let inside = false;
    for (let vertex = 0, previous = polygon.length - 1; vertex < polygon.length; previous = vertex++) {
      const [xi, yi] = polygon[vertex];
      const [xj, yj] = polygon[previous];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  });
}
