/**
 * The worker's choice between one backbone pass and regions (issue 18), with models/default on a real
 * ScanNet room on wasm: a room within the budget is segmented whole, exactly as the Segmenter does; with a
 * budget below the room's voxels the model runs on a region and the result says which.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { PointCloud } from '@pointclick/io';
import { RegionSegmenter, type Click } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { ScanSegmenter, type ScanSegmentation } from '../src/worker/scan-segmenter.js';
import { applyLabelChanges, withWholeLabels } from '../src/app/region-display.js';
import type { WorkerResponse } from '../src/worker/worker-protocol.js';

const dataDirectory = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(dataDirectory, 'scannet-votenet');
const modelDirectory = fileURLToPath(new URL('../../../models/default', import.meta.url));
const available = existsSync(join(votenetDirectory, 'scene0001_00_vert.npy'));
if (!available) console.warn(`scan segmenter tests skipped: ${votenetDirectory}/scene0001_00_vert.npy not found (set POINTCLICK_SHARED_DATA)`);

describe.skipIf(!available)('ScanSegmenter (the worker: whole scan or regions)', () => {
  let cloud: PointCloud;
  beforeAll(async () => {
    await initializeBackend({ preferred: 'wasm', strict: true });
    for await (const scene of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0001_00'] })) cloud = scene.cloud;
  });
  const clicks: Click[] = [
    { pointIndex: 1000, objectId: 1, kind: 'object' },
    { pointIndex: 20000, objectId: 2, kind: 'object' },
  ];

  it('segments a ScanNet room whole (default limit), with the Segmenter labels', async () => {
    const segmenter = await loadSegmenter(modelDirectory);
    const scan = new ScanSegmenter(segmenter, cloud);
    expect(scan.byRegion).toBe(false);
    const result = await scan.segment(clicks);
    expect(result.region).toBeUndefined();
    const reference = await loadSegmenter(modelDirectory);
    reference.setScene(cloud);
    expect(Array.from(result.instance)).toEqual(Array.from(reference.segment(clicks).instance));
    reference.dispose();
    segmenter.dispose();
  });

  it('segments a scan above the limit by region and says so', async () => {
    const segmenter = await loadSegmenter(modelDirectory);
    const voxels = RegionSegmenter.countVoxels(segmenter.model, cloud.positions);
    const budget = Math.floor(voxels / 3);
    const scan = new ScanSegmenter(segmenter, cloud, { wholeScanVoxelLimit: budget, voxelBudget: budget });
    expect(scan.byRegion).toBe(true);
    expect((await scan.segment([])).instance).toHaveLength(cloud.pointCount);
    const result = await scan.segment(clicks);
    expect(result.instance).toHaveLength(cloud.pointCount);
    expect(result.region?.voxelCount).toBeLessThanOrEqual(budget);
    expect(result.region?.pointCount).toBeLessThan(cloud.pointCount);
    expect(Array.isArray(result.objectsAtBorder)).toBe(true);
    scan.clear();
    segmenter.dispose();
  });

  it('posts only the changed points of region results, and the page\'s copy of the labels follows them call by call', async () => {
    const segmenter = await loadSegmenter(modelDirectory);
    const budget = Math.floor(RegionSegmenter.countVoxels(segmenter.model, cloud.positions) / 3);
    const scan = new ScanSegmenter(segmenter, cloud, { wholeScanVoxelLimit: budget, voxelBudget: budget });
    // As the worker posts a result and the page receives it (one fake worker as the key of the page's copy).
    const worker = {} as Worker;
    const receive = (result: ScanSegmentation): Int32Array => {
      const message: WorkerResponse = {
        type: 'segmentation',
        requestId: 0,
        instance: result.changes ? new Int32Array(0) : result.instance,
        changes: result.changes && { ...result.changes, pointIndices: result.changes.pointIndices.slice(), labels: result.changes.labels.slice() },
        objects: result.objects,
        decoderMilliseconds: 0,
        backboneMilliseconds: 0,
        totalMilliseconds: 0,
      };
      const received = withWholeLabels(worker, message);
      return (received as Extract<WorkerResponse, { type: 'segmentation' }>).instance;
    };
    const histories: Click[][] = [clicks, [clicks[0]], [clicks[0], { pointIndex: 30000, objectId: 3, kind: 'object' }]];
    let pageLabels: Int32Array | undefined;
    for (const [call, history] of histories.entries()) {
      const result = await scan.segment(history);
      expect(result.changes?.fresh).toBe(call === 0);
      expect(result.changes?.pointIndices.length).toBeGreaterThan(0);
      const labels = receive(result);
      if (pageLabels) expect(labels).toBe(pageLabels); // updated in place
      pageLabels = labels;
      expect(Array.from(labels)).toEqual(Array.from(result.instance));
    }
    // A scan's first result starts a new copy; a later one with no copy to apply to is left empty (the page ignores it).
    const stale = await scan.segment(clicks);
    expect(receive({ ...stale, changes: { ...stale.changes!, pointCount: cloud.pointCount + 1 } })).toHaveLength(0);
    expect(() => applyLabelChanges(new Int32Array(4), { pointIndices: Int32Array.of(2, 4), labels: Int32Array.of(1, 1) })).toThrow(/pointIndices\[1\] is 4; the scan has 4 points/);
    scan.clear();
    segmenter.dispose();
  });
});
