import { DatasetError, type SceneSuperpoints } from '../core/labeled-scene.js';
import { renumberSuperpoints } from '../core/superpoint-renumbering.js';

/**
 * Reads ScanNet's mesh over-segmentation (`<scene>_vh_clean_2.0.010000.segs.json`, `segIndices`: one segment id
 * per mesh vertex) as superpoints: ScanNet's segment ids (sparse, up to the face count) are renumbered
 * 0..count-1 in order of first appearance along the vertices, so the result is deterministic.
 *
 * @param text - The JSON text.
 * @param vertexCount - Vertices of the scene's `_vh_clean_2.ply`, which `segIndices` must match one to one.
 * @param fileName - For errors.
 * @throws {@link DatasetError} for invalid JSON, a missing or non-integer `segIndices`, or a length other than
 *   `vertexCount`.
 */
export function parseScannetSuperpoints(text: string, vertexCount: number, fileName = 'segs.json'): SceneSuperpoints {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError({ fileName, message: `not valid JSON: ${(error as Error).message}`, cause: error });
  }
  const segmentIds = (json as { segIndices?: unknown } | null)?.segIndices;
  if (!Array.isArray(segmentIds)) throw new DatasetError({ fileName, field: 'segIndices', message: 'expected an array with one segment id per mesh vertex' });
  if (segmentIds.length !== vertexCount) {
    throw new DatasetError({ fileName, field: 'segIndices', message: `expected ${vertexCount} segment ids (one per mesh vertex), got ${segmentIds.length}` });
  }
  for (let vertex = 0; vertex < vertexCount; vertex++) {
    if (!Number.isInteger(segmentIds[vertex])) {
      throw new DatasetError({ fileName, field: `segIndices[${vertex}]`, message: `expected an integer segment id, got ${JSON.stringify(segmentIds[vertex])}` });
    }
  }
  return renumberSuperpoints(segmentIds as number[]);
}
