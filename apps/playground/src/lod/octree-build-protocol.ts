import type { OctreeBuildOptions, OctreeNode } from './point-octree.js';

/** Message from the page to the octree worker: build the octree of these positions (transferred). */
export interface OctreeBuildRequest {
  type: 'build';
  /** Echoed in every answer, so answers of an abandoned build are recognised. */
  buildId: number;
  /** Interleaved x y z in metres; the worker keeps it for the build only. */
  positions: Float32Array;
  options?: OctreeBuildOptions;
}

/** Messages from the octree worker to the page. */
export type OctreeBuildResponse =
  | {
      type: 'nodes';
      buildId: number;
      /** Nodes completed since the last message, breadth first; each `pointIds` owns its buffer (transferred). */
      nodes: OctreeNode[];
    }
  | {
      type: 'complete';
      buildId: number;
      nodeCount: number;
      /** Deepest level, the root being 0. */
      depth: number;
      /** Wall-clock time of the build inside the worker, milliseconds. */
      buildMilliseconds: number;
    }
  | { type: 'error'; buildId: number; message: string };
