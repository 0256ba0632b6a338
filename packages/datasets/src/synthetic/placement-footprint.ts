/**
 * Oriented floor-plan rectangles with a height range, used to place objects without interpenetration while
 * still letting them touch.
 */
export interface PlacementFootprint {
  /** Centre x in metres. */
  centerX: number;
  /** Centre y in metres. */
  centerY: number;
  /** Half width along the local x axis in metres. */
  halfWidth: number;
  /** Half depth along the local y axis in metres. */
  halfDepth: number;
  /** Rotation about z in radians. */
  yaw: number;
  /** Bottom of the occupied height range in metres. */
  bottom: number;
  /** Top of the occupied height range in metres. */
  top: number;
}

/** Tolerance in metres under which two footprints count as touching, not overlapping. */
export const TOUCH_TOLERANCE = 1e-3;

/**
 * Whether two footprints overlap by more than {@link TOUCH_TOLERANCE} both in plan (separating-axis test) and
 * in height. Touching faces do not overlap.
 */
export function footprintsOverlap(first: PlacementFootprint, second: PlacementFootprint): boolean {
  if (first.top <= second.bottom + TOUCH_TOLERANCE || second.top <= first.bottom + TOUCH_TOLERANCE) return false;
  const axes: [number, number][] = [
    [Math.cos(first.yaw), Math.sin(first.yaw)],
    [-Math.sin(first.yaw), Math.cos(first.yaw)],
    [Math.cos(second.yaw), Math.sin(second.yaw)],
    [-Math.sin(second.yaw), Math.cos(second.yaw)],
  ];
  const offsetX = second.centerX - first.centerX;
  const offsetY = second.centerY - first.centerY;
  for (const [axisX, axisY] of axes) {
    const distance = Math.abs(offsetX * axisX + offsetY * axisY);
    const firstRadius = projectRadius(first, axisX, axisY);
    const secondRadius = projectRadius(second, axisX, axisY);
    if (distance >= firstRadius + secondRadius - TOUCH_TOLERANCE) return false;
  }
  return true;
}

function projectRadius(footprint: PlacementFootprint, axisX: number, axisY: number): number {
  const cosine = Math.cos(footprint.yaw);
  const sine = Math.sin(footprint.yaw);
  return (
    footprint.halfWidth * Math.abs(cosine * axisX + sine * axisY) + footprint.halfDepth * Math.abs(-sine * axisX + cosine * axisY)
  );
}

/** The four plan corners of a footprint, metres, as [x, y] pairs. */
export function listFootprintCorners(footprint: PlacementFootprint): [number, number][] {
  const cosine = Math.cos(footprint.yaw);
  const sine = Math.sin(footprint.yaw);
  const corners: [number, number][] = [];
  for (const [signX, signY] of [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ]) {
    const localX = signX * footprint.halfWidth;
    const localY = signY * footprint.halfDepth;
    corners.push([footprint.centerX + cosine * localX - sine * localY, footprint.centerY + sine * localX + cosine * localY]);
  }
  return corners;
}

/** Maps a point of a footprint's local frame (metres) to world plan coordinates. */
export function toWorldPlan(footprint: Pick<PlacementFootprint, 'centerX' | 'centerY' | 'yaw'>, localX: number, localY: number): [number, number] {
  const cosine = Math.cos(footprint.yaw);
  const sine = Math.sin(footprint.yaw);
  return [footprint.centerX + cosine * localX - sine * localY, footprint.centerY + sine * localX + cosine * localY];
}
