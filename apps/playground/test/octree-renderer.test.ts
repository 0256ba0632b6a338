/**
 * The level-of-detail renderer's provisional node (plain TypeScript and three.js objects, no WebGL): until the
 * octree's root arrives it draws a uniform subsample of the scan with real point ids and positions, coloured by the
 * page's colouring; the root replaces it.
 */
import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { generateIndoorScene } from '@pointclick/datasets';
import { OctreeRenderer, subsamplePointIds } from '../src/viewer/octree-renderer.js';
import { buildPointOctree } from '../src/lod/point-octree.js';
import { joinPointIdHalves } from '../src/lod/octree-node-data.js';

/** Colours every point by its id, so a drawn colour names the point it came from. */
function colorById(pointIds: Uint32Array, output: Uint8Array): void {
  pointIds.forEach((id, slot) => output.set([id % 251, Math.floor(id / 251) % 251, 7], slot * 3));
}

function camera(): THREE.PerspectiveCamera {
  const view = new THREE.PerspectiveCamera(55, 1280 / 800, 0.01, 1000);
  view.up.set(0, 0, 1);
  view.position.set(3, -8, 10);
  view.lookAt(3, 2.5, 0);
  return view;
}

describe('subsamplePointIds', () => {
  it('keeps every k-th id with the smallest k that fits the limit', () => {
    expect(Array.from(subsamplePointIds(10, 3))).toEqual([0, 4, 8]);
    expect(Array.from(subsamplePointIds(10, 5))).toEqual([0, 2, 4, 6, 8]);
    expect(Array.from(subsamplePointIds(4, 100))).toEqual([0, 1, 2, 3]);
    expect(subsamplePointIds(1_000_001, 250_000).length).toBeLessThanOrEqual(250_000);
  });
});

describe('OctreeRenderer before the root node arrives', () => {
  const positions = generateIndoorScene({ seed: 3, pointCount: 240_000, ceiling: false }).positions;
  const budget = 100_000;

  it('draws a uniform subsample with real point ids and positions, then the root replaces it', () => {
    const renderer = new OctreeRenderer(positions, new THREE.ShaderMaterial(), new THREE.ShaderMaterial(), budget, colorById);
    const frame = renderer.update(camera(), 800);
    // Every 3rd point: 80,000 of 240,000, within the budget.
    expect(frame).toEqual({ drawnPoints: 80_000, drawnNodes: 1, pending: false });
    expect(renderer.group.children).toHaveLength(1);
    const provisional = renderer.group.children[0] as THREE.Points;
    expect(provisional.visible).toBe(true);
    const halves = provisional.geometry.getAttribute('pointIdHalves');
    const drawnPositions = provisional.geometry.getAttribute('position');
    for (const slot of [0, 1, 12_345, 79_999]) {
      // What the picking shader writes for this vertex is the real point id, and the vertex sits at that point.
      const id = joinPointIdHalves(halves.getX(slot), halves.getY(slot));
      expect(id).toBe(slot * 3);
      expect([drawnPositions.getX(slot), drawnPositions.getY(slot), drawnPositions.getZ(slot)]).toEqual(Array.from(positions.subarray(id * 3, id * 3 + 3)));
    }
    expect(renderer.drawnColor(3 * 500)).toEqual([(3 * 500) % 251, Math.floor((3 * 500) / 251) % 251, 7]);
    expect(renderer.drawnColor(3 * 500 + 1)).toBeUndefined();

    // A new colouring refills it.
    renderer.setColoring((pointIds, output) => output.fill(9));
    renderer.update(camera(), 800);
    expect(renderer.drawnColor(0)).toEqual([9, 9, 9]);

    // The root arrives: the provisional node leaves the scene and its geometry is freed.
    let disposed = false;
    provisional.geometry.addEventListener('dispose', () => (disposed = true));
    const root = buildPointOctree(positions).next().value!;
    renderer.addNodes([root]);
    const after = renderer.update(camera(), 800);
    expect(after.drawnNodes).toBe(1);
    expect(after.drawnPoints).toBe(root.pointIds.length);
    expect(renderer.group.children).not.toContain(provisional);
    expect(disposed).toBe(true);
    expect(renderer.drawnColor(root.pointIds[0])).toEqual([9, 9, 9]);
    renderer.dispose();
    expect(renderer.group.children).toHaveLength(0);
  });
});

describe('OctreeRenderer: picking and partial recolouring', () => {
  const positions = generateIndoorScene({ seed: 5, pointCount: 120_000, ceiling: false }).positions;
  const nodes = [...buildPointOctree(positions, { maxLeafPoints: 4_000 })];
  const budget = 1_000_000;
  const displayMaterial = new THREE.ShaderMaterial();
  const pickMaterial = new THREE.ShaderMaterial();

  function drawnNodes(renderer: OctreeRenderer): THREE.Points[] {
    return renderer.group.children.filter((child) => child.visible) as THREE.Points[];
  }

  it('picks the provisional node with the picking material (its colours are not point ids)', () => {
    const renderer = new OctreeRenderer(positions, displayMaterial, pickMaterial, budget, colorById);
    renderer.update(camera(), 800);
    const provisional = renderer.group.children[0] as THREE.Points;
    renderer.setPicking(true);
    expect(provisional.material).toBe(pickMaterial);
    renderer.setPicking(false);
    expect(provisional.material).toBe(displayMaterial);
  });

  it('knows whether the last frame drew the current camera, all nodes uploaded', () => {
    const renderer = new OctreeRenderer(positions, displayMaterial, pickMaterial, budget, colorById);
    const view = camera();
    // Nothing is drawn before the first frame: a pick then would see nothing.
    expect(renderer.isDrawnFor(view)).toBe(false);
    renderer.update(view, 800);
    expect(renderer.isDrawnFor(view)).toBe(true);
    renderer.addNodes(nodes);
    // The provisional node was drawn, not the octree's nodes.
    expect(renderer.isDrawnFor(view)).toBe(false);
    renderer.update(view, 800);
    expect(renderer.isDrawnFor(view)).toBe(true);
    view.position.x += 0.5;
    expect(renderer.isDrawnFor(view)).toBe(false);
    renderer.update(view, 800);
    expect(renderer.isDrawnFor(view)).toBe(true);
  });

  it('draws only the nodes that reach the picked rectangle while picking, and restores them after', () => {
    const renderer = new OctreeRenderer(positions, displayMaterial, pickMaterial, budget, colorById);
    renderer.addNodes(nodes);
    const view = camera();
    renderer.update(view, 800);
    const drawn = drawnNodes(renderer);
    expect(drawn.length).toBeGreaterThan(4);
    // A 13 × 13 pixel rectangle at the middle of a 1280 × 800 view, as the viewer picks.
    view.setViewOffset(1280, 800, 634, 394, 13, 13);
    view.updateMatrixWorld();
    const frustum = new THREE.Frustum().setFromProjectionMatrix(new THREE.Matrix4().multiplyMatrices(view.projectionMatrix, view.matrixWorldInverse));
    renderer.setPicking(true, frustum);
    const picked = drawnNodes(renderer);
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.length).toBeLessThan(drawn.length);
    expect(picked.every((points) => points.material === pickMaterial)).toBe(true);
    // Every hidden node's points are outside the rectangle.
    for (const points of drawn.filter((node) => !picked.includes(node))) {
      const attribute = points.geometry.getAttribute('position');
      for (let slot = 0; slot < attribute.count; slot += 97) {
        expect(frustum.containsPoint(new THREE.Vector3(attribute.getX(slot), attribute.getY(slot), attribute.getZ(slot)))).toBe(false);
      }
    }
    renderer.setPicking(false);
    expect(drawnNodes(renderer)).toEqual(drawn);
    expect(drawn.every((points) => points.material === displayMaterial)).toBe(true);
  });

  it('after a change of some points, refills and re-uploads only the nodes that hold one of them', () => {
    const labels = new Int32Array(positions.length / 3);
    const coloring = (pointIds: Uint32Array, output: Uint8Array) => pointIds.forEach((id, slot) => output.set([labels[id], 0, 0], slot * 3));
    const renderer = new OctreeRenderer(positions, displayMaterial, pickMaterial, budget, coloring);
    renderer.addNodes(nodes);
    const view = camera();
    renderer.update(view, 800);
    const drawn = drawnNodes(renderer);
    const versions = () => drawn.map((points) => (points.geometry.getAttribute('pointColor') as THREE.BufferAttribute).version);
    const before = versions();
    // Label two points of the root node (always drawn).
    const changedNode = nodes[0];
    const changed = [changedNode.pointIds[3], changedNode.pointIds[7]];
    for (const point of changed) labels[point] = 200;
    renderer.setColoring(coloring, changed);
    renderer.update(view, 800);
    const after = versions();
    const refilled = drawn.filter((_, slot) => after[slot] !== before[slot]);
    expect(refilled).toHaveLength(1);
    expect(renderer.drawnColor(changed[0])).toEqual([200, 0, 0]);
    expect(renderer.drawnColor(changed[1])).toEqual([200, 0, 0]);
    expect(renderer.drawnColor(changedNode.pointIds[4])).toEqual([0, 0, 0]);
    // Without the changed points, every drawn node is refilled (a new colouring of everything).
    renderer.setColoring(coloring);
    renderer.update(view, 800);
    const all = versions();
    expect(drawn.every((_, slot) => all[slot] !== after[slot])).toBe(true);
  });
});
