import { createBoxFromCorners } from './geometry-primitives.js';
import { footprintsOverlap, listFootprintCorners, type PlacementFootprint } from './placement-footprint.js';
import type { SyntheticPart } from './scene-ray-caster.js';
import type { GeneratorRandom } from './seeded-random.js';

// Room planning of the indoor generator: the room's outline, its walls with openings, and whether a footprint
// lies inside it (metres, z up, floor at 0).

const WALL_THICKNESS = 0.12;
export const SLAB_THICKNESS = 0.1;

/** The room's footprint and height (metres). */
export interface RoomPlan {
  width: number;
  depth: number;
  height: number;
  /** Rectangles cut out of the bounding rectangle (L-shaped rooms), [minX, minY, maxX, maxY]. */
  cuts: [number, number, number, number][];
  /** Floor pieces whose union is the room, [minX, minY, maxX, maxY]. */
  floorRectangles: [number, number, number, number][];
  /** Room outline, counter-clockwise, [x, y] corners. */
  outline: [number, number][];
}
/** Draws a room: size, L-shaped cuts, floor pieces and outline. */
export function planRoom(random: GeneratorRandom, sizeRange: [number, number]): RoomPlan {
  const width = random.uniform(sizeRange[0], sizeRange[1]);
  const depth = random.uniform(sizeRange[0], sizeRange[1]);
  const height = random.uniform(2.4, 3.2);
  if (random.chance(0.35) && width > 4 && depth > 4) {
    // L shape: cut the +x +y corner.
    const cutWidth = random.uniform(0.3, 0.5) * width;
    const cutDepth = random.uniform(0.3, 0.5) * depth;
    return {
      width,
      depth,
      height,
      cuts: [[width - cutWidth, depth - cutDepth, width, depth]],
      floorRectangles: [
        [0, 0, width, depth - cutDepth],
        [0, depth - cutDepth, width - cutWidth, depth],
      ],
      outline: [
        [0, 0],
        [width, 0],
        [width, depth - cutDepth],
        [width - cutWidth, depth - cutDepth],
        [width - cutWidth, depth],
        [0, depth],
      ],
    };
  }
  return {
    width,
    depth,
    height,
    cuts: [],
    floorRectangles: [[0, 0, width, depth]],
    outline: [
      [0, 0],
      [width, 0],
      [width, depth],
      [0, depth],
    ],
  };
}

interface WallOpening {
  start: number;
  end: number;
  bottom: number;
  top: number;
}

export interface WallPlan {
  from: [number, number];
  length: number;
  /** Unit direction along the wall. */
  direction: [number, number];
  /** Unit normal pointing into the room. */
  inward: [number, number];
  openings: WallOpening[];
  /** Length in metres left out at the start, where a reflex corner's neighbour already fills the corner. */
  trimStart: number;
}

export function planWalls(room: RoomPlan, random: GeneratorRandom): WallPlan[] {
  const walls: WallPlan[] = room.outline.map((from, index) => {
    const to = room.outline[(index + 1) % room.outline.length];
    const length = Math.hypot(to[0] - from[0], to[1] - from[1]);
    const direction: [number, number] = [(to[0] - from[0]) / length, (to[1] - from[1]) / length];
    // Counter-clockwise outline: the interior is on the left.
    return { from, length, direction, inward: [-direction[1], direction[0]], openings: [], trimStart: 0 };
  });
  walls.forEach((wall, index) => {
    const previous = walls[(index + walls.length - 1) % walls.length];
    // A right turn in a counter-clockwise outline is a reflex corner: both walls would fill the same square.
    const turn = previous.direction[0] * wall.direction[1] - previous.direction[1] * wall.direction[0];
    if (turn < 0) wall.trimStart = WALL_THICKNESS;
  });
  const long = walls.filter((wall) => wall.length > 1.6);
  const doorWall = random.pick(long.length > 0 ? long : walls);
  const doorWidth = random.uniform(0.8, 1.0);
  const doorStart = random.uniform(0.3, Math.max(0.3, doorWall.length - doorWidth - 0.3));
  doorWall.openings.push({ start: doorStart, end: doorStart + doorWidth, bottom: 0, top: random.uniform(2.0, 2.15) });
  const windowCount = random.integer(3);
  for (let window = 0; window < windowCount; window++) {
    const wall = random.pick(walls);
    const windowWidth = random.uniform(0.8, Math.min(2.2, wall.length - 0.6));
    if (windowWidth < 0.6) continue;
    const start = random.uniform(0.3, wall.length - windowWidth - 0.3);
    const opening = { start, end: start + windowWidth, bottom: random.uniform(0.75, 1.0), top: Math.min(room.height - 0.25, random.uniform(1.9, 2.3)) };
    if (wall.openings.some((other) => opening.start < other.end + 0.3 && other.start < opening.end + 0.3)) continue;
    wall.openings.push(opening);
  }
  return walls;
}

/** Splits a wall into solid boxes around its openings. */
export function buildWallParts(wall: WallPlan, height: number, color: [number, number, number]): SyntheticPart[] {
  const yaw = Math.atan2(wall.direction[1], wall.direction[0]);
  // Local frame: x along the wall from its start, y outward (away from the room), z up.
  const pieces: [number, number, number, number][] = [];
  const openings = [...wall.openings].sort((first, second) => first.start - second.start);
  let cursor = wall.trimStart;
  for (const opening of openings) {
    if (opening.start > cursor) pieces.push([cursor, opening.start, 0, height]);
    if (opening.bottom > 0) pieces.push([opening.start, opening.end, 0, opening.bottom]);
    if (opening.top < height) pieces.push([opening.start, opening.end, opening.top, height]);
    cursor = opening.end;
  }
  if (cursor < wall.length) pieces.push([cursor, wall.length, 0, height]);
  return pieces.map(([start, end, bottom, top]) => ({
    // Outward is -inward; in a frame turned by yaw, local +y is the left (inward) side, so the wall spans y < 0.
    primitive: createBoxFromCorners([start, -WALL_THICKNESS, bottom], [end, 0, top], yaw, wall.from),
    color,
  }));
}

export function insideRoom(room: RoomPlan, footprint: PlacementFootprint): boolean {
  for (const [x, y] of listFootprintCorners(footprint)) {
    if (x < -1e-6 || y < -1e-6 || x > room.width + 1e-6 || y > room.depth + 1e-6) return false;
  }
  for (const [minX, minY, maxX, maxY] of room.cuts) {
    const cut: PlacementFootprint = {
      centerX: (minX + maxX) / 2,
      centerY: (minY + maxY) / 2,
      halfWidth: (maxX - minX) / 2,
      halfDepth: (maxY - minY) / 2,
      yaw: 0,
      bottom: -1,
      top: 100,
    };
    if (footprintsOverlap(cut, footprint)) return false;
  }
  return true;
}
