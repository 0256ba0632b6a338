/**
 * Analytic solids the synthetic scenes are built from: boxes, cylinders and spheres, each turned about the
 * vertical (z) axis only. Furniture, walls, cars and trees are sets of these; a ray is intersected with each
 * one in closed form.
 */

/** A box with its own yaw. */
export interface BoxPrimitive {
  /** Discriminant. */
  kind: 'box';
  /** Centre x, y, z in metres. */
  center: [number, number, number];
  /** Half edge lengths along the box's local x, y, z in metres. */
  halfSize: [number, number, number];
  /** Rotation about the world z axis in radians (local x = (cos, sin, 0)). */
  yaw: number;
}

/** A solid circular cylinder, capped at both ends. */
export interface CylinderPrimitive {
  /** Discriminant. */
  kind: 'cylinder';
  /** Centre x, y, z in metres. */
  center: [number, number, number];
  /** Radius in metres. */
  radius: number;
  /** Half the length along the axis in metres. */
  halfLength: number;
  /** Which local axis the cylinder runs along: 'z' (upright) or 'x' (lying, like a wheel axle) or 'y'. */
  axis: 'x' | 'y' | 'z';
  /** Rotation about the world z axis in radians. */
  yaw: number;
}

/** A solid sphere. */
export interface SpherePrimitive {
  /** Discriminant. */
  kind: 'sphere';
  /** Centre x, y, z in metres. */
  center: [number, number, number];
  /** Radius in metres. */
  radius: number;
}

/** Any solid a synthetic scene is made of. */
export type GeometryPrimitive = BoxPrimitive | CylinderPrimitive | SpherePrimitive;

/** World-axis-aligned bounds: minimum x y z then maximum x y z, metres. */
export type AxisAlignedBounds = [number, number, number, number, number, number];

/** Creates a box primitive from its centre, full size (metres) and yaw (radians). */
export function createBox(center: [number, number, number], size: [number, number, number], yaw = 0): BoxPrimitive {
  return { kind: 'box', center, halfSize: [size[0] / 2, size[1] / 2, size[2] / 2], yaw };
}

/** Creates a box from its minimum and maximum corners in the frame turned by `yaw` about `origin` (metres, radians). */
export function createBoxFromCorners(
  minimum: [number, number, number],
  maximum: [number, number, number],
  yaw = 0,
  origin: [number, number] = [0, 0],
): BoxPrimitive {
  const localX = (minimum[0] + maximum[0]) / 2;
  const localY = (minimum[1] + maximum[1]) / 2;
  const cosine = Math.cos(yaw);
  const sine = Math.sin(yaw);
  return {
    kind: 'box',
    center: [origin[0] + cosine * localX - sine * localY, origin[1] + sine * localX + cosine * localY, (minimum[2] + maximum[2]) / 2],
    halfSize: [(maximum[0] - minimum[0]) / 2, (maximum[1] - minimum[1]) / 2, (maximum[2] - minimum[2]) / 2],
    yaw,
  };
}

/** Creates a cylinder primitive (metres, radians). */
export function createCylinder(
  center: [number, number, number],
  radius: number,
  length: number,
  axis: 'x' | 'y' | 'z' = 'z',
  yaw = 0,
): CylinderPrimitive {
  return { kind: 'cylinder', center, radius, halfLength: length / 2, axis, yaw };
}

/** Creates a sphere primitive (metres). */
export function createSphere(center: [number, number, number], radius: number): SpherePrimitive {
  return { kind: 'sphere', center, radius };
}

/** Result slot filled by {@link intersectPrimitive}: ray parameter and outward unit normal of the nearest hit. */
export interface RayHit {
  /** Distance along the (unit) ray in metres. */
  distance: number;
  /** Outward surface normal x, y, z at the hit. */
  normal: [number, number, number];
}

/**
 * Intersects a ray with a primitive's surface, from outside or inside.
 *
 * @param origin - ray origin, metres.
 * @param direction - unit ray direction.
 * @param minimumDistance - hits closer than this (metres) are ignored.
 * @param maximumDistance - hits at or beyond this (metres) are ignored.
 * @param hit - filled on success.
 * @returns whether a hit in (minimumDistance, maximumDistance) exists.
 */
export function intersectPrimitive(
  primitive: GeometryPrimitive,
  origin: ArrayLike<number>,
  direction: ArrayLike<number>,
  minimumDistance: number,
  maximumDistance: number,
  hit: RayHit,
): boolean {
  const relativeX = origin[0] - primitive.center[0];
  const relativeY = origin[1] - primitive.center[1];
  const relativeZ = origin[2] - primitive.center[2];
  if (primitive.kind === 'sphere') {
    const b = relativeX * direction[0] + relativeY * direction[1] + relativeZ * direction[2];
    const c = relativeX * relativeX + relativeY * relativeY + relativeZ * relativeZ - primitive.radius * primitive.radius;
    const discriminant = b * b - c;
    if (discriminant < 0) return false;
    const root = Math.sqrt(discriminant);
    let distance = -b - root;
    if (distance <= minimumDistance) distance = -b + root;
    if (distance <= minimumDistance || distance >= maximumDistance) return false;
    const inverseRadius = 1 / primitive.radius;
    hit.distance = distance;
    hit.normal[0] = (relativeX + direction[0] * distance) * inverseRadius;
    hit.normal[1] = (relativeY + direction[1] * distance) * inverseRadius;
    hit.normal[2] = (relativeZ + direction[2] * distance) * inverseRadius;
    return true;
  }
  // Into the primitive's frame: rotate by -yaw about z.
  const cosine = Math.cos(primitive.yaw);
  const sine = Math.sin(primitive.yaw);
  const localOriginX = cosine * relativeX + sine * relativeY;
  const localOriginY = -sine * relativeX + cosine * relativeY;
  const localDirectionX = cosine * direction[0] + sine * direction[1];
  const localDirectionY = -sine * direction[0] + cosine * direction[1];
  const localOrigin = [localOriginX, localOriginY, relativeZ];
  const localDirection = [localDirectionX, localDirectionY, direction[2]];
  let found: boolean;
  if (primitive.kind === 'box') {
    found = intersectLocalBox(primitive.halfSize, localOrigin, localDirection, minimumDistance, maximumDistance, hit);
  } else {
    found = intersectLocalCylinder(primitive, localOrigin, localDirection, minimumDistance, maximumDistance, hit);
  }
  if (!found) return false;
  const normalX = hit.normal[0];
  const normalY = hit.normal[1];
  hit.normal[0] = cosine * normalX - sine * normalY;
  hit.normal[1] = sine * normalX + cosine * normalY;
  return true;
}

function intersectLocalBox(
  halfSize: [number, number, number],
  origin: number[],
  direction: number[],
  minimumDistance: number,
  maximumDistance: number,
  hit: RayHit,
): boolean {
  let entry = -Infinity;
  let exit = Infinity;
  let entryAxis = -1;
  let exitAxis = -1;
  for (let axis = 0; axis < 3; axis++) {
    const half = halfSize[axis];
    if (Math.abs(direction[axis]) < 1e-12) {
      if (origin[axis] < -half || origin[axis] > half) return false;
      continue;
    }
    const inverse = 1 / direction[axis];
    let near = (-half - origin[axis]) * inverse;
    let far = (half - origin[axis]) * inverse;
    if (near > far) {
      const swap = near;
      near = far;
      far = swap;
    }
    if (near > entry) {
      entry = near;
      entryAxis = axis;
    }
    if (far < exit) {
      exit = far;
      exitAxis = axis;
    }
    if (entry > exit) return false;
  }
  let distance = entry;
  let axis = entryAxis;
  if (distance <= minimumDistance) {
    distance = exit;
    axis = exitAxis;
  }
  if (distance <= minimumDistance || distance >= maximumDistance || axis < 0) return false;
  hit.distance = distance;
  hit.normal[0] = 0;
  hit.normal[1] = 0;
  hit.normal[2] = 0;
  // The face coordinate's sign tells which of the two faces was hit.
  hit.normal[axis] = origin[axis] + direction[axis] * distance > 0 ? 1 : -1;
  return true;
}

function intersectLocalCylinder(
  cylinder: CylinderPrimitive,
  origin: number[],
  direction: number[],
  minimumDistance: number,
  maximumDistance: number,
  hit: RayHit,
): boolean {
  // Permute so the cylinder axis is the third coordinate.
  const axisIndex = cylinder.axis === 'x' ? 0 : cylinder.axis === 'y' ? 1 : 2;
  const firstIndex = axisIndex === 0 ? 1 : 0;
  const secondIndex = axisIndex === 2 ? 1 : 2;
  const originA = origin[firstIndex];
  const originB = origin[secondIndex];
  const originAxial = origin[axisIndex];
  const directionA = direction[firstIndex];
  const directionB = direction[secondIndex];
  const directionAxial = direction[axisIndex];
  const radius = cylinder.radius;
  const halfLength = cylinder.halfLength;
  let best = Infinity;
  let bestNormalA = 0;
  let bestNormalB = 0;
  let bestNormalAxial = 0;
  // Side: (oA + t dA)^2 + (oB + t dB)^2 = r^2.
  const a = directionA * directionA + directionB * directionB;
  if (a > 1e-12) {
    const b = originA * directionA + originB * directionB;
    const c = originA * originA + originB * originB - radius * radius;
    const discriminant = b * b - a * c;
    if (discriminant >= 0) {
      const root = Math.sqrt(discriminant);
      for (const distance of [(-b - root) / a, (-b + root) / a]) {
        if (distance <= minimumDistance || distance >= maximumDistance || distance >= best) continue;
        const axial = originAxial + directionAxial * distance;
        if (axial < -halfLength || axial > halfLength) continue;
        best = distance;
        bestNormalA = (originA + directionA * distance) / radius;
        bestNormalB = (originB + directionB * distance) / radius;
        bestNormalAxial = 0;
      }
    }
  }
  // Caps.
  if (Math.abs(directionAxial) > 1e-12) {
    for (const sign of [-1, 1]) {
      const distance = (sign * halfLength - originAxial) / directionAxial;
      if (distance <= minimumDistance || distance >= maximumDistance || distance >= best) continue;
      const capA = originA + directionA * distance;
      const capB = originB + directionB * distance;
      if (capA * capA + capB * capB > radius * radius) continue;
      best = distance;
      bestNormalA = 0;
      bestNormalB = 0;
      bestNormalAxial = sign;
    }
  }
  if (best === Infinity) return false;
  hit.distance = best;
  hit.normal[firstIndex] = bestNormalA;
  hit.normal[secondIndex] = bestNormalB;
  hit.normal[axisIndex] = bestNormalAxial;
  return true;
}

/**
 * Unsigned distance in metres from a point to the primitive's surface (zero on the surface, positive inside
 * and outside).
 */
export function measureDistanceToSurface(primitive: GeometryPrimitive, x: number, y: number, z: number): number {
  const relativeX = x - primitive.center[0];
  const relativeY = y - primitive.center[1];
  const relativeZ = z - primitive.center[2];
  if (primitive.kind === 'sphere') {
    return Math.abs(Math.hypot(relativeX, relativeY, relativeZ) - primitive.radius);
  }
  const cosine = Math.cos(primitive.yaw);
  const sine = Math.sin(primitive.yaw);
  const local = [cosine * relativeX + sine * relativeY, -sine * relativeX + cosine * relativeY, relativeZ];
  if (primitive.kind === 'box') {
    const qx = Math.abs(local[0]) - primitive.halfSize[0];
    const qy = Math.abs(local[1]) - primitive.halfSize[1];
    const qz = Math.abs(local[2]) - primitive.halfSize[2];
    const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0), Math.max(qz, 0));
    return Math.abs(outside + Math.min(Math.max(qx, qy, qz), 0));
  }
  const axisIndex = primitive.axis === 'x' ? 0 : primitive.axis === 'y' ? 1 : 2;
  const firstIndex = axisIndex === 0 ? 1 : 0;
  const secondIndex = axisIndex === 2 ? 1 : 2;
  const radial = Math.hypot(local[firstIndex], local[secondIndex]) - primitive.radius;
  const axial = Math.abs(local[axisIndex]) - primitive.halfLength;
  const outside = Math.hypot(Math.max(radial, 0), Math.max(axial, 0));
  return Math.abs(outside + Math.min(Math.max(radial, axial), 0));
}

/** Whether a point lies strictly inside the primitive, by more than `margin` metres. */
export function containsPoint(primitive: GeometryPrimitive, x: number, y: number, z: number, margin = 0): boolean {
  const relativeX = x - primitive.center[0];
  const relativeY = y - primitive.center[1];
  const relativeZ = z - primitive.center[2];
  if (primitive.kind === 'sphere') return Math.hypot(relativeX, relativeY, relativeZ) < primitive.radius - margin;
  const cosine = Math.cos(primitive.yaw);
  const sine = Math.sin(primitive.yaw);
  const local = [cosine * relativeX + sine * relativeY, -sine * relativeX + cosine * relativeY, relativeZ];
  if (primitive.kind === 'box') {
    return (
      Math.abs(local[0]) < primitive.halfSize[0] - margin &&
      Math.abs(local[1]) < primitive.halfSize[1] - margin &&
      Math.abs(local[2]) < primitive.halfSize[2] - margin
    );
  }
  const axisIndex = primitive.axis === 'x' ? 0 : primitive.axis === 'y' ? 1 : 2;
  const firstIndex = axisIndex === 0 ? 1 : 0;
  const secondIndex = axisIndex === 2 ? 1 : 2;
  return (
    Math.hypot(local[firstIndex], local[secondIndex]) < primitive.radius - margin &&
    Math.abs(local[axisIndex]) < primitive.halfLength - margin
  );
}

/** World-axis-aligned bounds of a primitive, metres. */
export function measurePrimitiveBounds(primitive: GeometryPrimitive): AxisAlignedBounds {
  const [centerX, centerY, centerZ] = primitive.center;
  if (primitive.kind === 'sphere') {
    const radius = primitive.radius;
    return [centerX - radius, centerY - radius, centerZ - radius, centerX + radius, centerY + radius, centerZ + radius];
  }
  let halfX: number;
  let halfY: number;
  let halfZ: number;
  if (primitive.kind === 'box') {
    [halfX, halfY, halfZ] = primitive.halfSize;
  } else {
    const extents = [primitive.radius, primitive.radius, primitive.radius];
    extents[primitive.axis === 'x' ? 0 : primitive.axis === 'y' ? 1 : 2] = primitive.halfLength;
    [halfX, halfY, halfZ] = extents;
  }
  const cosine = Math.abs(Math.cos(primitive.yaw));
  const sine = Math.abs(Math.sin(primitive.yaw));
  const extentX = cosine * halfX + sine * halfY;
  const extentY = sine * halfX + cosine * halfY;
  return [centerX - extentX, centerY - extentY, centerZ - halfZ, centerX + extentX, centerY + extentY, centerZ + halfZ];
}

/** Union of bounds. */
export function mergeBounds(boundsList: AxisAlignedBounds[]): AxisAlignedBounds {
  const merged: AxisAlignedBounds = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (const bounds of boundsList) {
    for (let axis = 0; axis < 3; axis++) {
      merged[axis] = Math.min(merged[axis], bounds[axis]);
      merged[axis + 3] = Math.max(merged[axis + 3], bounds[axis + 3]);
    }
  }
  return merged;
}

/**
 * Entry distance of a ray into axis-aligned bounds, or Infinity when it misses them before `maximumDistance`.
 * `inverseDirection` is 1 / direction per axis (may be ±Infinity).
 */
export function intersectBoundsEntry(
  bounds: AxisAlignedBounds,
  origin: ArrayLike<number>,
  inverseDirection: ArrayLike<number>,
  maximumDistance: number,
): number {
  let entry = 0;
  let exit = maximumDistance;
  for (let axis = 0; axis < 3; axis++) {
    let near = (bounds[axis] - origin[axis]) * inverseDirection[axis];
    let far = (bounds[axis + 3] - origin[axis]) * inverseDirection[axis];
    // 0 * Infinity is NaN when the origin lies on a slab plane of a parallel ray: treat as inside.
    if (near !== near) near = -Infinity;
    if (far !== far) far = Infinity;
    if (near > far) {
      const swap = near;
      near = far;
      far = swap;
    }
    if (near > entry) entry = near;
    if (far < exit) exit = far;
    if (entry > exit) return Infinity;
  }
  return entry;
}
