import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, parseScannetSuperpoints } from '../src/index.js';
import { collectScenes, detectDatasetLayout, readDataset } from '../src/node/index.js';

// Eight mesh vertices in four ScanNet segments (sparse ids); the chair owns segments 10 and 11, segment 13 is
// unannotated.
const segmentIds = [10, 10, 11, 12, 12, 13, 11, 13];
const labelTable = ['id\traw_category\tcategory\tnyu40id\tnyu40class', '1\tchair\tchair\t5\tchair', '2\ttable\ttable\t7\ttable'].join('\n');

function asciiMesh(vertexCount: number): string {
  const lines = ['ply', 'format ascii 1.0', `element vertex ${vertexCount}`, 'property float x', 'property float y', 'property float z'];
  lines.push('property uchar red', 'property uchar green', 'property uchar blue', 'element face 1', 'property list uchar int vertex_indices', 'end_header');
  for (let vertex = 0; vertex < vertexCount; vertex++) lines.push(`${vertex * 0.5} 1 ${vertex * 0.25} 10 20 30`);
  lines.push('3 0 1 2');
  return `${lines.join('\n')}\n`;
}

describe('ScanNet over-segmentation as superpoints', () => {
  let root = '';
  const sceneId = 'scene9998_00';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pointclick-scannet-superpoints-'));
    const folder = join(root, 'scans', sceneId);
    await mkdir(folder, { recursive: true });
    await writeFile(join(root, 'scannetv2-labels.combined.tsv'), labelTable);
    await writeFile(join(folder, `${sceneId}_vh_clean_2.ply`), asciiMesh(segmentIds.length));
    await writeFile(join(folder, `${sceneId}.aggregation.json`), JSON.stringify({ segGroups: [{ objectId: 0, label: 'chair', segments: [10, 11] }, { objectId: 1, label: 'table', segments: [12] }] }));
    await writeFile(join(folder, `${sceneId}_vh_clean_2.0.010000.segs.json`), JSON.stringify({ sceneId, segIndices: segmentIds }));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('exposes segs.json renumbered 0..count-1 in order of first appearance on every ScanNet scene', async () => {
    expect(await detectDatasetLayout(root)).toBe('scannet');
    const [scene] = await collectScenes(readDataset(root));
    expect(scene.id).toBe(sceneId);
    expect(scene.cloud.pointCount).toBe(8);
    expect(Array.from(scene.cloud.instance)).toEqual([1, 1, 1, 2, 2, 0, 1, 0]);
    expect(scene.superpoints?.count).toBe(4);
    expect(Array.from(scene.superpoints!.labels)).toEqual([0, 0, 1, 2, 2, 3, 1, 3]);
  });

  it('keeps every vertex of one ScanNet segment in one superpoint and distinct segments apart', () => {
    const ids = Array.from({ length: 500 }, (_, vertex) => ((vertex * 7919) % 37) * 1000 + 5);
    const { labels, count } = parseScannetSuperpoints(JSON.stringify({ segIndices: ids }), ids.length);
    expect(count).toBe(37);
    for (let first = 0; first < ids.length; first += 13) {
      for (let second = 0; second < ids.length; second += 17) expect(labels[first] === labels[second]).toBe(ids[first] === ids[second]);
    }
    expect(Math.max(...labels)).toBe(count - 1);
    expect(Math.min(...labels)).toBe(0);
  });

  it('refuses a segment list of the wrong length, a non-integer id or broken JSON, naming the file and field', () => {
    const call = (text: string, vertexCount: number) => () => parseScannetSuperpoints(text, vertexCount, 'scene0000_00_vh_clean_2.0.010000.segs.json');
    expect(call(JSON.stringify({ segIndices: [1, 2, 3] }), 4)).toThrow(DatasetError);
    expect(call(JSON.stringify({ segIndices: [1, 2, 3] }), 4)).toThrow(/segs\.json, field 'segIndices': expected 4 segment ids \(one per mesh vertex\), got 3/);
    expect(call(JSON.stringify({ segIndices: [1, 2.5] }), 2)).toThrow(/field 'segIndices\[1\]': expected an integer segment id, got 2\.5/);
    expect(call(JSON.stringify({ segments: [] }), 0)).toThrow(/field 'segIndices'/);
    expect(call('{', 1)).toThrow(/not valid JSON/);
  });
});
