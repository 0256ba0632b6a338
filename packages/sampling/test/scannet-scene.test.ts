import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  downsampleVoxelGrid, drawTrainingClicks, NeighborIndex, sampleClickCandidates, sampleFarthestPoints, SurfaceGraph, transferLabels,
} from '../src/index.js';

const dataRoot = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const sceneDirectory = join(dataRoot, 'scannet-votenet');
const vertexPath = join(sceneDirectory, 'scene0000_00_vert.npy');
const instancePath = join(sceneDirectory, 'scene0000_00_ins_label.npy');
const available = existsSync(vertexPath) && existsSync(instancePath);
if (!available) console.warn(`[sampling] skipping ScanNet tests: ${vertexPath} or ${instancePath} not found (set POINTCLICK_SHARED_DATA)`);

/** Minimal NPY v1/v2 reader for little-endian C-order arrays (the io package owns the full one). */
function readNpy(path: string): { descr: string; shape: number[]; data: Buffer } {
  const bytes = readFileSync(path);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').filter((part) => part.trim() !== '').map(Number);
  expect(header).toMatch(/'fortran_order':\s*False/);
  return { descr, shape, data: bytes.subarray(headerStart + headerLength) };
}

/**
 * Textbook Dijkstra on the graph's public rows (binary heap of [distance, point] pairs, lazy deletion,
 * float64 sums), stopped at `limit`: the reference the shipped searches must equal to the bit.
 */
function referenceDistances(graph: SurfaceGraph, source: number, limit: number): Float32Array {
  const distances = new Float64Array(graph.pointCount).fill(Infinity);
  const done = new Uint8Array(graph.pointCount);
  const heap: [number, number][] = [[0, source]];
  distances[source] = 0;
  const less = (a: number, b: number): boolean => heap[a][0] < heap[b][0];
  while (heap.length > 0) {
    const [distance, point] = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let position = 0; ;) {
        let child = position * 2 + 1;
        if (child >= heap.length) break;
        if (child + 1 < heap.length && less(child + 1, child)) child++;
        if (!less(child, position)) break;
        [heap[position], heap[child]] = [heap[child], heap[position]];
        position = child;
      }
    }
    if (done[point]) continue;
    done[point] = 1;
    for (let edge = graph.offsets[point]; edge < graph.offsets[point + 1]; edge++) {
      const other = graph.targets[edge];
      const candidate = distance + graph.costs[edge];
      if (candidate >= limit || candidate >= distances[other]) continue;
      distances[other] = candidate;
      heap.push([candidate, other]);
      for (let position = heap.length - 1; position > 0;) {
        const parent = (position - 1) >> 1;
        if (!less(position, parent)) break;
        [heap[position], heap[parent]] = [heap[parent], heap[position]];
        position = parent;
      }
    }
  }
  return Float32Array.from(distances, (distance) => (distance < limit ? distance : limit));
}

describe.skipIf(!available)('ScanNet scene0000_00 (real data)', () => {
  const load = () => {
    const vertices = readNpy(vertexPath);
    const labels = readNpy(instancePath);
    expect(vertices.descr).toBe('<f4');
    expect(labels.descr).toBe('<u4');
    const pointCount = vertices.shape[0];
    const table = new Float32Array(vertices.data.buffer.slice(vertices.data.byteOffset, vertices.data.byteOffset + pointCount * 24));
    const positions = new Float32Array(pointCount * 3); // [pointCount, 3]
    const colors = new Uint8Array(pointCount * 3); // [pointCount, 3]
    for (let point = 0; point < pointCount; point++) {
      for (let axis = 0; axis < 3; axis++) {
        positions[point * 3 + axis] = table[point * 6 + axis];
        colors[point * 3 + axis] = table[point * 6 + 3 + axis];
      }
    }
    const instance = new Int32Array(new Uint32Array(labels.data.buffer.slice(labels.data.byteOffset, labels.data.byteOffset + pointCount * 4)));
    return { pointCount, positions, colors, instance, shape: vertices.shape };
  };

  it('samples click candidates for all 67 instances and draws 30–50 clicks', () => {
    const { pointCount, positions, instance, shape } = load();
    expect(shape).toEqual([50000, 6]);
    const ids = new Set(instance);
    ids.delete(0);
    expect(ids.size).toBe(67); // per the data README
    const candidates = sampleClickCandidates(positions, instance, { seed: 0 });
    expect(candidates.size).toBe(67);
    let total = 0;
    for (const [id, points] of candidates) {
      expect(points.length).toBeGreaterThanOrEqual(1);
      expect(points.length).toBeLessThanOrEqual(15);
      for (const point of points) {
        expect(point).toBeLessThan(pointCount);
        expect(instance[point]).toBe(id);
      }
      total += points.length;
    }
    expect(total).toBeGreaterThan(67);
    const clicks = drawTrainingClicks(candidates, { seed: 0 });
    expect(clicks.length).toBeGreaterThanOrEqual(30);
    expect(clicks.length).toBeLessThanOrEqual(50);
  });

  it('voxel grid at 5 cm: means stay inside their cells and labels transfer back by majority', () => {
    const { pointCount, positions, colors, instance } = load();
    const grid = downsampleVoxelGrid(positions, 0.05, { colors, computeMeans: true });
    expect(grid.voxelCount).toBeGreaterThan(1000);
    expect(grid.voxelCount).toBeLessThan(pointCount);
    // Label each voxel by its representative point, then transfer back: most points agree (a room's
    // instances are mostly larger than 5 cm), and every kept point keeps its own label.
    const voxelLabels = new Int32Array(grid.voxelCount).map((_, voxel) => instance[grid.keptIndices[voxel]]);
    const transferred = transferLabels(grid.pointToVoxel, voxelLabels);
    let agree = 0;
    for (let point = 0; point < pointCount; point++) if (transferred[point] === instance[point]) agree++;
    expect(agree / pointCount).toBeGreaterThan(0.8);
    for (const kept of grid.keptIndices) expect(transferred[kept]).toBe(instance[kept]);
  });

  it('FPS of 1024 points covers the room better than random and kNN agrees with a brute-force check', () => {
    const { pointCount, positions } = load();
    const samples = sampleFarthestPoints(positions, 1024, { seed: 1 });
    const sampledPositions = new Float32Array(1024 * 3);
    samples.forEach((point, rank) => sampledPositions.set(positions.subarray(point * 3, point * 3 + 3), rank * 3));
    const index = new NeighborIndex(sampledPositions);
    const { distances } = index.knn(positions, 1);
    let coverage = 0;
    for (const distance of distances) coverage = Math.max(coverage, distance);
    // Brute-force the nearest sample for a few points.
    for (let point = 0; point < pointCount; point += 5000) {
      let best = Infinity;
      for (let rank = 0; rank < 1024; rank++) {
        best = Math.min(best, Math.hypot(positions[point * 3] - sampledPositions[rank * 3], positions[point * 3 + 1] - sampledPositions[rank * 3 + 1], positions[point * 3 + 2] - sampledPositions[rank * 3 + 2]));
      }
      expect(distances[point]).toBeCloseTo(best, 5);
    }
    // The same count of random points leaves larger holes (a larger covering radius).
    const randomPositions = new Float32Array(1024 * 3);
    for (let rank = 0; rank < 1024; rank++) {
      const point = (rank * 48_821) % pointCount;
      randomPositions.set(positions.subarray(point * 3, point * 3 + 3), rank * 3);
    }
    const randomDistances = new NeighborIndex(randomPositions).knn(positions, 1).distances;
    let randomCoverage = 0;
    for (const distance of randomDistances) randomCoverage = Math.max(randomCoverage, distance);
    expect(coverage).toBeLessThan(randomCoverage);
  });

  it('measures geodesic distances (wasm and JavaScript searches) exactly as a textbook Dijkstra', () => {
    // The segmenter's graph: 2 cm voxel means coloured by their mean colour, 12 neighbours, the decoder's 4 m cap.
    const { positions, colors } = load();
    const grid = downsampleVoxelGrid(positions, 0.02, { colors, computeMeans: true });
    const options = { colors: grid.meanColors!, neighborCount: 12, colorWeight: 4 };
    const wasm = new SurfaceGraph(grid.meanPositions!, options);
    const javascript = new SurfaceGraph(grid.meanPositions!, { ...options, searchKernel: 'javascript' });
    expect(wasm.costs.reduce((least, cost) => Math.min(least, cost), Infinity)).toBeGreaterThan(0); // no zero-cost edge, so both take the bucket queue
    let reached = 0;
    for (let source = 0; source < wasm.pointCount; source += Math.floor(wasm.pointCount / 6)) {
      const expected = referenceDistances(wasm, source, 4);
      expect(wasm.distancesFrom(source, 4)).toEqual(expected);
      expect(javascript.distancesFrom(source, 4)).toEqual(expected);
      reached += expected.filter((distance) => distance < Math.fround(4)).length;
    }
    expect(reached).toBeGreaterThan(wasm.pointCount); // the searches reach a good share of the room
  });
});
