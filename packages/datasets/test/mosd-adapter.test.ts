import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcd, type PointCloud } from '@pointclick/io';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  MOSD_LEARN_GROUPS,
  MOSD_TRAINING_SCENE_IDS,
  MOSD_VALIDATION_SCENE_IDS,
  NYU40_CLASS_MAP,
  toMosdScene,
  type LabeledScene,
} from '../src/index.js';
import { collectScenes, detectDatasetLayout, readDataset } from '../src/node/index.js';
import { fitPlaneNormal, median } from './plane-normal.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const directory = join(sharedData, 'osd-learn');
const available = existsSync(join(directory, 'learn0.pcd'));
if (!available) console.warn(`mOSD adapter tests on real scans skipped: ${directory} not found (set POINTCLICK_SHARED_DATA)`);

const KINECT_FRAME_POINTS = 640 * 480;
const degrees = (radians: number) => (radians * 180) / Math.PI;
const instanceIds = (scene: LabeledScene) => [...new Set(scene.cloud.instance)].sort((first, second) => first - second);

describe.skipIf(!available)('mOSD adapter on the 45 learn scans', () => {
  const scenes: LabeledScene[] = [];
  const readMilliseconds: number[] = [];
  beforeAll(async () => {
    let started = performance.now();
    for await (const scene of readDataset(directory)) {
      readMilliseconds.push(performance.now() - started);
      scenes.push(scene);
      started = performance.now();
    }
    const points = scenes.map((scene) => scene.cloud.pointCount);
    const instances = scenes.map((scene) => instanceIds(scene).length);
    console.log(
      `mOSD learn: ${scenes.length} scans, ${Math.min(...points)}–${Math.max(...points)} points, ${Math.min(...instances)}–${Math.max(...instances)} instances ` +
        `(table + objects), read ${Math.round(Math.min(...readMilliseconds))}–${Math.round(Math.max(...readMilliseconds))} ms per scan`,
    );
  });

  it('detects the layout and reads learn0..learn44 in numeric order', async () => {
    expect(await detectDatasetLayout(directory)).toBe('mosd');
    expect(scenes.map((scene) => scene.id)).toEqual(Array.from({ length: 45 }, (_, scan) => `learn${scan}`));
  });

  it('keeps every valid point of the 640×480 frame and counts the dropped NaN points', () => {
    for (const scene of scenes) {
      const { pointCount, metadata } = scene.cloud;
      expect(pointCount, scene.id).toBeGreaterThan(150_000);
      expect(pointCount, scene.id).toBeLessThan(280_000);
      expect(pointCount + (metadata?.droppedPointCount ?? 0), scene.id).toBe(KINECT_FRAME_POINTS);
      expect(scene.cloud.attributes?.organizedIndex?.length, scene.id).toBe(pointCount);
      for (let point = 0; point < pointCount * 3; point++) if (!Number.isFinite(scene.cloud.positions[point])) throw new Error(`${scene.id}: non-finite coordinate ${point}`);
    }
  });

  it('has the table and at least two objects as instances in every scan, with table and otherprop classes', () => {
    for (const scene of scenes) {
      const ids = instanceIds(scene);
      expect(ids[0], scene.id).toBe(1);
      expect(ids.length, scene.id).toBeGreaterThanOrEqual(3);
      // Contiguous 1..K: the README numbers objects from 2 without gaps.
      expect(ids, scene.id).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
      expect(scene.classNames).toEqual(NYU40_CLASS_MAP.classNames);
      for (let point = 0; point < scene.cloud.pointCount; point++) {
        const className = scene.classNames[scene.cloud.semantic[point]];
        if (className !== (scene.cloud.instance[point] === 1 ? 'table' : 'otherprop')) throw new Error(`${scene.id} point ${point}: class ${className}, instance ${scene.cloud.instance[point]}`);
      }
    }
  });

  it('merges the disjoint parts of one object by label / 10, as the README says, on the raw labels of learn33', async () => {
    const path = join(directory, 'learn33.pcd');
    const raw = await readPcd(new Uint8Array(await readFile(path)), { fileName: path });
    const scene = scenes.find((candidate) => candidate.id === 'learn33')!;
    expect(scene.cloud.pointCount).toBe(raw.pointCount);
    const partsPerObject = new Map<number, Set<number>>();
    for (let point = 0; point < raw.pointCount; point++) {
      const label = raw.semantic![point];
      const expected = label < 10 ? 1 : Math.floor(label / 10);
      if (scene.cloud.instance[point] !== expected) throw new Error(`learn33 point ${point}: instance ${scene.cloud.instance[point]}, label ${label}`);
      partsPerObject.set(expected, (partsPerObject.get(expected) ?? new Set()).add(label));
    }
    // learn33 has objects split into two labelled parts (40/41, 50/51, 60/61) that must become one instance each.
    expect([...partsPerObject.values()].filter((parts) => parts.size > 1).length).toBeGreaterThanOrEqual(2);
  });

  it('levels every scan: the table plane is horizontal at z = 0 and the objects stand above it', async () => {
    const raw = await readPcd(new Uint8Array(await readFile(join(directory, 'learn2.pcd'))), { fileName: 'learn2.pcd' });
    const rawNormal = fitPlaneNormal(raw.positions, (point) => raw.semantic![point] < 10);
    // In the camera frame the table is far from horizontal (the Kinect looks down at it).
    expect(degrees(Math.acos(Math.abs(rawNormal[1])))).toBeGreaterThan(20);
    for (const scene of scenes) {
      const { positions, instance } = scene.cloud;
      const normal = fitPlaneNormal(positions, (point) => instance[point] === 1);
      expect(degrees(Math.acos(Math.abs(normal[2]))), scene.id).toBeLessThan(1);
      const heightsByInstance = new Map<number, number[]>();
      for (let point = 0; point < scene.cloud.pointCount; point++) {
        const heights = heightsByInstance.get(instance[point]) ?? [];
        heights.push(positions[point * 3 + 2]);
        heightsByInstance.set(instance[point], heights);
      }
      for (const [id, heights] of heightsByInstance) {
        if (id === 1) expect(Math.abs(median(heights)), scene.id).toBeLessThan(0.01);
        else expect(median(heights), `${scene.id} object ${id}`).toBeGreaterThan(0.02);
      }
    }
  });

  it('splits 15 validation and 30 training scans, disjoint, covering every scan and every scene group', async () => {
    expect(MOSD_VALIDATION_SCENE_IDS.length).toBe(15);
    expect(MOSD_TRAINING_SCENE_IDS.length).toBe(30);
    const validation = new Set(MOSD_VALIDATION_SCENE_IDS);
    expect(MOSD_TRAINING_SCENE_IDS.filter((id) => validation.has(id))).toEqual([]);
    expect([...MOSD_TRAINING_SCENE_IDS, ...MOSD_VALIDATION_SCENE_IDS].sort()).toEqual(scenes.map((scene) => scene.id).sort());
    for (const group of MOSD_LEARN_GROUPS) {
      const members = Array.from({ length: group.last - group.first + 1 }, (_, index) => `learn${group.first + index}`);
      const held = members.filter((id) => validation.has(id)).length;
      expect(held / members.length, group.name).toBeGreaterThanOrEqual(0.25);
      expect(held / members.length, group.name).toBeLessThanOrEqual(0.4);
    }
    const selected = await collectScenes(readDataset(directory, { sceneIds: [...MOSD_VALIDATION_SCENE_IDS] }));
    expect(selected.map((scene) => scene.id)).toEqual([...MOSD_VALIDATION_SCENE_IDS]);
  });

  it('thins a scan to a 1 cm grid on request, keeping every object', async () => {
    const [thinned] = await collectScenes(readDataset(directory, { sceneIds: ['learn35'], voxelSize: 0.01 }));
    const full = scenes.find((scene) => scene.id === 'learn35')!;
    expect(thinned.cloud.pointCount).toBeGreaterThan(5_000);
    expect(thinned.cloud.pointCount).toBeLessThan(full.cloud.pointCount / 5);
    expect(instanceIds(thinned)).toEqual(instanceIds(full));
    expect(thinned.cloud.pointCount + (thinned.cloud.metadata?.droppedPointCount ?? 0)).toBe(KINECT_FRAME_POINTS);
  });
});

/** A camera-frame scan (x right, y down, z forward) of a table tilted 40° towards the camera with one object on it. */
function syntheticCameraScan(labels: { table: number; object: number[] }, extra: { label: number; position: [number, number, number] }[] = []): PointCloud {
  const tilt = (40 * Math.PI) / 180;
  const points: { label: number; position: [number, number, number] }[] = [];
  // The table in a z-up world frame (z = 0 plane), the camera 0.8 m above its origin, pitched down by `tilt`.
  const toCamera = (x: number, y: number, z: number): [number, number, number] => {
    const up = z - 0.8;
    // Camera axes in world coordinates: right (1,0,0), down (0, −sin t, −cos t)… built from pitch about x.
    const forward = y * Math.cos(tilt) - up * Math.sin(tilt);
    const down = -(y * Math.sin(tilt) + up * Math.cos(tilt));
    return [x, down, forward];
  };
  for (let row = 0; row < 20; row++) for (let column = 0; column < 20; column++) points.push({ label: labels.table, position: toCamera(column * 0.05 - 0.5, 0.5 + row * 0.05, 0) });
  labels.object.forEach((label, part) => {
    for (let index = 0; index < 10; index++) points.push({ label, position: toCamera(part * 0.2, 0.9, 0.05 + index * 0.01) });
  });
  points.push(...extra);
  return {
    pointCount: points.length,
    positions: Float32Array.from(points.flatMap((point) => point.position)),
    semantic: Int32Array.from(points.map((point) => point.label)),
  };
}

describe('toMosdScene on generated scans', () => {
  it('levels a tilted table to z = 0, merges object parts and drops label-0 points', () => {
    const cloud = syntheticCameraScan({ table: 3, object: [20, 21] }, [{ label: 0, position: [0.1, 0.1, 1] }]);
    const scene = toMosdScene('learn99', cloud);
    expect(scene.cloud.pointCount).toBe(cloud.pointCount - 1);
    expect(scene.cloud.metadata?.droppedPointCount).toBe(1);
    expect(instanceIds(scene)).toEqual([1, 2]);
    expect(Array.from(scene.cloud.attributes!.mosdLabel as Int32Array).filter((label) => label >= 20).sort()).toEqual([...new Array<number>(10).fill(20), ...new Array<number>(10).fill(21)]);
    for (let point = 0; point < scene.cloud.pointCount; point++) {
      const height = scene.cloud.positions[point * 3 + 2];
      if (scene.cloud.instance[point] === 1) expect(Math.abs(height)).toBeLessThan(1e-5);
      else expect(height).toBeGreaterThan(0.049);
    }
    // The object stands 0.9 m ahead of the camera's foot point, on the table: horizontal distance is kept.
    const objectPoint = scene.cloud.instance.indexOf(2);
    expect(scene.cloud.positions[objectPoint * 3 + 1]).toBeCloseTo(0.9, 4);
  });

  it('refuses labels outside the README scheme and a scan without table points', () => {
    expect(() => toMosdScene('learn98', syntheticCameraScan({ table: 1, object: [15] }))).toThrow(DatasetError);
    expect(() => toMosdScene('learn98', syntheticCameraScan({ table: 1, object: [15] }))).toThrow(/learn98, field 'label': point 400 has label 15/);
    expect(() => toMosdScene('learn97', syntheticCameraScan({ table: 20, object: [30] }))).toThrow(/expected table points \(labels 1–9\)/);
    expect(() => toMosdScene('learn96', { pointCount: 1, positions: new Float32Array(3) })).toThrow(/mOSD per-point label/);
  });
});
