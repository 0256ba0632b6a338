import { describe, expect, it } from 'vitest';
import { createRandom, NeighborIndex, SamplingInputError, SurfaceGraph } from '../src/index.js';
import { makeRandomCloud } from './test-clouds.js';

/** Points along x at `spacing` metres, starting at `start`. */
function line(count: number, spacing: number, start: [number, number, number] = [0, 0, 0]): number[] {
  const values: number[] = [];
  for (let index = 0; index < count; index++) values.push(start[0] + index * spacing, start[1], start[2]);
  return values;
}

/**
 * The graph's rows as SurfaceGraph built them before the edge flags (each list entry's mutual-pair test run in
 * both passes): the reference the current construction must match entry for entry.
 */
function referenceRows(positions: Float32Array, colors: Uint8Array | undefined, neighborCount: number, colorWeight: number) {
  const pointCount = positions.length / 3;
  const k = Math.min(neighborCount + 1, pointCount);
  const { indices, distances } = new NeighborIndex(positions).knn(positions, k);
  const listed = (owner: number, point: number) => Array.from(indices.subarray(owner * k, owner * k + k)).includes(point);
  const skipped = (point: number, other: number) => other === point || (other < point && listed(other, point));
  const degree = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    for (let slot = 0; slot < k; slot++) {
      const other = indices[point * k + slot];
      if (skipped(point, other)) continue;
      degree[point]++;
      degree[other]++;
    }
  }
  const offsets = new Int32Array(pointCount + 1);
  for (let point = 0; point < pointCount; point++) offsets[point + 1] = offsets[point] + degree[point];
  const targets = new Int32Array(offsets[pointCount]);
  const costs = new Float32Array(offsets[pointCount]);
  const fill = offsets.slice(0, pointCount);
  for (let point = 0; point < pointCount; point++) {
    for (let slot = 0; slot < k; slot++) {
      const other = indices[point * k + slot];
      if (skipped(point, other)) continue;
      let cost = distances[point * k + slot];
      if (colors && colorWeight > 0) {
        const red = (colors[point * 3] - colors[other * 3]) / 255;
        const green = (colors[point * 3 + 1] - colors[other * 3 + 1]) / 255;
        const blue = (colors[point * 3 + 2] - colors[other * 3 + 2]) / 255;
        cost *= 1 + colorWeight * Math.sqrt(red * red + green * green + blue * blue);
      }
      targets[fill[point]] = other;
      costs[fill[point]++] = cost;
      targets[fill[other]] = point;
      costs[fill[other]++] = cost;
    }
  }
  return { offsets, targets, costs };
}

describe('SurfaceGraph', () => {
  it('builds the same rows, entry for entry, as the two-scan construction it replaced (coloured and not)', () => {
    const random = createRandom(44);
    const positions = makeRandomCloud(2000, 45);
    const colors = Uint8Array.from({ length: positions.length }, () => random.nextInt(256));
    for (const pointColors of [colors, undefined]) {
      const graph = new SurfaceGraph(positions, { colors: pointColors, neighborCount: 9, colorWeight: 4 });
      const reference = referenceRows(positions, pointColors, 9, 4);
      expect(graph.offsets).toEqual(reference.offsets);
      expect(graph.targets).toEqual(reference.targets);
      expect(graph.costs).toEqual(reference.costs);
      expect(graph.targets.length).toBeGreaterThan(2000 * 9);
    }
  });

  it('measures distances along a line as path lengths', () => {
    const graph = new SurfaceGraph(Float32Array.from(line(20, 0.1)), { neighborCount: 2 });
    const distances = graph.distancesFrom(5, 100);
    for (let point = 0; point < 20; point++) expect(distances[point]).toBeCloseTo(Math.abs(point - 5) * 0.1, 5);
  });

  it('follows the surface around a gap instead of the straight line', () => {
    // A U: two parallel rows 1 m apart joined at x = 0 by a column of points; the rows' far ends are 1 m
    // apart in space but 2·1.9 + 1 m apart along the U.
    const spacing = 0.1;
    const bottom = line(20, spacing);
    const top = line(20, spacing, [0, 1, 0]);
    const column: number[] = [];
    for (let step = 1; step < 10; step++) column.push(0, step * spacing, 0);
    const positions = Float32Array.from([...bottom, ...top, ...column]);
    const graph = new SurfaceGraph(positions, { neighborCount: 2 });
    const distances = graph.distancesFrom(19, 100); // far end of the bottom row
    expect(distances[39]).toBeCloseTo(1.9 + 1 + 1.9, 4); // far end of the top row
    expect(distances[39]).toBeGreaterThan(3);
  });

  it('charges colour changes and stops at the limit', () => {
    const positions = Float32Array.from(line(10, 0.1));
    const colors = new Uint8Array(30);
    for (let point = 5; point < 10; point++) colors.set([255, 0, 0], point * 3); // red from point 5 on
    const plain = new SurfaceGraph(positions, { neighborCount: 2, colors, colorWeight: 0 });
    const penalised = new SurfaceGraph(positions, { neighborCount: 2, colors, colorWeight: 4 });
    expect(plain.distancesFrom(0, 10)[9]).toBeCloseTo(0.9, 5);
    // The edge 4 → 5 crosses a colour change of Δ = 1 and costs 0.1 · (1 + 4) instead of 0.1.
    expect(penalised.distancesFrom(0, 10)[9]).toBeCloseTo(0.8 + 0.5, 5);
    const limited = penalised.distancesFrom(0, 0.45);
    expect(limited[4]).toBeCloseTo(0.4, 5);
    expect(Array.from(limited.subarray(5))).toEqual([0.45, 0.45, 0.45, 0.45, 0.45].map(Math.fround));
  });

  it('leaves unreachable points at the limit', () => {
    const positions = Float32Array.from([...line(3, 0.1), ...line(3, 0.1, [50, 0, 0])]);
    const distances = new SurfaceGraph(positions, { neighborCount: 2 }).distancesFrom(0, 7);
    expect(distances[2]).toBeCloseTo(0.2, 5);
    expect(Array.from(distances.subarray(3))).toEqual([7, 7, 7]);
  });

  it('stores each neighbour once per row, and both directions of every edge with the same cost', () => {
    const positions = makeRandomCloud(1500, 41);
    const graph = new SurfaceGraph(positions, { neighborCount: 8 });
    const costOf = new Map<string, number>();
    for (let point = 0; point < graph.pointCount; point++) {
      const row = Array.from(graph.targets.subarray(graph.offsets[point], graph.offsets[point + 1]));
      expect(new Set(row).size).toBe(row.length);
      expect(row.length).toBeGreaterThanOrEqual(8);
      row.forEach((other, index) => costOf.set(`${point}-${other}`, graph.costs[graph.offsets[point] + index]));
    }
    for (const [key, cost] of costOf) {
      const [point, other] = key.split('-');
      expect(costOf.get(`${other}-${point}`)).toBe(cost);
    }
  });

  it.each(['wasm', 'javascript'] as const)('gives the bucket-queue search in %s (finite limit) exactly the distances of the heap search (unbounded)', (searchKernel) => {
    // A coloured random cloud and a grid with long straight paths (many equal path lengths). The limits
    // rise, so the wasm search prunes its rows for 0.3 m first and again for 1 m and 4 m.
    const random = createRandom(43);
    const cloud = makeRandomCloud(3000, 42, [3, 2, 0.5]);
    const colors = Uint8Array.from({ length: cloud.length }, () => random.nextInt(256));
    const grid: number[] = [];
    for (let x = 0; x < 30; x++) for (let y = 0; y < 30; y++) grid.push(x * 0.05, y * 0.05, 0);
    for (const [positions, pointColors] of [[cloud, colors], [Float32Array.from(grid), undefined]] as const) {
      const graph = new SurfaceGraph(positions, { colors: pointColors, neighborCount: 10, searchKernel });
      let compared = 0;
      let mismatches = 0;
      for (const limit of [0.3, 1, 4]) {
        for (let source = 0; source < graph.pointCount; source += 97) {
          const unbounded = graph.distancesFrom(source, Infinity); // heap: no bucket count fits an infinite limit
          const bounded = graph.distancesFrom(source, limit);
          for (let point = 0; point < graph.pointCount; point++) {
            if (bounded[point] !== (unbounded[point] < limit ? unbounded[point] : Math.fround(limit))) mismatches++;
            if (unbounded[point] < limit) compared++;
          }
        }
      }
      expect(mismatches).toBe(0);
      expect(compared).toBeGreaterThan(1000);
    }
  });

  it('gives a smaller cap the same distances after the wasm rows were pruned for a larger one', () => {
    const random = createRandom(44);
    const positions = makeRandomCloud(2000, 45, [2, 2, 0.5]);
    const colors = Uint8Array.from({ length: positions.length }, () => random.nextInt(256));
    const wasm = new SurfaceGraph(positions, { colors, neighborCount: 12 });
    const javascript = new SurfaceGraph(positions, { colors, neighborCount: 12, searchKernel: 'javascript' });
    wasm.distancesFrom(0, 4); // prunes for 4 m
    for (let source = 0; source < wasm.pointCount; source += 211) {
      expect(wasm.distancesFrom(source, 0.5)).toEqual(javascript.distancesFrom(source, 0.5));
    }
  });

  it('measures coincident points (zero-cost edges) with the heap search', () => {
    const positions = Float32Array.from([...line(5, 0.1), 0.2, 0, 0]); // point 5 sits on point 2
    const graph = new SurfaceGraph(positions, { neighborCount: 2 });
    const distances = graph.distancesFrom(5, 10);
    expect(distances[2]).toBe(0);
    expect(distances[0]).toBeCloseTo(0.2, 5);
    expect(distances[4]).toBeCloseTo(0.2, 5);
  });

  it('charges an edge f + (1 − f)·sin θ of its cost with flatEdgeFactor f, θ between the given normals', () => {
    // A line whose first five points face up and last five face along x: the edge 4 → 5 is a 90° crease.
    const positions = Float32Array.from(line(10, 0.1));
    const normals = new Float32Array(30);
    for (let point = 0; point < 10; point++) normals.set(point < 5 ? [0, 0, 1] : [1, 0, 0], point * 3);
    const flat = new SurfaceGraph(positions, { neighborCount: 2, normals, flatEdgeFactor: 0.25 }).distancesFrom(0, 10);
    expect(flat[4]).toBeCloseTo(0.4 * 0.25, 6);
    expect(flat[5]).toBeCloseTo(0.4 * 0.25 + 0.1, 6); // the crease keeps its full length
    expect(flat[9]).toBeCloseTo(0.4 * 0.25 + 0.1 + 0.4 * 0.25, 6);
    // Factor 1 reads no normals: the rows are today's, entry for entry.
    const unchanged = new SurfaceGraph(positions, { neighborCount: 2, normals, flatEdgeFactor: 1 });
    expect(unchanged.costs).toEqual(new SurfaceGraph(positions, { neighborCount: 2 }).costs);
  });

  it('estimates normals when none are given: a plane shrinks by the factor, a wall standing on it less', () => {
    // A 1 m floor (z = 0) and a wall along its far edge (y = 0.95), 5 cm spacing.
    const values: number[] = [];
    for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) values.push(i * 0.05, j * 0.05, 0);
    for (let i = 0; i < 20; i++) for (let j = 1; j < 20; j++) values.push(i * 0.05, 0.95, j * 0.05);
    const positions = Float32Array.from(values);
    const plain = new SurfaceGraph(positions, { neighborCount: 8 }).distancesFrom(10 * 20, 10);
    const flat = new SurfaceGraph(positions, { neighborCount: 8, flatEdgeFactor: 0.25 }).distancesFrom(10 * 20, 10);
    const floorMiddle = 10 * 20 + 10; // 0.5 m from the source, 0.45 m from the wall
    expect(flat[floorMiddle] / plain[floorMiddle]).toBeCloseTo(0.25, 3);
    const wallTop = 400 + 10 * 19 + 18; // above the source, 0.9 m up the wall
    // Crossing the crease costs more than the discounted plane would: at least one 5 cm edge at full length.
    expect(flat[wallTop] - 0.25 * plain[wallTop]).toBeGreaterThan(0.05 * 0.75);
    expect(flat[wallTop]).toBeLessThan(plain[wallTop]);
  });

  it('rejects malformed input with typed errors naming the argument', () => {
    expect(() => new SurfaceGraph(new Float32Array(4))).toThrow(SamplingInputError);
    expect(() => new SurfaceGraph(new Float32Array(6), { colors: new Uint8Array(3) })).toThrow(/options\.colors/);
    expect(() => new SurfaceGraph(new Float32Array(6), { neighborCount: 0 })).toThrow(/options\.neighborCount/);
    expect(() => new SurfaceGraph(new Float32Array(6), { flatEdgeFactor: 0 })).toThrow(/options\.flatEdgeFactor/);
    expect(() => new SurfaceGraph(new Float32Array(6), { flatEdgeFactor: 1.5 })).toThrow(/options\.flatEdgeFactor/);
    expect(() => new SurfaceGraph(new Float32Array(6), { flatEdgeFactor: 0.5, normals: new Float32Array(3) })).toThrow(/options\.normals/);
    // @ts-expect-error: not a kernel name
    expect(() => new SurfaceGraph(new Float32Array(6), { searchKernel: 'gpu' })).toThrow(/options\.searchKernel/);
    const graph = new SurfaceGraph(Float32Array.from(line(3, 0.1)));
    expect(() => graph.distancesFrom(3, 1)).toThrow(/source/);
    expect(() => graph.distancesFrom(0, 0)).toThrow(/limit/);
  });
});
