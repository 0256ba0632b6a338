import type { PointCloud } from '@pointclick/io';
import {
  intersectBoundsEntry,
  intersectPrimitive,
  measurePrimitiveBounds,
  mergeBounds,
  type AxisAlignedBounds,
  type GeometryPrimitive,
  type RayHit,
} from './geometry-primitives.js';
import type { GeneratorRandom } from './seeded-random.js';

/** One solid part of a synthetic object, with its surface colour. */
export interface SyntheticPart {
  /** The solid. */
  primitive: GeometryPrimitive;
  /** Base surface colour r g b, 0..255. */
  color: [number, number, number];
  /** Semantic id of this part when it differs from its object's (a tree's trunk inside a vegetation instance). */
  semanticId?: number;
}

/** One labelled object of a synthetic scene (a chair, a wall, a car …). */
export interface SyntheticObject {
  /** Instance id written to every point of this object (1-based, unique in the scene). */
  instanceId: number;
  /** Semantic class id (NYU40 indoors, SemanticKITTI raw ids outdoors). */
  semanticId: number;
  /** Object kind, finer than the semantic class (e.g. 'monitor' and 'plant' are both NYU40 'otherprop'). */
  kind: string;
  /** Solid parts; a point of the object lies on the surface of one of them. */
  parts: SyntheticPart[];
}

/** A generated scene: a labelled {@link PointCloud} plus the objects it was sampled from. */
export interface SyntheticScene extends PointCloud {
  /** Per-point instance ids (0 = none), length `pointCount`. */
  instance: Int32Array;
  /** Per-point semantic ids, length `pointCount`. */
  semantic: Int32Array;
  /** Interleaved r g b, 0..255. */
  colors: Uint8Array;
  /** Interleaved outward surface normals of the primitive each point was sampled on. */
  normals: Float32Array;
  /** The scene's objects, by instance id order. */
  objects: SyntheticObject[];
  /** Class names by semantic id, for the classes present in this scene's class map. */
  classNames: Record<number, string>;
  /** Sensor positions the scene was sampled from, metres, interleaved x y z. */
  viewpoints: Float32Array;
  /** Upper bound of the range noise in metres: every point lies within this distance of its part's surface. */
  noiseBound: number;
}

/** Range-noise model of a simulated depth sensor. */
export interface RangeNoise {
  /** Standard deviation at 0 m range, metres. */
  baseDeviation: number;
  /** Extra standard deviation per metre of range squared (structured-light sensors degrade quadratically). */
  deviationPerSquareMetre: number;
  /** Noise is clamped to this many standard deviations (bounds the label tolerance). */
  clampDeviations: number;
  /** Largest standard deviation allowed, metres. */
  maximumDeviation: number;
}

interface PreparedObject {
  object: SyntheticObject;
  bounds: AxisAlignedBounds;
  partBounds: AxisAlignedBounds[];
}

/** Accumulates ray hits (position, normal, colour, labels) into growable typed buffers. */
export class HitBuffer {
  positions: Float32Array;
  normals: Float32Array;
  colors: Uint8Array;
  instance: Int32Array;
  semantic: Int32Array;
  /** Range of each hit in metres. */
  ranges: Float32Array;
  /** Cosine between the ray and the surface normal. */
  incidence: Float32Array;
  count = 0;

  constructor(capacity: number) {
    this.positions = new Float32Array(capacity * 3);
    this.normals = new Float32Array(capacity * 3);
    this.colors = new Uint8Array(capacity * 3);
    this.instance = new Int32Array(capacity);
    this.semantic = new Int32Array(capacity);
    this.ranges = new Float32Array(capacity);
    this.incidence = new Float32Array(capacity);
  }

  /** Makes room for at least one more hit. */
  reserve(): void {
    if (this.count < this.instance.length) return;
    const capacity = Math.max(16, this.instance.length * 2);
    const grow = <T extends Float32Array | Uint8Array | Int32Array>(array: T, width: number): T => {
      const larger = new (array.constructor as new (length: number) => T)(capacity * width);
      larger.set(array);
      return larger;
    };
    this.positions = grow(this.positions, 3);
    this.normals = grow(this.normals, 3);
    this.colors = grow(this.colors, 3);
    this.instance = grow(this.instance, 1);
    this.semantic = grow(this.semantic, 1);
    this.ranges = grow(this.ranges, 1);
    this.incidence = grow(this.incidence, 1);
  }
}

/**
 * Casts rays against a set of objects and keeps, per ray, the nearest surface hit with that object's labels.
 * Objects are culled by their world bounds first, then their parts are tested analytically.
 */
export class SceneRayCaster {
  private readonly prepared: PreparedObject[];
  private readonly hit: RayHit = { distance: 0, normal: [0, 0, 0] };
  private readonly inverseDirection = new Float64Array(3);

  constructor(objects: SyntheticObject[]) {
    this.prepared = objects.map((object) => {
      const partBounds = object.parts.map((part) => measurePrimitiveBounds(part.primitive));
      return { object, bounds: mergeBounds(partBounds), partBounds };
    });
  }

  /**
   * Finds the nearest hit along a unit ray.
   *
   * @returns the hit object and part index and fills `result`, or undefined when the ray escapes within
   * `maximumRange` metres.
   */
  castRay(
    origin: ArrayLike<number>,
    direction: ArrayLike<number>,
    maximumRange: number,
    result: RayHit,
  ): { object: SyntheticObject; partIndex: number } | undefined {
    const inverse = this.inverseDirection;
    inverse[0] = 1 / direction[0];
    inverse[1] = 1 / direction[1];
    inverse[2] = 1 / direction[2];
    let nearest = maximumRange;
    let found: PreparedObject | undefined;
    let foundPart = -1;
    const hit = this.hit;
    for (const prepared of this.prepared) {
      if (intersectBoundsEntry(prepared.bounds, origin, inverse, nearest) >= nearest) continue;
      const parts = prepared.object.parts;
      for (let partIndex = 0; partIndex < parts.length; partIndex++) {
        if (parts.length > 1 && intersectBoundsEntry(prepared.partBounds[partIndex], origin, inverse, nearest) >= nearest) continue;
        if (intersectPrimitive(parts[partIndex].primitive, origin, direction, 1e-6, nearest, hit)) {
          nearest = hit.distance;
          found = prepared;
          foundPart = partIndex;
          result.distance = hit.distance;
          result.normal[0] = hit.normal[0];
          result.normal[1] = hit.normal[1];
          result.normal[2] = hit.normal[2];
        }
      }
    }
    return found ? { object: found.object, partIndex: foundPart } : undefined;
  }

  /**
   * Casts one ray and appends the noisy hit to `buffer`.
   *
   * The returned point is moved along the ray by clamped Gaussian range noise; its colour is the part colour
   * shaded by incidence with a little per-point variation.
   *
   * @returns whether a point was added.
   */
  sampleRay(
    origin: ArrayLike<number>,
    direction: ArrayLike<number>,
    maximumRange: number,
    noise: RangeNoise,
    random: GeneratorRandom,
    buffer: HitBuffer,
  ): boolean {
    const result: RayHit = this.scratchResult;
    const found = this.castRay(origin, direction, maximumRange, result);
    if (!found) return false;
    const range = result.distance;
    const deviation = Math.min(noise.maximumDeviation, noise.baseDeviation + noise.deviationPerSquareMetre * range * range);
    const limit = noise.clampDeviations * deviation;
    const offset = Math.max(-limit, Math.min(limit, random.gaussian() * deviation));
    const noisyRange = range + offset;
    buffer.reserve();
    const index = buffer.count++;
    buffer.positions[index * 3] = origin[0] + direction[0] * noisyRange;
    buffer.positions[index * 3 + 1] = origin[1] + direction[1] * noisyRange;
    buffer.positions[index * 3 + 2] = origin[2] + direction[2] * noisyRange;
    buffer.normals[index * 3] = result.normal[0];
    buffer.normals[index * 3 + 1] = result.normal[1];
    buffer.normals[index * 3 + 2] = result.normal[2];
    const cosine = Math.abs(direction[0] * result.normal[0] + direction[1] * result.normal[1] + direction[2] * result.normal[2]);
    // Ambient plus diffuse light from the sensor, and a little sensor colour noise.
    const shade = 0.55 + 0.45 * cosine;
    const color = found.object.parts[found.partIndex].color;
    for (let channel = 0; channel < 3; channel++) {
      const value = color[channel] * shade + random.gaussian() * 4;
      buffer.colors[index * 3 + channel] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
    buffer.instance[index] = found.object.instanceId;
    buffer.semantic[index] = found.object.parts[found.partIndex].semanticId ?? found.object.semanticId;
    buffer.ranges[index] = range;
    buffer.incidence[index] = cosine;
    return true;
  }

  private readonly scratchResult: RayHit = { distance: 0, normal: [0, 0, 0] };
}

/**
 * Keeps exactly `targetCount` of the buffered hits (uniformly at random, order preserved), or all when fewer.
 *
 * @returns indices into the buffer.
 */
export function chooseHitSubset(hitCount: number, targetCount: number, random: GeneratorRandom): Int32Array {
  if (hitCount <= targetCount) return Int32Array.from({ length: hitCount }, (_, index) => index);
  // Selection sampling (Knuth's algorithm S): one pass, sorted output.
  const chosen = new Int32Array(targetCount);
  let needed = targetCount;
  let written = 0;
  for (let index = 0; index < hitCount && needed > 0; index++) {
    if (random.next() * (hitCount - index) < needed) {
      chosen[written++] = index;
      needed--;
    }
  }
  return chosen;
}

/** Copies the chosen hits of a buffer into the per-point arrays of a scene. */
export function gatherHits(
  buffer: HitBuffer,
  chosen: Int32Array,
): Pick<SyntheticScene, 'pointCount' | 'positions' | 'normals' | 'colors' | 'instance' | 'semantic'> & { ranges: Float32Array; incidence: Float32Array } {
  const pointCount = chosen.length;
  const positions = new Float32Array(pointCount * 3);
  const normals = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  const ranges = new Float32Array(pointCount);
  const incidence = new Float32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const source = chosen[point];
    for (let axis = 0; axis < 3; axis++) {
      positions[point * 3 + axis] = buffer.positions[source * 3 + axis];
      normals[point * 3 + axis] = buffer.normals[source * 3 + axis];
      colors[point * 3 + axis] = buffer.colors[source * 3 + axis];
    }
    instance[point] = buffer.instance[source];
    semantic[point] = buffer.semantic[source];
    ranges[point] = buffer.ranges[source];
    incidence[point] = buffer.incidence[source];
  }
  return { pointCount, positions, normals, colors, instance, semantic, ranges, incidence };
}
