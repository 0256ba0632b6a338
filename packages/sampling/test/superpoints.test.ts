import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeSuperpoints, createRandom, NeighborIndex, SamplingInputError } from '../src/index.js';

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

/**
 * The segmentation written plainly in input point order — kNN in input order, edges numbered by (point, rank)
 * and sorted by (quantised weight level, edge number), union–find and the small-segment pass over every edge —
 * with the defaults of computeSuperpoints and the normals it used. The library works in the k-d tree's leaf
 * order for speed; its labels must be exactly these.
 */
function segmentInPointOrder(positions: Float32Array, colors: Uint8Array | undefined, normals: Float32Array): Int32Array {
  const pointCount = positions.length / 3;
  const [scale, normalWeight, colorWeight, distanceWeight, minimumSize] = [0.4, 1, 1.5, 0.05, 2];
  const k = Math.min(11, pointCount);
  const { indices, distances } = new NeighborIndex(positions).knn(positions, k);
  const nearest = Array.from({ length: pointCount }, (_, point) => distances[point * k + 1]).sort((a, b) => a - b);
  const spacing = nearest[pointCount >> 1];
  const edges: Array<{ source: number; target: number; weight: number }> = [];
  let heaviest = 0; // over the float64 weights, before they are stored as float32
  for (let point = 0; point < pointCount; point++) {
    for (let rank = 1; rank < k; rank++) {
      const neighbor = indices[point * k + rank];
      if (neighbor === point) continue;
      if (neighbor < point && indices.subarray(neighbor * k + 1, neighbor * k + k).includes(point)) continue;
      let cosine = 0;
      for (let axis = 0; axis < 3; axis++) cosine += normals[point * 3 + axis] * normals[neighbor * 3 + axis];
      let weight = normalWeight * Math.sqrt(Math.max(0, 1 - cosine * cosine));
      if (colors) {
        const [red, green, blue] = [0, 1, 2].map((channel) => colors[point * 3 + channel] - colors[neighbor * 3 + channel]);
        weight += (colorWeight * Math.sqrt(red * red + green * green + blue * blue)) / (255 * Math.sqrt(3));
      }
      if (spacing > 0) weight += distanceWeight * Math.max(0, distances[point * k + rank] / spacing - 1);
      heaviest = Math.max(heaviest, weight);
      edges.push({ source: point, target: neighbor, weight: Math.fround(weight) });
    }
  }
  const toLevel = 65535 / heaviest;
  const level = (weight: number) => Math.floor(weight * toLevel);
  const sorted = edges.map((edge, number) => ({ ...edge, number, level: level(edge.weight) })).sort((a, b) => a.level - b.level || a.number - b.number);
  const parent = Array.from({ length: pointCount }, (_, point) => point);
  const size = new Array<number>(pointCount).fill(1);
  const threshold = new Array<number>(pointCount).fill(scale);
  const find = (point: number): number => (parent[point] === point ? point : (parent[point] = find(parent[point])));
  const unite = (first: number, second: number): number => {
    const [root, child] = size[first] >= size[second] ? [first, second] : [second, first];
    parent[child] = root;
    size[root] += size[child];
    return root;
  };
  for (const { source, target, weight } of sorted) {
    const [first, second] = [find(source), find(target)];
    if (first !== second && weight <= threshold[first] && weight <= threshold[second]) threshold[unite(first, second)] = weight + scale / size[find(first)];
  }
  for (const { source, target } of sorted) {
    const [first, second] = [find(source), find(target)];
    if (first !== second && (size[first] < minimumSize || size[second] < minimumSize)) unite(first, second);
  }
  const labelOfRoot = new Map<number, number>();
  return Int32Array.from({ length: pointCount }, (_, point) => {
    const root = find(point);
    if (!labelOfRoot.has(root)) labelOfRoot.set(root, labelOfRoot.size);
    return labelOfRoot.get(root)!;
  });
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

  it('labels exactly as the same algorithm written plainly in input point order (ties and duplicates too)', () => {
    const { positions } = floorAndBox(9);
    // Coarsely rounded: many equal distances and coincident points, so every tie-break is exercised.
    const rounded = positions.map((value) => Math.round(value * 30) / 30);
    const random = createRandom(4);
    const colors = Uint8Array.from({ length: positions.length }, () => 100 + random.nextInt(40));
    for (const [cloud, cloudColors] of [[positions, colors], [rounded, undefined], [rounded, colors]] as const) {
      const result = computeSuperpoints(cloud, { colors: cloudColors });
      expect(Array.from(result.labels)).toEqual(Array.from(segmentInPointOrder(cloud, cloudColors, result.normals)));
    }
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
      const { labels, count, normals } = computeSuperpoints(positions, { colors });
      // One real room also against the plain point-order version of the algorithm: identical labels.
      if (scene === scenes[0]) expect(Array.from(labels)).toEqual(Array.from(segmentInPointOrder(positions, colors, normals)));
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
