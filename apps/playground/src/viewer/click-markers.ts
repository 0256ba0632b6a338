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

/** The materials of one kind and colour of marker: its surface and its outline. */
interface MarkerMaterials {
  surface: THREE.MeshBasicMaterial;
  outline: THREE.LineBasicMaterial;
}

/**
 * Markers' materials by kind and colour, per marker group. They are kept from one set of markers to the next: a
 * material disposed while its replacement has not been drawn yet frees the shader program, and the next frame
 * (the one that shows a click's mask) would compile it again.
 */
const materialsOfGroup = new WeakMap<THREE.Group, Map<string, MarkerMaterials>>();

function markerMaterials(cache: Map<string, MarkerMaterials>, marker: MarkerSpec): MarkerMaterials {
  const key = marker.kind === 'background' ? 'background' : `object ${marker.color}`;
  let materials = cache.get(key);
  if (!materials) {
    const color = marker.kind === 'background' ? new THREE.Color(0x111111) : new THREE.Color(marker.color[0] / 255, marker.color[1] / 255, marker.color[2] / 255);
    materials = {
      surface: new THREE.MeshBasicMaterial({ color, depthTest: false, transparent: true, opacity: 0.95 }),
      outline: new THREE.LineBasicMaterial({ color: marker.kind === 'background' ? 0xffffff : 0x000000, depthTest: false }),
    };
    cache.set(key, materials);
  }
  return materials;
}

/**
 * Replaces the meshes in `group` with one marker per click: a sphere for an object click, a dark cube for a
 * background click, each outlined and drawn over the points so a click is never hidden behind its own surface.
 * Geometries are freed with their markers; materials are shared by markers of one kind and colour and kept while
 * some marker uses them.
 *
 * @param radius Sphere radius (the cube's half side is 0.8 of it) in metres.
 */
export function replaceMarkers(group: THREE.Group, markers: readonly MarkerSpec[], radius: number): void {
  let cache = materialsOfGroup.get(group);
  if (!cache) materialsOfGroup.set(group, (cache = new Map<string, MarkerMaterials>()));
  for (const child of [...group.children]) {
    group.remove(child);
    const mesh = child as THREE.Mesh;
    mesh.geometry.dispose();
    for (const outline of mesh.children) (outline as THREE.LineSegments).geometry.dispose();
  }
  const used = new Set<MarkerMaterials>();
  for (const marker of markers) {
    const geometry = marker.kind === 'background' ? new THREE.BoxGeometry(radius * 1.6, radius * 1.6, radius * 1.6) : new THREE.SphereGeometry(radius, 16, 12);
    const materials = markerMaterials(cache, marker);
    used.add(materials);
    const mesh = new THREE.Mesh(geometry, materials.surface);
    mesh.renderOrder = 10;
    mesh.position.set(...marker.position);
    const outline = new THREE.LineSegments(new THREE.EdgesGeometry(geometry), materials.outline);
    outline.renderOrder = 11;
    mesh.add(outline);
    group.add(mesh);
  }
  for (const [key, materials] of cache) {
    if (used.has(materials)) continue;
    materials.surface.dispose();
    materials.outline.dispose();
    cache.delete(key);
  }
}
