import { describe, expect, it } from 'vitest';
import {
  containsPoint,
  generateIndoorScene,
  generateOutdoorScene,
  measureDistanceToSurface,
  measurePrimitiveBounds,
  NYU40_CLASS_NAMES,
  type GeometryPrimitive,
  type SyntheticScene,
} from '../src/index.js';

/** Largest distance from a point to the nearest part surface of its labelled instance, and semantic agreement. */
function checkLabelsAgainstGeometry(scene: SyntheticScene): { worstDistance: number; semanticMismatches: number; unlabeled: number } {
  let worstDistance = 0;
  let semanticMismatches = 0;
  let unlabeled = 0;
  const byId = new Map(scene.objects.map((object) => [object.instanceId, object]));
  for (let point = 0; point < scene.pointCount; point++) {
    const object = byId.get(scene.instance[point]);
    if (!object) {
      unlabeled++;
      continue;
    }
    let nearest = Infinity;
    let nearestSemantic = -1;
    for (const part of object.parts) {
      const distance = measureDistanceToSurface(
        part.primitive,
        scene.positions[point * 3],
        scene.positions[point * 3 + 1],
        scene.positions[point * 3 + 2],
      );
      if (distance < nearest) {
        nearest = distance;
        nearestSemantic = part.semanticId ?? object.semanticId;
      }
    }
    worstDistance = Math.max(worstDistance, nearest);
    const allowed = new Set(object.parts.map((part) => part.semanticId ?? object.semanticId));
    if (!allowed.has(scene.semantic[point])) semanticMismatches++;
    if (nearest < 1e-3 && nearestSemantic !== scene.semantic[point] && allowed.size > 1) semanticMismatches++;
  }
  return { worstDistance, semanticMismatches, unlabeled };
}

/** Deterministic points inside a primitive, for interpenetration checks. */
function sampleInterior(primitive: GeometryPrimitive, count: number): [number, number, number][] {
  const samples: [number, number, number][] = [];
  for (let index = 0; index < count; index++) {
    const u = ((index * 0.6180339887) % 1) * 2 - 1;
    const v = ((index * 0.7548776662) % 1) * 2 - 1;
    const w = ((index * 0.5698402910) % 1) * 2 - 1;
    if (primitive.kind === 'sphere') {
      const scale = primitive.radius * 0.95 / Math.max(1, Math.hypot(u, v, w));
      samples.push([primitive.center[0] + u * scale, primitive.center[1] + v * scale, primitive.center[2] + w * scale]);
      continue;
    }
    let local: [number, number, number];
    if (primitive.kind === 'box') {
      local = [u * primitive.halfSize[0] * 0.95, v * primitive.halfSize[1] * 0.95, w * primitive.halfSize[2] * 0.95];
    } else {
      const radial = primitive.radius * 0.95 / Math.max(1, Math.hypot(u, v));
      const axial = w * primitive.halfLength * 0.95;
      local = primitive.axis === 'z' ? [u * radial, v * radial, axial] : primitive.axis === 'x' ? [axial, u * radial, v * radial] : [u * radial, axial, v * radial];
    }
    const cosine = Math.cos(primitive.yaw);
    const sine = Math.sin(primitive.yaw);
    samples.push([
      primitive.center[0] + cosine * local[0] - sine * local[1],
      primitive.center[1] + sine * local[0] + cosine * local[1],
      primitive.center[2] + local[2],
    ]);
  }
  return samples;
}

describe('generateIndoorScene', () => {
  const scenes = [1, 2, 3].map((seed) => generateIndoorScene({ seed, pointCount: 20_000 }));

  it('labels every point with an instance whose primitives it lies on, within the noise bound', () => {
    for (const scene of scenes) {
      const { worstDistance, semanticMismatches, unlabeled } = checkLabelsAgainstGeometry(scene);
      expect(unlabeled).toBe(0);
      expect(semanticMismatches).toBe(0);
      expect(worstDistance).toBeLessThanOrEqual(scene.noiseBound + 1e-4);
    }
  });

  it('returns exactly the requested point count with consistent array lengths', () => {
    for (const scene of scenes) {
      expect(scene.pointCount).toBe(20_000);
      expect(scene.positions.length).toBe(60_000);
      expect(scene.colors.length).toBe(60_000);
      expect(scene.normals.length).toBe(60_000);
      expect(scene.instance.length).toBe(20_000);
      expect(scene.semantic.length).toBe(20_000);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateIndoorScene({ seed: 1, pointCount: 20_000 });
    expect(again.positions).toEqual(scenes[0].positions);
    expect(again.colors).toEqual(scenes[0].colors);
    expect(again.instance).toEqual(scenes[0].instance);
    expect(again.semantic).toEqual(scenes[0].semantic);
    expect(scenes[1].positions).not.toEqual(scenes[0].positions);
  });

  it('uses NYU40 ids with names, and walls, floor and furniture of many kinds', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const scene = seed <= 3 ? scenes[seed - 1] : generateIndoorScene({ seed, pointCount: 2_000, viewpointCount: 1 });
      for (const object of scene.objects) kinds.add(object.kind);
      for (const [id, name] of Object.entries(scene.classNames)) expect(NYU40_CLASS_NAMES[Number(id)]).toBe(name);
    }
    for (const scene of scenes) {
      const semantics = new Set(scene.semantic);
      expect(semantics.has(1)).toBe(true); // wall
      expect(semantics.has(2)).toBe(true); // floor
    }
    const furniture = [...kinds].filter((kind) => !['wall', 'floor', 'ceiling'].includes(kind));
    expect(furniture.length).toBeGreaterThanOrEqual(12);
  });

  it('places objects without interpenetration', () => {
    for (const scene of scenes) {
      const solids = scene.objects.flatMap((object) =>
        object.parts.map((part) => ({ object, primitive: part.primitive, bounds: measurePrimitiveBounds(part.primitive) })),
      );
      for (const { object, primitive } of solids) {
        for (const [x, y, z] of sampleInterior(primitive, 40)) {
          for (const other of solids) {
            if (other.object === object) continue;
            const [minX, minY, minZ, maxX, maxY, maxZ] = other.bounds;
            if (x < minX || y < minY || z < minZ || x > maxX || y > maxY || z > maxZ) continue;
            expect(containsPoint(other.primitive, x, y, z, 0.005), `${object.kind} ${object.instanceId} inside ${other.object.kind} ${other.object.instanceId}`).toBe(false);
          }
        }
      }
    }
  });

  it('has furniture touching walls and other furniture', () => {
    for (const scene of scenes) {
      const walls = scene.objects.filter((object) => object.kind === 'wall');
      const touchingWall = new Set<number>();
      for (let point = 0; point < scene.pointCount; point++) {
        const object = scene.objects[scene.instance[point] - 1];
        if (['wall', 'floor', 'ceiling'].includes(object.kind)) continue;
        const [x, y, z] = [scene.positions[point * 3], scene.positions[point * 3 + 1], scene.positions[point * 3 + 2]];
        if (walls.some((wall) => wall.parts.some((part) => measureDistanceToSurface(part.primitive, x, y, z) < scene.noiseBound + 0.01))) {
          touchingWall.add(object.instanceId);
        }
      }
      expect(touchingWall.size).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('generateOutdoorScene', () => {
  const scene = generateOutdoorScene({ seed: 7, azimuthStepCount: 900 });

  it('labels every point with an instance whose primitives it lies on', () => {
    const { worstDistance, semanticMismatches, unlabeled } = checkLabelsAgainstGeometry(scene);
    expect(unlabeled).toBe(0);
    expect(semanticMismatches).toBe(0);
    expect(worstDistance).toBeLessThanOrEqual(scene.noiseBound + 1e-4);
  });

  it('sees the street as a 64-beam lidar: elevations within −25°..+3° from the sensor', () => {
    let minimum = Infinity;
    let maximum = -Infinity;
    for (let point = 0; point < scene.pointCount; point++) {
      const dx = scene.positions[point * 3];
      const dy = scene.positions[point * 3 + 1];
      const dz = scene.positions[point * 3 + 2] - 1.73;
      const elevation = (Math.atan2(dz, Math.hypot(dx, dy)) * 180) / Math.PI;
      minimum = Math.min(minimum, elevation);
      maximum = Math.max(maximum, elevation);
    }
    expect(minimum).toBeGreaterThan(-25.5);
    expect(maximum).toBeLessThan(3.5);
    expect(scene.pointCount).toBeLessThanOrEqual(64 * 900);
    expect(scene.intensity?.length).toBe(scene.pointCount);
    const semantics = new Set(scene.semantic);
    for (const id of [40, 48, 50, 10]) expect(semantics.has(id)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const again = generateOutdoorScene({ seed: 7, azimuthStepCount: 900 });
    expect(again.positions).toEqual(scene.positions);
    expect(again.instance).toEqual(scene.instance);
  });
});
