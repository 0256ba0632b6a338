import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, NYU40_CLASS_MAP, SCANNET20_CLASS_MAP, toScannetNpyScene, type LabeledScene } from '../src/index.js';
import { collectScenes, detectDatasetLayout, readDataset } from '../src/node/index.js';
import { fitPlaneNormal, median } from './plane-normal.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const directory = join(sharedData, 'scannet-extra');
const available = existsSync(join(directory, 'scene0451_01.npy'));
if (!available) console.warn(`ScanNet npy adapter tests on scene0451_01 skipped: ${directory} not found (set POINTCLICK_SHARED_DATA)`);

/** Heights (z, metres) of the points of each class name. */
function heightsByClass(scene: LabeledScene): Map<string, number[]> {
  const heights = new Map<string, number[]>();
  for (let point = 0; point < scene.cloud.pointCount; point++) {
    const name = scene.classNames[scene.cloud.semantic[point]];
    const values = heights.get(name) ?? [];
    values.push(scene.cloud.positions[point * 3 + 2]);
    heights.set(name, values);
  }
  return heights;
}

describe.skipIf(!available)('ScanNet (N, 8) npy adapter on scannet-extra/scene0451_01', () => {
  let scene: LabeledScene;
  let heights: Map<string, number[]>;
  beforeAll(async () => {
    expect(await detectDatasetLayout(directory)).toBe('scannet-npy');
    [scene] = await collectScenes(readDataset(directory));
    heights = heightsByClass(scene);
  });

  it('reads 107,046 points and 45 objects (source instances 2–46; 1 is the unannotated remainder)', () => {
    expect(scene.id).toBe('scene0451_01');
    expect(scene.cloud.pointCount).toBe(107_046);
    expect(scene.classNames).toEqual(NYU40_CLASS_MAP.classNames);
    const ids = new Set(scene.cloud.instance);
    expect(ids.has(0)).toBe(true);
    ids.delete(0);
    expect(ids.size).toBe(45);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(45);
  });

  it('maps the class at the lowest height, flat and horizontal, to floor', () => {
    const medians = [...heights].filter(([, values]) => values.length > 1000).map(([name, values]) => [name, median(values)] as const);
    medians.sort((first, second) => first[1] - second[1]);
    expect(medians[0][0]).toBe('floor');
    const floor = heights.get('floor')!.sort((first, second) => first - second);
    expect(floor[Math.floor(floor.length * 0.95)] - floor[Math.floor(floor.length * 0.05)]).toBeLessThan(0.05);
    const normal = fitPlaneNormal(scene.cloud.positions, (point) => scene.classNames[scene.cloud.semantic[point]] === 'floor');
    expect(Math.abs(normal[2])).toBeGreaterThan(0.99);
  });

  it('maps vertical, room-high objects to wall, a ~0.75 m high horizontal top to table, and the ceiling height to other', () => {
    const wallIds = new Set<number>();
    for (let point = 0; point < scene.cloud.pointCount; point++) {
      if (scene.classNames[scene.cloud.semantic[point]] === 'wall' && scene.cloud.instance[point] !== 0) wallIds.add(scene.cloud.instance[point]);
    }
    let checkedWalls = 0;
    let roomHighWalls = 0;
    for (const id of wallIds) {
      const wallHeights: number[] = [];
      for (let point = 0; point < scene.cloud.pointCount; point++) if (scene.cloud.instance[point] === id) wallHeights.push(scene.cloud.positions[point * 3 + 2]);
      if (wallHeights.length < 1000) continue;
      const normal = fitPlaneNormal(scene.cloud.positions, (point) => scene.cloud.instance[point] === id);
      expect(Math.abs(normal[2]), `wall instance ${id}`).toBeLessThan(0.1);
      const verticalExtent = Math.max(...wallHeights) - Math.min(...wallHeights);
      expect(verticalExtent, `wall instance ${id}`).toBeGreaterThan(1);
      if (verticalExtent > 2) roomHighWalls++;
      checkedWalls++;
    }
    expect(checkedWalls).toBeGreaterThanOrEqual(3);
    expect(roomHighWalls).toBeGreaterThanOrEqual(2);
    const table = heights.get('table')!.sort((first, second) => first - second);
    expect(table[Math.floor(table.length * 0.9)]).toBeGreaterThan(0.65);
    expect(table[Math.floor(table.length * 0.9)]).toBeLessThan(0.85);
    // Source class 0 on objects (ceiling, props) is outside ScanNet20: 'other', most of it at ceiling height.
    expect(median(heights.get('other')!)).toBeGreaterThan(2.2);
    for (const name of heights.keys()) expect(['unlabeled', 'other', ...SCANNET20_CLASS_MAP.classNames]).toContain(name);
  });
});

describe('toScannetNpyScene on generated rows', () => {
  const cloudOf = (rows: [number, number][]) => ({
    pointCount: rows.length,
    positions: new Float32Array(rows.length * 3),
    attributes: { column_6: Float32Array.from(rows.map(([semantic]) => semantic)), column_7: Float32Array.from(rows.map(([, instance]) => instance)) },
  });

  it('maps 1-based ScanNet20 ids to NYU40, class 0 to other on objects and the remainder to unlabeled without instance', () => {
    const scene = toScannetNpyScene('scene0000_00', cloudOf([[2, 3], [14, 4], [20, 5], [12, 6], [0, 7], [0, 1], [1, 1]]));
    expect(Array.from(scene.cloud.semantic, (index) => scene.classNames[index])).toEqual(['floor', 'curtain', 'otherfurniture', 'counter', 'other', 'unlabeled', 'wall']);
    expect(Array.from(scene.cloud.instance)).toEqual([2, 3, 4, 5, 6, 0, 0]);
  });

  it('refuses semantic ids outside 0..20, instance ids below 1 and arrays without the label columns', () => {
    expect(() => toScannetNpyScene('scene0000_00', cloudOf([[21, 2]]))).toThrow(DatasetError);
    expect(() => toScannetNpyScene('scene0000_00', cloudOf([[3, 2], [21, 2]]))).toThrow(/scene0000_00\.npy, field 'column 6 \(semantic\)': point 1 has 21/);
    expect(() => toScannetNpyScene('scene0000_00', cloudOf([[3, 0]]))).toThrow(/column 7 \(instance\)': point 0 has 0/);
    expect(() => toScannetNpyScene('scene0000_00', cloudOf([[3.5, 2]]))).toThrow(/point 0 has 3.5/);
    expect(() => toScannetNpyScene('scene0000_00', { pointCount: 1, positions: new Float32Array(3) })).toThrow(/expected 8 columns/);
  });
});
