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
