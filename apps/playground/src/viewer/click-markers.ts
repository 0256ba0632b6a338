import * as THREE from 'three';

/** A click marker drawn in the scene. */
export interface MarkerSpec {
  /** Position in metres. */
  position: [number, number, number];
  /** Colour r g b 0…255. */
  color: [number, number, number];
  /** Background clicks are drawn as dark cubes, object clicks as spheres. */
  kind: 'object' | 'background';
}

/**
 * Replaces the meshes in `group` with one marker per click: a sphere for an object click, a dark cube for a
 * background click, each outlined and drawn over the points so a click is never hidden behind its own surface.
 *
 * @param radius Sphere radius (the cube's half side is 0.8 of it) in metres.
 */
export function replaceMarkers(group: THREE.Group, markers: readonly MarkerSpec[], radius: number): void {
  for (const child of [...group.children]) {
    group.remove(child);
    const mesh = child as THREE.Mesh;
    mesh.geometry.dispose();
    (mesh.material as THREE.Material).dispose();
  }
  for (const marker of markers) {
    const geometry = marker.kind === 'background' ? new THREE.BoxGeometry(radius * 1.6, radius * 1.6, radius * 1.6) : new THREE.SphereGeometry(radius, 16, 12);
    const color = marker.kind === 'background' ? new THREE.Color(0x111111) : new THREE.Color(marker.color[0] / 255, marker.color[1] / 255, marker.color[2] / 255);
    const material = new THREE.MeshBasicMaterial({ color, depthTest: false, transparent: true, opacity: 0.95 });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.renderOrder = 10;
    mesh.position.set(...marker.position);
    const outline = new THREE.LineSegments(
      new THREE.EdgesGeometry(geometry),
      new THREE.LineBasicMaterial({ color: marker.kind === 'background' ? 0xffffff : 0x000000, depthTest: false }),
    );
    outline.renderOrder = 11;
    mesh.add(outline);
    group.add(mesh);
  }
}
