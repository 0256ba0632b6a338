/// <reference lib="webworker" />
/**
 * The octree worker: builds the level-of-detail octree of a scan's positions and posts the nodes as they are
 * completed (the root at once, then batches), so the page draws the coarse levels while the fine ones are built.
 * One build per worker: the page terminates the worker to abandon a build.
 */
import { buildPointOctree, type OctreeNode } from '../lod/point-octree.js';
import type { OctreeBuildRequest, OctreeBuildResponse } from '../lod/octree-build-protocol.js';
import { describeError } from '../scan/error-messages.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Longest wait between two batches of nodes, milliseconds. */
const BATCH_MILLISECONDS = 50;

function post(message: OctreeBuildResponse, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.onmessage = (event: MessageEvent<OctreeBuildRequest>) => {
  const { buildId, positions, options } = event.data;
  const started = performance.now();
  let batch: OctreeNode[] = [];
  let lastPost = started;
  let nodeCount = 0;
  let depth = 0;
  const flush = () => {
    if (batch.length === 0) return;
    post({ type: 'nodes', buildId, nodes: batch }, batch.map((node) => node.pointIds.buffer));
    batch = [];
    lastPost = performance.now();
  };
  try {
    for (const node of buildPointOctree(positions, options)) {
      // The build's ids are views of one shared array: each node gets its own buffer to transfer.
      batch.push({ ...node, pointIds: node.pointIds.slice() });
      nodeCount++;
      depth = Math.max(depth, node.level);
      if (node.index === 0 || performance.now() - lastPost > BATCH_MILLISECONDS) flush();
    }
    flush();
    post({ type: 'complete', buildId, nodeCount, depth, buildMilliseconds: performance.now() - started });
  } catch (error) {
    post({ type: 'error', buildId, message: describeError(error) });
  }
};
