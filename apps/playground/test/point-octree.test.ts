/**
 * The level-of-detail octree and the node choice (plain TypeScript, run in Node): the build puts every point in
 * exactly one node with at most one point per grid cell above the leaves; the choice keeps to the budget, takes
 * parents before children and near nodes before far ones; the ids drawn for a coarse node pick back to real
 * points at the drawn positions. three.js only makes the test's cameras.
 */
import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { generateIndoorScene } from '@pointclick/datasets';
import { buildPointOctree, OctreeInputError, type OctreeNode } from '../src/lod/point-octree.js';
import { OctreeIndex, selectOctreeNodes, type OctreeView } from '../src/lod/octree-node-selection.js';
import { gatherPointPositions, joinPointIdHalves, splitPointIds } from '../src/lod/octree-node-data.js';

const GRID = 32;
const LEAF = 2_000;

/** A generated room (about 6 × 5 × 3 m), copied `tiles` times along x with a gap of `gap` metres. */
function tiledRoom(pointCount: number, tiles: number, gap: number): Float32Array {
  const room = generateIndoorScene({ seed: 5, pointCount, ceiling: false }).positions;
  let width = 0;
  for (let point = 0; point < pointCount; point++) width = Math.max(width, room[point * 3]);
  const positions = new Float32Array(room.length * tiles);
  for (let tile = 0; tile < tiles; tile++) {
    positions.set(room, tile * room.length);
    for (let point = 0; point < pointCount; point++) positions[(tile * pointCount + point) * 3] += tile * (width + gap);
  }
  return positions;
}

function buildAll(positions: Float32Array, options = { gridResolution: GRID, maxLeafPoints: LEAF }): OctreeNode[] {
  // The build's ids are views of one shared array, final once yielded.
  return [...buildPointOctree(positions, options)];
}

function indexOf(nodes: OctreeNode[]): OctreeIndex {
  const index = new OctreeIndex();
  for (const node of nodes) index.add({ ...node, pointCount: node.pointIds.length });
  return index;
}

function viewOf(camera: THREE.PerspectiveCamera, viewportHeight = 800): OctreeView {
  camera.updateMatrixWorld();
  camera.updateProjectionMatrix();
  const viewProjection = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
  return {
    cameraPosition: [camera.position.x, camera.position.y, camera.position.z],
    viewProjection: viewProjection.elements,
    fieldOfView: THREE.MathUtils.degToRad(camera.fov),
    viewportHeight,
  };
}

function cameraAt(position: [number, number, number], target: [number, number, number]): THREE.PerspectiveCamera {
  const camera = new THREE.PerspectiveCamera(55, 1280 / 800, 0.01, 1000);
  camera.up.set(0, 0, 1);
  camera.position.set(...position);
  camera.lookAt(...target);
  return camera;
}

describe('buildPointOctree', () => {
  const positions = tiledRoom(60_000, 4, 1);
  const pointCount = positions.length / 3;
  const nodes = buildAll(positions);

  it('puts every point in exactly one node, inside the node cube, parents before children', () => {
    const seen = new Uint8Array(pointCount);
    for (const node of nodes) {
      expect(node.pointIds.length).toBeGreaterThan(0);
      if (node.index > 0) {
        const parent = nodes[node.parentIndex];
        expect(node.parentIndex).toBeLessThan(node.index);
        expect(node.level).toBe(parent.level + 1);
        expect(node.size).toBeCloseTo(parent.size / 2, 9);
      }
      const tolerance = node.size * 1e-6;
      for (const pointId of node.pointIds) {
        seen[pointId]++;
        for (let axis = 0; axis < 3; axis++) {
          const value = positions[pointId * 3 + axis];
          if (value < node.minimum[axis] - tolerance || value > node.minimum[axis] + node.size + tolerance) {
            throw new Error(`point ${pointId} (${'xyz'[axis]} = ${value}) lies outside node ${node.index}'s cube`);
          }
        }
      }
    }
    expect(seen.every((count) => count === 1)).toBe(true);
    expect(nodes.reduce((sum, node) => sum + node.pointIds.length, 0)).toBe(pointCount);
    // Breadth first: levels never go back up, so the coarse levels are complete before any finer one.
    for (let index = 1; index < nodes.length; index++) expect(nodes[index].level).toBeGreaterThanOrEqual(nodes[index - 1].level);
    expect(nodes.at(-1)!.level).toBeGreaterThanOrEqual(3);
  });

  it('keeps one point per grid cell in inner nodes and all points in leaves', () => {
    const hasChildren = new Set(nodes.map((node) => node.parentIndex));
    for (const node of nodes) {
      if (!hasChildren.has(node.index)) {
        // A leaf: either small enough or at the depth limit.
        expect(node.pointIds.length).toBeLessThanOrEqual(LEAF);
        continue;
      }
      const cells = new Set<number>();
      for (const pointId of node.pointIds) {
        const cell = [0, 1, 2].map((axis) => Math.min(GRID - 1, Math.max(0, Math.floor(((positions[pointId * 3 + axis] - node.minimum[axis]) / node.size) * GRID))));
        cells.add((cell[2] * GRID + cell[1]) * GRID + cell[0]);
      }
      expect(cells.size, `node ${node.index}: one point per occupied cell`).toBe(node.pointIds.length);
    }
    // The root is an even subsample of the whole scan, far smaller than it.
    expect(nodes[0].pointIds.length).toBeLessThan(pointCount / 5);
  });

  it('ends at the depth limit for coincident points, still with every point once', () => {
    const same = new Float32Array(3 * 5_000).fill(1.25);
    const built = buildAll(same, { gridResolution: GRID, maxLeafPoints: 100 });
    const deepest = built.at(-1)!;
    expect(deepest.level).toBe(24);
    expect(built.reduce((sum, node) => sum + node.pointIds.length, 0)).toBe(5_000);
  });

  it('names the bad point or option in typed errors', () => {
    const broken = new Float32Array([0, 0, 0, 1, Number.NaN, 1]);
    expect(() => buildAll(broken)).toThrow(OctreeInputError);
    expect(() => buildAll(broken)).toThrow(/point 1 has y = NaN; expected a finite coordinate/);
    expect(() => buildAll(new Float32Array(4))).toThrow(/length 4; expected a multiple of 3/);
    expect(() => buildAll(positions, { gridResolution: 33, maxLeafPoints: LEAF })).toThrow(/'gridResolution' is 33; expected an even integer/);
    expect(buildAll(new Float32Array(0))).toEqual([]);
  });
});

describe('selectOctreeNodes', () => {
  // Two rooms 60 m apart: the camera stands in front of the first, the second is far behind it.
  const positions = tiledRoom(60_000, 2, 60);
  const nodes = buildAll(positions);
  const index = indexOf(nodes);
  const overview = viewOf(cameraAt([35, -50, 30], [35, 3, 0]));
  const nearFirst = viewOf(cameraAt([-8, 2.5, 3], [70, 2.5, 0]));

  it('keeps to the budget and takes every node’s parent first', () => {
    for (const pointBudget of [5_000, 20_000, 50_000, 100_000]) {
      for (const view of [overview, nearFirst]) {
        const selection = selectOctreeNodes(index.nodes, view, { pointBudget });
        expect(selection.pointCount).toBeLessThanOrEqual(pointBudget);
        expect(selection.pointCount).toBe(selection.nodes.reduce((sum, node) => sum + index.nodes[node].pointCount, 0));
        const position = new Map(selection.nodes.map((node, order) => [node, order]));
        for (const node of selection.nodes) {
          if (node === 0) continue;
          expect(position.get(nodes[node].parentIndex), `node ${node}'s parent comes before it`).toBeLessThan(position.get(node)!);
        }
      }
    }
    // A larger budget continues the same choice: the smaller one is its prefix.
    const small = selectOctreeNodes(index.nodes, nearFirst, { pointBudget: 20_000 });
    const large = selectOctreeNodes(index.nodes, nearFirst, { pointBudget: 60_000 });
    expect(large.nodes.slice(0, small.nodes.length)).toEqual(small.nodes);
    expect(large.pointCount).toBeGreaterThan(small.pointCount);
    // With room for every point and the whole scan in view, everything is drawn.
    expect(selectOctreeNodes(index.nodes, overview, { pointBudget: positions.length / 3 }).pointCount).toBe(positions.length / 3);
  });

  it('prefers the near room: more points and finer levels there than in the far one', () => {
    const selection = selectOctreeNodes(index.nodes, nearFirst, { pointBudget: 40_000 });
    let nearPoints = 0;
    let farPoints = 0;
    let nearLevel = 0;
    let farLevel = 0;
    for (const node of selection.nodes) {
      const x = index.nodes[node].center[0];
      if (index.nodes[node].radius > 20) continue; // nodes spanning both rooms
      if (x < 30) {
        nearPoints += index.nodes[node].pointCount;
        nearLevel = Math.max(nearLevel, nodes[node].level);
      } else {
        farPoints += index.nodes[node].pointCount;
        farLevel = Math.max(farLevel, nodes[node].level);
      }
    }
    // The far room is in view (drawn coarsely), not culled.
    expect(farPoints).toBeGreaterThan(0);
    expect(nearPoints).toBeGreaterThan(4 * farPoints);
    expect(nearLevel).toBeGreaterThan(farLevel);
  });

  it('leaves out nodes outside the view and nodes too small on screen', () => {
    // Looking from between the rooms at the second one: the first is behind the camera.
    const towardSecond = viewOf(cameraAt([40, 2, 2], [80, 2, 1]));
    const selection = selectOctreeNodes(index.nodes, towardSecond, { pointBudget: 100_000 });
    const behind = selection.nodes.filter((node) => index.nodes[node].radius < 20 && index.nodes[node].center[0] < 20);
    expect(selection.pointCount).toBeGreaterThan(0);
    expect(behind).toEqual([]);
    // From far away, a minimum node size on screen stops the descent long before the budget.
    const far = viewOf(cameraAt([35, -400, 200], [35, 3, 0]));
    const limited = selectOctreeNodes(index.nodes, far, { pointBudget: 120_000, minimumNodePixels: 28 });
    const unlimited = selectOctreeNodes(index.nodes, far, { pointBudget: 120_000 });
    expect(limited.pointCount).toBeLessThan(unlimited.pointCount / 2);
    expect(limited.nodes).toContain(0);
  });
});

describe('picking a coarse node', () => {
  it('resolves to a real point id whose position is the drawn vertex', () => {
    const positions = tiledRoom(60_000, 4, 1);
    const nodes = buildAll(positions);
    const index = indexOf(nodes);
    const camera = cameraAt([20, -60, 40], [14, 3, 0]);
    const view = viewOf(camera);
    // A budget that only holds the top levels.
    const selection = selectOctreeNodes(index.nodes, view, { pointBudget: nodes[0].pointIds.length + 3_000 });
    expect(selection.nodes[0]).toBe(0);
    expect(Math.max(...selection.nodes.map((node) => nodes[node].level))).toBeLessThanOrEqual(1);

    // What the viewer uploads per node: gathered positions and the ids as 16-bit halves. "Render" them as the
    // picking pass does: nearest drawn vertex to a pixel wins (depth breaks ties), its id read from the halves.
    const viewProjection = new THREE.Matrix4().fromArray(view.viewProjection);
    const drawn: { x: number; y: number; depth: number; id: number; position: number[] }[] = [];
    for (const node of selection.nodes) {
      const gathered = gatherPointPositions(positions, nodes[node].pointIds);
      const halves = splitPointIds(nodes[node].pointIds);
      for (let vertex = 0; vertex < nodes[node].pointIds.length; vertex++) {
        const position = [gathered[vertex * 3], gathered[vertex * 3 + 1], gathered[vertex * 3 + 2]];
        const projected = new THREE.Vector3(...position).applyMatrix4(viewProjection);
        drawn.push({ x: ((projected.x + 1) / 2) * 1280, y: ((1 - projected.y) / 2) * 800, depth: projected.z, id: joinPointIdHalves(halves[vertex * 2], halves[vertex * 2 + 1]), position });
      }
    }
    const drawnIds = new Set(selection.nodes.flatMap((node) => Array.from(nodes[node].pointIds)));
    for (const target of [drawn[17], drawn[Math.floor(drawn.length / 2)], drawn.at(-5)!]) {
      const hits = drawn.filter((vertex) => Math.hypot(vertex.x - target.x, vertex.y - target.y) <= 0.5);
      const picked = hits.reduce((best, vertex) => (vertex.depth < best.depth ? vertex : best));
      expect(drawnIds.has(picked.id)).toBe(true);
      expect(Array.from(positions.subarray(picked.id * 3, picked.id * 3 + 3))).toEqual(picked.position);
    }
    // The halves round-trip ids past 16 and 24 bits (a float attribute would not).
    const ids = Uint32Array.of(0, 65_535, 65_536, 16_777_217, 50_000_001, 4_294_967_294);
    const halves = splitPointIds(ids);
    expect(Array.from(ids, (_, slot) => joinPointIdHalves(halves[slot * 2], halves[slot * 2 + 1]))).toEqual(Array.from(ids));
    expect(halves.every((half) => Math.fround(half) === half)).toBe(true);
  });
});
