import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { listVotenetScenes, parseVotenetScene, readVotenetScene } from '../src/node/scenes/votenet-scene-reader.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(sharedData, 'scannet-votenet');
const available = existsSync(votenetDirectory);
if (!available) console.warn(`scenes-votenet.test: skipping real-scene checks, ${votenetDirectory} not found (set POINTCLICK_SHARED_DATA)`);

// Instance counts from the table in shared/data/README.md.
const INSTANCE_COUNTS: Record<string, number> = {
  scene0000_00: 67, scene0000_01: 72, scene0000_02: 71, scene0001_00: 23, scene0001_01: 23,
  scene0002_00: 70, scene0002_01: 63, scene0003_00: 21, scene0003_01: 22, scene0003_02: 22,
  scene0004_00: 14, scene0005_00: 17, scene0005_01: 18, scene0006_00: 44, scene0006_01: 47,
  scene0006_02: 52, scene0007_00: 27, scene0008_00: 33, scene0010_00: 66, scene0010_01: 61,
};

describe.skipIf(!available)('readVotenetScene on shared/data/scannet-votenet', () => {
  it('lists the 20 scenes of the README', async () => {
    expect(await listVotenetScenes(votenetDirectory)).toEqual(Object.keys(INSTANCE_COUNTS).sort());
  });

  it.each(Object.entries(INSTANCE_COUNTS))('%s has 50,000 points and %i instances', async (sceneId, instanceCount) => {
    const cloud = await readVotenetScene(votenetDirectory, sceneId);
    expect(cloud.pointCount).toBe(50_000);
    expect(cloud.positions.length).toBe(150_000);
    expect(cloud.colors!.length).toBe(150_000);
    const instances = new Set(cloud.instance);
    instances.delete(0);
    expect(instances.size).toBe(instanceCount);
    // NYU40 ids, named from the label table; labelled points belong to an instance.
    for (const classId of new Set(cloud.semantic)) {
      expect(classId).toBeGreaterThanOrEqual(0);
      expect(classId).toBeLessThanOrEqual(40);
      if (classId > 0) expect(cloud.metadata?.classNames?.[classId]).toBeTypeOf('string');
    }
    expect(cloud.metadata?.classNames?.[5]).toBe('chair');
  });
});

describe.skipIf(!available)('parseVotenetScene errors', () => {
  const read = (name: string): Uint8Array => readFileSync(join(votenetDirectory, name));

  it('rejects label arrays whose length differs from the vertex count', () => {
    const vertices = read('scene0004_00_vert.npy');
    const otherScene = read('scene0000_00_ins_label.npy');
    // Same length (50,000) but a label array for fewer points: cut the shape in the header.
    const text = new TextDecoder('latin1').decode(otherScene.subarray(0, 128)).replace('(50000,)', '(49999,)');
    const shortLabels = otherScene.slice();
    shortLabels.set(Uint8Array.from(text, (character) => character.charCodeAt(0)));
    const error = (() => {
      try {
        parseVotenetScene({ vertices, instanceLabels: shortLabels, semanticLabels: read('scene0004_00_sem_label.npy'), sceneId: 'scene0004_00' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).message).toMatch(/49999 labels for 50000 points/);
    expect((error as PointCloudFormatError).fileName).toBe('scene0004_00_ins_label.npy');
  });

  it('rejects vertices that are not (N, 6) and labels that are not integers', () => {
    const labels = read('scene0004_00_ins_label.npy');
    expect(() => parseVotenetScene({ vertices: labels, instanceLabels: labels, semanticLabels: labels })).toThrow(/expected float32 vertices, got uint32/);
    const vertices = read('scene0004_00_vert.npy');
    expect(() => parseVotenetScene({ vertices, instanceLabels: vertices, semanticLabels: labels })).toThrow(/1-D integer label array/);
    expect(() => parseVotenetScene({ vertices: vertices.subarray(0, 1000), instanceLabels: labels, semanticLabels: labels })).toThrow(PointCloudFormatError);
  });
});
