/**
 * A shipped model read from its version-2 file (test/fixtures/default-model-v2.json, the file `models/default`
 * shipped before format version 3) and from its version-3 re-export (test/fixtures/default-model-v3.json, the
 * file `models/default` shipped from session 6 to session 8) gives the same labels and scores on a real ScanNet
 * room. Both documents are paired with today's `models/default` weight blob: the weight layout (manifest) has not
 * changed since, so each is given today's checksum.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import { parseCheckpointDocument, type Click, type Segmenter } from '../src/index.js';
import { loadSegmenter } from '../src/node/index.js';
import { findVotenetScene, useWasmBackend } from './segmenter-fixtures.js';

const { votenetDirectory, available } = findVotenetScene('scene0001_00', 'checkpoint version test');
const modelDirectory = fileURLToPath(new URL('../../../models/default', import.meta.url));
const version2Path = fileURLToPath(new URL('./fixtures/default-model-v2.json', import.meta.url));
const version3Path = fileURLToPath(new URL('./fixtures/default-model-v3.json', import.meta.url));

interface CheckpointDocument {
  formatVersion: number;
  config: Record<string, unknown>;
  weights: { crc32: number; manifest: unknown };
}

describe.skipIf(!available)('the session-6 default model: version-2 file and version-3 re-export on ScanNet scene0001_00', () => {
  let scene: LabeledScene;
  let version2: Segmenter;
  let version3: Segmenter;

  /** A checkpoint document without the optional `config.calibration` (added after the version-3 step). */
  function withoutCalibration(document: CheckpointDocument): CheckpointDocument {
    const { calibration: _calibration, ...config } = document.config;
    return { ...document, config };
  }

  async function readDocument(path: string): Promise<CheckpointDocument> {
    return JSON.parse(await readFile(path, 'utf8')) as CheckpointDocument;
  }

  beforeAll(async () => {
    await useWasmBackend();
    for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0001_00'] })) scene = entry;
    const weights = new Uint8Array(await readFile(join(modelDirectory, 'weights.bin')));
    const shipped = await readDocument(join(modelDirectory, 'model.json'));
    const [document2, document3] = [await readDocument(version2Path), withoutCalibration(await readDocument(version3Path))];
    for (const document of [document2, document3]) {
      expect(document.weights.manifest).toEqual(shipped.weights.manifest);
      document.weights.crc32 = shipped.weights.crc32;
    }
    version2 = await loadSegmenter({ document: JSON.stringify(document2), weights, name: 'default-model-v2.json' });
    version3 = await loadSegmenter({ document: JSON.stringify(document3), weights, name: 'default-model-v3.json' });
  });

  afterAll(() => {
    version2?.dispose();
    version3?.dispose();
  });

  it('upgrades the version-2 document to its version-3 re-export', async () => {
    const reexported = withoutCalibration(await readDocument(version3Path));
    const upgraded = parseCheckpointDocument(await readFile(version2Path, 'utf8'), 'default-model-v2.json');
    expect(reexported.formatVersion).toBe(3);
    expect(upgraded.config).toEqual(reexported.config);
    expect(version2.model.geodesicGraph).toEqual({ neighborCount: 12, colorWeight: 4, flatEdgeFactor: 1 });
  });

  it('labels and scores every point identically with 1 to 5 clicks', () => {
    const { instance } = scene.cloud;
    const objectIds = [...new Set(instance)].filter((id) => id > 0).slice(0, 4);
    const clicks: Click[] = objectIds.map((id, index) => ({ pointIndex: instance.indexOf(id), objectId: index + 1, kind: 'object' }));
    clicks.push({ pointIndex: instance.indexOf(0), objectId: 1, kind: 'background' });
    version2.setScene(scene.cloud);
    version3.setScene(scene.cloud);
    for (let count = 1; count <= clicks.length; count++) {
      const before = version2.segment(clicks.slice(0, count));
      const after = version3.segment(clicks.slice(0, count));
      expect(after.instance).toEqual(before.instance);
      expect(after.objects).toEqual(before.objects);
      // The model does label objects here, so the comparison is not between two empty results.
      expect(after.objects.filter((object) => object.pointCount > 0).length).toBeGreaterThan(0);
    }
  });
});
