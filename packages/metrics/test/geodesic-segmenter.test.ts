import { describe, expect, it } from 'vitest';
import type { PointCloud } from '@pointclick/io';
import { computeSceneIou, createGeodesicSegmenter, evaluateInteractive, MetricsInputError } from '../src/index.js';
import type { EvaluationClick } from '../src/index.js';
import { loadScannetScene, SCANNET_AVAILABLE, seededUniform } from './test-scenes.js';

if (!SCANNET_AVAILABLE) console.warn('[metrics] skipping the baseline run on ScanNet scene0000_00: shared data is absent');

/** Two Gaussian blobs 1 m apart (ids 1 and 2), red and blue. */
function twoBlobs(pointsPerBlob: number): PointCloud {
  const random = seededUniform(4);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pointCount = 2 * pointsPerBlob;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const blob = point < pointsPerBlob ? 0 : 1;
    positions[point * 3] = blob * 1.0 + 0.12 * gaussian();
    positions[point * 3 + 1] = 0.12 * gaussian();
    positions[point * 3 + 2] = 0.12 * gaussian();
    colors.set(blob === 0 ? [220, 30, 30] : [30, 30, 220], point * 3);
    instance[point] = blob + 1;
  }
  return { pointCount, positions, colors, instance };
}

function click(cloud: PointCloud, pointIndex: number, objectId: number, kind: 'object' | 'background' = 'object'): EvaluationClick {
  const p = cloud.positions;
  return { position: [p[pointIndex * 3], p[pointIndex * 3 + 1], p[pointIndex * 3 + 2]], pointIndex, objectId, kind };
}

describe('createGeodesicSegmenter', () => {
  it('separates two blobs from one click each', () => {
    const cloud = twoBlobs(400);
    const labels = createGeodesicSegmenter({ neighborCount: 8, colorWeight: 4 })(cloud, [click(cloud, 5, 1), click(cloud, 405, 2)]) as Int32Array;
    expect(computeSceneIou(labels, cloud.instance!).meanIou).toBe(1);
  });

  it('lets a background click compete like an object', () => {
    const cloud = twoBlobs(300);
    const labels = createGeodesicSegmenter()(cloud, [click(cloud, 3, 1), click(cloud, 310, 7, 'background')]) as Int32Array;
    for (let point = 0; point < cloud.pointCount; point++) expect(labels[point]).toBe(point < 300 ? 1 : 0);
  });

  it('reaches 100 IoU after the first round on the two blobs through the runner', async () => {
    const cloud = twoBlobs(300);
    const result = await evaluateInteractive([{ name: 'blobs', cloud }], createGeodesicSegmenter(), { targetIds: { blobs: [1, 2] } });
    expect(result.summary.iouAt[1]).toBe(100);
    expect(result.clicks.get('blobs')).toHaveLength(2);
  });

  it('rejects bad options and click indices', () => {
    expect(() => createGeodesicSegmenter({ neighborCount: 0 })).toThrow(MetricsInputError);
    const cloud = twoBlobs(20);
    expect(() => createGeodesicSegmenter()(cloud, [click(cloud, 0, 1), { ...click(cloud, 0, 1), pointIndex: 99 }])).toThrow(/pointIndex/);
  });
});

describe.skipIf(!SCANNET_AVAILABLE)('baseline on a real ScanNet room (training scene0000_00)', () => {
  it('improves with clicks and writes a log that parses back', async () => {
    const cloud = loadScannetScene('scene0000_00');
    const result = await evaluateInteractive([{ name: 'scene0000_00', cloud }], createGeodesicSegmenter(), {
      targetCount: 3,
      seed: 1,
      maxClicksPerObject: 5,
    });
    const entries = result.entries;
    expect(entries).toHaveLength(1 + (3 * 5 - 3 + 1));
    expect(entries.at(-1)!.iou).toBeGreaterThan(entries[1].iou);
    for (const clickList of result.clicks.values()) expect(clickList.length).toBeLessThanOrEqual(15);
  });
});
