/**
 * Click markers (three.js objects, no WebGL): one mesh per click, geometries freed with their markers, materials
 * shared per kind and colour and kept from one set of markers to the next while used (a material disposed before
 * its replacement is drawn frees the shader program, and the next frame would compile it again).
 */
import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { replaceMarkers, type MarkerSpec } from '../src/viewer/click-markers.js';

const red: MarkerSpec = { position: [0, 0, 0], color: [230, 25, 75], kind: 'object' };
const green: MarkerSpec = { position: [1, 0, 0], color: [60, 180, 75], kind: 'object' };
const background: MarkerSpec = { position: [0, 1, 0], color: [0, 0, 0], kind: 'background' };

function surfaces(group: THREE.Group): THREE.Material[] {
  return group.children.map((child) => (child as THREE.Mesh).material as THREE.Material);
}

describe('replaceMarkers', () => {
  it('keeps the materials still in use, frees the rest and every replaced geometry', () => {
    const group = new THREE.Group();
    replaceMarkers(group, [red, background], 0.05);
    expect(group.children).toHaveLength(2);
    const [redMaterial, backgroundMaterial] = surfaces(group);
    const disposed = new Set<unknown>();
    for (const child of group.children) {
      (child as THREE.Mesh).geometry.addEventListener('dispose', () => disposed.add('geometry'));
    }
    backgroundMaterial.addEventListener('dispose', () => disposed.add(backgroundMaterial));
    redMaterial.addEventListener('dispose', () => disposed.add(redMaterial));

    // A new object's click: the red marker's material is the same instance, not a disposed copy.
    replaceMarkers(group, [red, background, green, { ...red, position: [2, 2, 2] }], 0.05);
    const after = surfaces(group);
    expect(after[0]).toBe(redMaterial);
    expect(after[3]).toBe(redMaterial);
    expect(after[1]).toBe(backgroundMaterial);
    expect(after[2]).not.toBe(redMaterial);
    expect(disposed.has('geometry')).toBe(true);
    expect(disposed.has(redMaterial)).toBe(false);

    // The background click removed: its material is freed, the red one kept.
    replaceMarkers(group, [red, green], 0.05);
    expect(disposed.has(backgroundMaterial)).toBe(true);
    expect(disposed.has(redMaterial)).toBe(false);
    expect(surfaces(group)[0]).toBe(redMaterial);
    replaceMarkers(group, [], 0.05);
    expect(group.children).toHaveLength(0);
    expect(disposed.has(redMaterial)).toBe(true);
  });
});
