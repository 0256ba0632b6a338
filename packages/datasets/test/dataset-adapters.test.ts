import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NYU40_CLASS_MAP, S3DIS_CLASS_MAP, SCANNET20_CLASS_MAP, SEMANTIC_KITTI_CLASS_MAP, mapSemanticIds } from '../src/index.js';
import { collectScenes, detectDatasetLayout, readS3disDataset, readSemanticKittiDataset, readVotenetDataset } from '../src/node/index.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const available = existsSync(join(sharedData, 'scannet-votenet')) && existsSync(join(sharedData, 'semantickitti'));
if (!available) console.warn(`datasets adapter tests skipped: shared data not found at ${sharedData} (set POINTCLICK_SHARED_DATA)`);

// Instance counts from shared/data/README.md.
const VOTENET_INSTANCES: Record<string, number> = {
  scene0000_00: 67, scene0000_01: 72, scene0000_02: 71, scene0001_00: 23, scene0001_01: 23, scene0002_00: 70,
  scene0002_01: 63, scene0003_00: 21, scene0003_01: 22, scene0003_02: 22, scene0004_00: 14, scene0005_00: 17,
  scene0005_01: 18, scene0006_00: 44, scene0006_01: 47, scene0006_02: 52, scene0007_00: 27, scene0008_00: 33,
  scene0010_00: 66, scene0010_01: 61,
};

describe.skipIf(!available)('adapters on shared data', () => {
  it('reads the 20 VoteNet ScanNet scenes with 50,000 points and the README instance counts', async () => {
    const directory = join(sharedData, 'scannet-votenet');
    expect(await detectDatasetLayout(directory)).toBe('votenet-scannet');
    const counts: Record<string, number> = {};
    for await (const scene of readVotenetDataset(directory)) {
      expect(scene.cloud.pointCount).toBe(50_000);
      expect(scene.classNames).toEqual(NYU40_CLASS_MAP.classNames);
      expect(scene.semanticClassMap.chair).toBe(5);
      counts[scene.id] = new Set(Array.from(scene.cloud.instance).filter((id) => id !== 0)).size;
      for (const index of scene.cloud.semantic) expect(index >= 0 && index < scene.classNames.length).toBe(true);
    }
    expect(counts).toEqual(VOTENET_INSTANCES);
  });

  it('maps ScanNet NYU40 ids onto ScanNet20 with otherprop as other', async () => {
    const [scene] = await collectScenes(readVotenetDataset(join(sharedData, 'scannet-votenet'), { classMap: SCANNET20_CLASS_MAP, sceneIds: ['scene0004_00'] }));
    expect(scene.classNames.length).toBe(22);
    const raw = await collectScenes(readVotenetDataset(join(sharedData, 'scannet-votenet'), { sceneIds: ['scene0004_00'] }));
    for (let point = 0; point < scene.cloud.pointCount; point++) {
      const nyu = raw[0].cloud.semantic[point];
      const expected = nyu === 0 ? 0 : SCANNET20_CLASS_MAP.sourceIdToIndex.get(nyu) ?? 21;
      if (scene.cloud.semantic[point] !== expected) throw new Error(`point ${point}: ${scene.cloud.semantic[point]} vs ${expected}`);
    }
  });

  it('reads the SemanticKITTI scan: 123,389 points and 14 instances', async () => {
    const directory = join(sharedData, 'semantickitti');
    expect(await detectDatasetLayout(directory)).toBe('semantickitti');
    const scenes = await collectScenes(readSemanticKittiDataset(directory));
    expect(scenes.map((scene) => scene.id)).toEqual(['000000']);
    const scene = scenes[0];
    expect(scene.cloud.pointCount).toBe(123_389);
    expect(new Set(Array.from(scene.cloud.instance).filter((id) => id !== 0)).size).toBe(14);
    // Instances are things: cars, bicycles, persons (README).
    const thingClasses = new Set<string>();
    for (let point = 0; point < scene.cloud.pointCount; point++) {
      if (scene.cloud.instance[point] !== 0) thingClasses.add(scene.classNames[scene.cloud.semantic[point]]);
    }
    for (const name of thingClasses) expect(['car', 'bicycle', 'person', 'bicyclist', 'motorcyclist', 'truck', 'other-vehicle', 'motorcycle']).toContain(name);
    expect(scene.classNames).toEqual(SEMANTIC_KITTI_CLASS_MAP.classNames);
  });
});

describe('adapters on generated folders', () => {
  it('reads an S3DIS room and maps an unknown class to other without failing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pointclick-s3dis-'));
    try {
      const annotations = join(root, 'Area_1', 'office_1', 'Annotations');
      await mkdir(annotations, { recursive: true });
      await writeFile(join(annotations, 'chair_1.txt'), '0 0 0 10 20 30\n0 0 1 10 20 30\n');
      await writeFile(join(annotations, 'wall_1.txt'), '1 0 0 200 200 200\n');
      await writeFile(join(annotations, 'robot_1.txt'), '2 2 2 5 5 5\n2 2 3 5 5 5\n');
      expect(await detectDatasetLayout(root)).toBe('s3dis');
      const [scene] = await collectScenes(readS3disDataset(root));
      expect(scene.id).toBe('Area_1/office_1');
      expect(scene.cloud.pointCount).toBe(5);
      const byPoint = Array.from({ length: 5 }, (_, point) => [scene.cloud.positions[point * 3 + 2], scene.classNames[scene.cloud.semantic[point]]]);
      expect(byPoint.filter(([, name]) => name === 'chair').length).toBe(2);
      expect(byPoint.filter(([, name]) => name === 'wall').length).toBe(1);
      expect(byPoint.filter(([, name]) => name === 'other').length).toBe(2);
      expect(new Set(scene.cloud.instance).size).toBe(3);
      expect(scene.classNames).toEqual(S3DIS_CLASS_MAP.classNames);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('maps unknown source ids to other in every class map', () => {
    for (const classMap of [NYU40_CLASS_MAP, SCANNET20_CLASS_MAP, S3DIS_CLASS_MAP, SEMANTIC_KITTI_CLASS_MAP]) {
      const mapped = mapSemanticIds(classMap, [0, 123_456, -7]);
      expect(Array.from(mapped)).toEqual([0, classMap.otherIndex, classMap.otherIndex]);
      expect(classMap.classNames[classMap.otherIndex]).toBe('other');
      expect(classMap.classNames[0]).toBe('unlabeled');
    }
    expect(SCANNET20_CLASS_MAP.classNames.length).toBe(22);
    expect(S3DIS_CLASS_MAP.classNames.length).toBe(15);
    expect(SEMANTIC_KITTI_CLASS_MAP.classNames.length).toBe(21);
    expect(mapSemanticIds(SEMANTIC_KITTI_CLASS_MAP, [252, 10, 254, 30])).toEqual(Int32Array.of(1, 1, 6, 6));
  });

  it('reports an unknown layout', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pointclick-empty-'));
    try {
      expect(await detectDatasetLayout(root)).toBe('unknown');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
