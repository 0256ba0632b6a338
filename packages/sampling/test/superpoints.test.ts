import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeSuperpoints, createRandom, SamplingInputError } from '../src/index.js';

const dataRoot = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const sceneDirectory = join(dataRoot, 'scannet-votenet');
const available = existsSync(sceneDirectory);
if (!available) console.warn(`[sampling] skipping superpoint purity on real rooms: ${sceneDirectory} not found (set POINTCLICK_SHARED_DATA)`);

/** The data of a little-endian C-order NPY v1/v2 file (the io package owns the full reader). */
function readNpyData(path: string): ArrayBuffer {
  const bytes = readFileSync(path);
  const headerLength = bytes[6] === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (bytes[6] === 1 ? 10 : 12) + headerLength;
  return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.byteLength);
}

function loadRoom(scene: string) {
  const table = new Float32Array(readNpyData(join(sceneDirectory, `${scene}_vert.npy`))); // [pointCount, 6]
  const instance = new Uint32Array(readNpyData(join(sceneDirectory, `${scene}_ins_label.npy`)));
  const pointCount = instance.length;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      positions[point * 3 + axis] = table[point * 6 + axis];
      colors[point * 3 + axis] = table[point * 6 + 3 + axis];
    }
  }
  return { positions, colors, instance };
}

/** Annotated points whose superpoint's majority (annotated) instance is their own, and the annotated count. */
function purityCounts(labels: Int32Array, count: number, instance: Uint32Array): { pure: number; annotated: number } {
  const votes = new Map<number, Map<number, number>>();
  let annotated = 0;
  for (let point = 0; point < labels.length; point++) {
    if (instance[point] === 0) continue; // unannotated: no instance to be pure about
    annotated++;
    let superpointVotes = votes.get(labels[point]);
    if (!superpointVotes) votes.set(labels[point], (superpointVotes = new Map<number, number>()));
    superpointVotes.set(instance[point], (superpointVotes.get(instance[point]) ?? 0) + 1);
  }
  expect(votes.size).toBeLessThanOrEqual(count);
  let pure = 0;
  for (const superpointVotes of votes.values()) pure += Math.max(...superpointVotes.values());
  return { pure, annotated };
}

/** Points on the floor z = 0 (a 2 m square) and on the sides and top of a 0.5 m box standing on it. */
function floorAndBox(seed: number): { positions: Float32Array; onBox: boolean[] } {
  const random = createRandom(seed);
  const points: number[] = [];
  const onBox: boolean[] = [];
  const spacing = 0.025;
  for (let x = -1; x <= 1; x += spacing) {
    for (let y = -1; y <= 1; y += spacing) {
      if (Math.abs(x) < 0.25 && Math.abs(y) < 0.25) continue; // under the box
      points.push(x + (random.next() - 0.5) * 0.004, y + (random.next() - 0.5) * 0.004, 0);
      onBox.push(false);
    }
  }
  for (let u = -0.25; u <= 0.25; u += spacing) {
    for (let v = 0.01; v <= 0.5; v += spacing) {
      for (const [x, y] of [[u, -0.25], [u, 0.25], [-0.25, u], [0.25, u]]) {
        points.push(x, y, v);
        onBox.push(true);
      }
    }
    for (let w = -0.25; w <= 0.25; w += spacing) {
      points.push(u, w, 0.5);
      onBox.push(true);
    }
  }
  return { positions: Float32Array.from(points), onBox };
}

describe('computeSuperpoints', () => {
  it('keeps floor and box apart (under 1 % of points on the seam) and the flat floor in few large superpoints', () => {
    const { positions, onBox } = floorAndBox(3);
    const { labels, count } = computeSuperpoints(positions);
    const boxLabels = new Set<number>();
    const floorLabels = new Set<number>();
    labels.forEach((label, point) => (onBox[point] ? boxLabels : floorLabels).add(label));
    // PCA normals blur along the 90° seam, so a seam superpoint may hold both sides; only a few such points.
    const votes = new Map<number, [number, number]>();
    labels.forEach((label, point) => {
      const vote = votes.get(label) ?? [0, 0];
      vote[onBox[point] ? 1 : 0]++;
      votes.set(label, vote);
    });
    let minority = 0;
    for (const [floor, box] of votes.values()) minority += Math.min(floor, box);
    expect(minority / labels.length).toBeLessThan(0.01);
    const floorPoints = onBox.filter((value) => !value).length;
    // Far fewer superpoints than points: the plane is not shattered.
    expect(floorLabels.size).toBeLessThan(floorPoints / 20);
    expect(count).toBe(new Set(labels).size);
  });

  it('splits a flat plane along a colour edge', () => {
    const points: number[] = [];
    const colors: number[] = [];
    for (let x = 0; x < 1; x += 0.02) {
      for (let y = 0; y < 1; y += 0.02) {
        points.push(x, y, 0);
        colors.push(...(x < 0.5 ? [200, 30, 30] : [30, 30, 200]));
      }
    }
    const positions = Float32Array.from(points);
    const { labels } = computeSuperpoints(positions, { colors: Uint8Array.from(colors) });
    const left = new Set<number>();
    const right = new Set<number>();
    labels.forEach((label, point) => (positions[point * 3] < 0.5 ? left : right).add(label));
    for (const label of left) expect(right.has(label)).toBe(false);
    // Without colours the same plane is no longer cut at x = 0.5.
    const plain = computeSuperpoints(positions).labels;
    const plainLeft = new Set<number>();
    let crossing = false;
    plain.forEach((label, point) => positions[point * 3] < 0.5 && plainLeft.add(label));
    plain.forEach((label, point) => { if (positions[point * 3] >= 0.5 && plainLeft.has(label)) crossing = true; });
    expect(crossing).toBe(true);
  });

  it('uses the normals it is given', () => {
    const points: number[] = [];
    for (let x = 0; x < 1; x += 0.02) for (let y = 0; y < 1; y += 0.02) points.push(x, y, 0);
    const positions = Float32Array.from(points);
    const pointCount = positions.length / 3;
    // Normals that turn by 90° at x = 0.5: the flat plane must split there.
    const normals = new Float32Array(pointCount * 3);
    for (let point = 0; point < pointCount; point++) normals.set(positions[point * 3] < 0.5 ? [0, 0, 1] : [1, 0, 0], point * 3);
    const { labels, normals: used } = computeSuperpoints(positions, { normals });
    expect(used).toBe(normals);
    const left = new Set<number>();
    labels.forEach((label, point) => positions[point * 3] < 0.5 && left.add(label));
    labels.forEach((label, point) => { if (positions[point * 3] >= 0.5) expect(left.has(label)).toBe(false); });
  });

  it('is deterministic and numbers superpoints 0..count−1 by first appearance', () => {
    const { positions } = floorAndBox(5);
    const first = computeSuperpoints(positions);
    const second = computeSuperpoints(positions);
    expect(Array.from(second.labels)).toEqual(Array.from(first.labels));
    let next = 0;
    for (const label of first.labels) {
      expect(label).toBeLessThanOrEqual(next);
      if (label === next) next++;
    }
    expect(next).toBe(first.count);
  });

  it('handles empty and single-point clouds', () => {
    expect(computeSuperpoints(new Float32Array(0)).count).toBe(0);
    const single = computeSuperpoints(Float32Array.of(1, 2, 3));
    expect(single.count).toBe(1);
    expect(Array.from(single.labels)).toEqual([0]);
  });

  it('names the bad argument', () => {
    const positions = Float32Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0);
    expect(() => computeSuperpoints(positions, { colors: new Uint8Array(3) })).toThrow(SamplingInputError);
    expect(() => computeSuperpoints(positions, { colors: new Uint8Array(3) })).toThrow(/options\.colors/);
    expect(() => computeSuperpoints(positions, { normals: new Float32Array(4) })).toThrow(/options\.normals/);
    expect(() => computeSuperpoints(positions, { scale: -1 })).toThrow(/options\.scale/);
    expect(() => computeSuperpoints(positions, { minimumSize: 0 })).toThrow(/options\.minimumSize/);
    expect(() => computeSuperpoints(Float32Array.of(0, 0, Number.NaN))).toThrow(/positions\[2\]/);
  });
});

describe.skipIf(!available)('computeSuperpoints on the 20 real ScanNet rooms', () => {
  it('has purity ≥ 97 % over all annotated points (mean superpoint size reported)', () => {
    const scenes = readdirSync(sceneDirectory).filter((name) => name.endsWith('_vert.npy')).map((name) => name.replace('_vert.npy', '')).sort();
    expect(scenes.length).toBeGreaterThan(0);
    let pure = 0;
    let annotated = 0;
    let points = 0;
    let superpoints = 0;
    for (const scene of scenes) {
      const { positions, colors, instance } = loadRoom(scene);
      const { labels, count } = computeSuperpoints(positions, { colors });
      const counts = purityCounts(labels, count, instance);
      pure += counts.pure;
      annotated += counts.annotated;
      points += instance.length;
      superpoints += count;
    }
    const purity = pure / annotated;
    console.log(`[sampling] superpoints on ${scenes.length} ScanNet rooms: purity ${(purity * 100).toFixed(2)} %, mean size ${(points / superpoints).toFixed(1)} points (${superpoints} superpoints)`);
    expect(purity).toBeGreaterThanOrEqual(0.97);
  });
});
