import { buildFurniture, FURNITURE_SEMANTIC_IDS, NYU40_IDS, type FurnitureKind, type FurnitureTemplate } from './furniture-catalogue.js';
import { containsPoint, createBoxFromCorners, type GeometryPrimitive } from './geometry-primitives.js';
import { footprintsOverlap, toWorldPlan, type PlacementFootprint } from './placement-footprint.js';
import { chooseHitSubset, gatherHits, HitBuffer, SceneRayCaster } from './scene-ray-caster.js';
import type { RangeNoise, SyntheticObject, SyntheticPart, SyntheticScene } from './scene-ray-caster.js';
import { createSeededRandom, type GeneratorRandom } from './seeded-random.js';
import { buildWallParts, insideRoom, planRoom, planWalls, SLAB_THICKNESS } from './indoor-room-plan.js';
import { NYU40_CLASS_NAMES } from '../classes/class-maps.js';

/** Options of {@link generateIndoorScene}. */
export interface IndoorSceneOptions {
  /** Seed; equal seeds and options give identical scenes. */
  seed: number;
  /** Number of points in the result (exact unless the sensor sees fewer surfaces). Default 50,000. */
  pointCount?: number;
  /** Number of virtual sensor positions inside the room. Default 4. */
  viewpointCount?: number;
  /** Whether the room has a ceiling; default: random (60 %). */
  ceiling?: boolean;
  /** Room floor extent range in metres along each side [minimum, maximum]. Default [3.5, 8]. */
  roomSizeRange?: [number, number];
  /** Furniture pieces per square metre of floor (before props on top). Default 0.35. */
  furnitureDensity?: number;
  /** Sensor range noise; defaults model a structured-light depth camera. */
  rangeNoise?: Partial<RangeNoise>;
  /** Largest sensor range in metres. Default 10. */
  maximumRange?: number;
}

/** Default range noise: 2 mm at the sensor, growing with range squared, clamped to 3 σ ≤ 3 cm. */
export const INDOOR_RANGE_NOISE: RangeNoise = {
  baseDeviation: 0.002,
  deviationPerSquareMetre: 0.0015,
  clampDeviations: 3,
  maximumDeviation: 0.01,
};


interface PlacedFurniture {
  template: FurnitureTemplate;
  footprint: PlacementFootprint;
  object: SyntheticObject;
}

/** Moves a template's local parts into the world at a footprint (plan position and yaw) and base height. */
function placeParts(template: FurnitureTemplate, footprint: PlacementFootprint): SyntheticPart[] {
  return template.parts.map(({ primitive, color }) => {
    const [x, y] = toWorldPlan(footprint, primitive.center[0], primitive.center[1]);
    const center: [number, number, number] = [x, y, primitive.center[2] + footprint.bottom];
    const moved: GeometryPrimitive =
      primitive.kind === 'sphere' ? { ...primitive, center } : { ...primitive, center, yaw: primitive.yaw + footprint.yaw };
    return { primitive: moved, color };
  });
}

const FLOOR_KINDS: FurnitureKind[] = [
  'chair',
  'table',
  'desk',
  'sofa',
  'bed',
  'cabinet',
  'bookshelf',
  'lamp',
  'box',
  'plant',
  'toilet',
  'nightstand',
  'refrigerator',
];
const FLOOR_WEIGHTS = [3, 2, 2, 1, 1, 2, 1.5, 1, 1.5, 1.2, 0.5, 1, 0.5];
const AGAINST_WALL: ReadonlySet<FurnitureKind> = new Set(['desk', 'sofa', 'bed', 'cabinet', 'bookshelf', 'toilet', 'nightstand', 'refrigerator']);

function pickWeighted(random: GeneratorRandom): FurnitureKind {
  const total = FLOOR_WEIGHTS.reduce((sum, weight) => sum + weight, 0);
  let remaining = random.next() * total;
  for (let index = 0; index < FLOOR_KINDS.length; index++) {
    remaining -= FLOOR_WEIGHTS[index];
    if (remaining < 0) return FLOOR_KINDS[index];
  }
  return FLOOR_KINDS[FLOOR_KINDS.length - 1];
}

const WALL_COLORS: [number, number, number][] = [
  [225, 222, 210],
  [205, 210, 215],
  [235, 225, 200],
  [190, 200, 185],
];
const FLOOR_COLORS: [number, number, number][] = [
  [150, 110, 75],
  [120, 120, 125],
  [190, 180, 165],
  [95, 80, 70],
];

/**
 * Generates a furnished room as a depth sensor sees it.
 *
 * The room is a rectangle or an L, with walls split around a door and up to two windows, a floor and an
 * optional ceiling. Furniture of 14 kinds (and pillows, pictures) is built from boxes, cylinders and spheres
 * and placed without interpenetration: against walls, side by side, chairs touching tables, props standing on
 * tables, desks, cabinets, boxes and beds. Several sensor positions cast a jittered panoramic pixel grid, keep
 * the nearest analytic hit per ray (so occluded surfaces are missing and density falls with range squared),
 * perturb the range with clamped Gaussian noise and shade the part colour by incidence. Then exactly
 * `pointCount` hits are kept at random.
 *
 * Semantics are NYU40 ids (ScanNet's `nyu40id`), so generated and ScanNet scenes share one class map. Walls
 * (one per straight wall), the floor and the ceiling are instances of their own, as ScanNet annotates them and
 * AGILE3D evaluates them; every point has a non-zero instance.
 */
export function generateIndoorScene(options: IndoorSceneOptions): SyntheticScene {
  const random = createSeededRandom(options.seed);
  const pointCount = options.pointCount ?? 50_000;
  const room = planRoom(random, options.roomSizeRange ?? [3.5, 8]);
  const walls = planWalls(room, random);
  const objects: SyntheticObject[] = [];
  const addObject = (kind: string, semanticId: number, parts: SyntheticPart[]): SyntheticObject => {
    const object = { instanceId: objects.length + 1, semanticId, kind, parts };
    objects.push(object);
    return object;
  };

  const floorColor = random.pick(FLOOR_COLORS);
  addObject(
    'floor',
    NYU40_IDS.floor,
    room.floorRectangles.map(([minX, minY, maxX, maxY]) => ({
      primitive: createBoxFromCorners([minX, minY, -SLAB_THICKNESS], [maxX, maxY, 0]),
      color: floorColor,
    })),
  );
  const wallColor = random.pick(WALL_COLORS);
  for (const wall of walls) addObject('wall', NYU40_IDS.wall, buildWallParts(wall, room.height, wallColor));
  const hasCeiling = options.ceiling ?? random.chance(0.6);
  if (hasCeiling) {
    addObject(
      'ceiling',
      NYU40_IDS.ceiling,
      room.floorRectangles.map(([minX, minY, maxX, maxY]) => ({
        primitive: createBoxFromCorners([minX, minY, room.height], [maxX, maxY, room.height + SLAB_THICKNESS]),
        color: [240, 240, 238],
      })),
    );
  }

  // Keep doorways clear: a blocker footprint in front of each door.
  const occupied: PlacementFootprint[] = [];
  for (const wall of walls) {
    for (const opening of wall.openings) {
      if (opening.bottom > 0) continue;
      const middle = (opening.start + opening.end) / 2;
      occupied.push({
        centerX: wall.from[0] + wall.direction[0] * middle + wall.inward[0] * 0.45,
        centerY: wall.from[1] + wall.direction[1] * middle + wall.inward[1] * 0.45,
        halfWidth: (opening.end - opening.start) / 2 + 0.05,
        halfDepth: 0.45,
        yaw: Math.atan2(wall.direction[1], wall.direction[0]),
        bottom: 0,
        top: room.height,
      });
    }
  }

  const placed: PlacedFurniture[] = [];
  const tryPlace = (template: FurnitureTemplate, footprint: PlacementFootprint, support?: PlacementFootprint): PlacedFurniture | undefined => {
    if (!insideRoom(room, footprint)) return undefined;
    if (footprint.top > room.height - 0.02) return undefined;
    // The supporting piece's own box may reach above its surface (a headboard); its parts never do there.
    if (occupied.some((other) => other !== support && footprintsOverlap(other, footprint))) return undefined;
    occupied.push(footprint);
    const object = addObject(template.kind, FURNITURE_SEMANTIC_IDS[template.kind], placeParts(template, footprint));
    const entry = { template, footprint, object };
    placed.push(entry);
    return entry;
  };
  const footprintFor = (template: FurnitureTemplate, centerX: number, centerY: number, yaw: number, bottom = 0): PlacementFootprint => ({
    centerX,
    centerY,
    halfWidth: template.halfWidth,
    halfDepth: template.halfDepth,
    yaw,
    bottom,
    top: bottom + template.height,
  });
  const placeAgainstWall = (template: FurnitureTemplate): PlacedFurniture | undefined => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const wall = random.pick(walls);
      if (wall.length < 2 * template.halfWidth + 0.02) continue;
      const along = random.uniform(template.halfWidth, wall.length - template.halfWidth);
      // Back (+y) against the wall: local +y must point outward, i.e. yaw turns +y onto -inward.
      const yaw = Math.atan2(wall.inward[0], -wall.inward[1]);
      const centerX = wall.from[0] + wall.direction[0] * along + wall.inward[0] * template.halfDepth;
      const centerY = wall.from[1] + wall.direction[1] * along + wall.inward[1] * template.halfDepth;
      const result = tryPlace(template, footprintFor(template, centerX, centerY, yaw));
      if (result) return result;
    }
    return undefined;
  };
  const placeFree = (template: FurnitureTemplate): PlacedFurniture | undefined => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const yaw = random.chance(0.7) ? (random.integer(4) * Math.PI) / 2 : random.uniform(0, 2 * Math.PI);
      const result = tryPlace(
        template,
        footprintFor(template, random.uniform(0, room.width), random.uniform(0, room.depth), yaw),
      );
      if (result) return result;
    }
    return undefined;
  };
  /** Puts `template` flush against one side of `anchor`, facing it (chairs at tables and desks). */
  const placeFacing = (anchor: PlacedFurniture, template: FurnitureTemplate): PlacedFurniture | undefined => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const side = random.integer(4);
      const anchorHalfAlong = side % 2 === 0 ? anchor.footprint.halfDepth : anchor.footprint.halfWidth;
      const anchorHalfAcross = side % 2 === 0 ? anchor.footprint.halfWidth : anchor.footprint.halfDepth;
      const localDirection = [
        [0, -1],
        [1, 0],
        [0, 1],
        [-1, 0],
      ][side];
      const distance = anchorHalfAlong + template.halfDepth;
      const slide = random.uniform(-1, 1) * Math.max(0, anchorHalfAcross - template.halfWidth);
      const localX = localDirection[0] * distance + -localDirection[1] * slide;
      const localY = localDirection[1] * distance + localDirection[0] * slide;
      const [centerX, centerY] = toWorldPlan(anchor.footprint, localX, localY);
      // The template's back (+y) points away from the anchor, so it faces it.
      const outwardAngle = anchor.footprint.yaw + Math.atan2(localDirection[1], localDirection[0]);
      const yaw = outwardAngle - Math.PI / 2;
      const result = tryPlace(template, footprintFor(template, centerX, centerY, yaw));
      if (result) return result;
    }
    return undefined;
  };
  const placeOnSurface = (anchor: PlacedFurniture, template: FurnitureTemplate): PlacedFurniture | undefined => {
    for (const surface of anchor.template.surfaces) {
      const freeX = surface.halfWidth - template.halfWidth;
      const freeY = surface.halfDepth - template.halfDepth;
      if (freeX < 0 || freeY < 0) continue;
      for (let attempt = 0; attempt < 6; attempt++) {
        const localX = surface.centerX + random.uniform(-freeX, freeX);
        const localY = surface.centerY + random.uniform(-freeY, freeY);
        const [centerX, centerY] = toWorldPlan(anchor.footprint, localX, localY);
        const result = tryPlace(template, footprintFor(template, centerX, centerY, anchor.footprint.yaw, anchor.footprint.bottom + surface.height), anchor.footprint);
        if (result) return result;
      }
    }
    return undefined;
  };

  const floorArea = room.floorRectangles.reduce((sum, [minX, minY, maxX, maxY]) => sum + (maxX - minX) * (maxY - minY), 0);
  const furnitureCount = Math.max(5, Math.round(floorArea * (options.furnitureDensity ?? 0.35)));
  for (let piece = 0; piece < furnitureCount; piece++) {
    const kind = pickWeighted(random);
    const template = buildFurniture(kind, random);
    const anchor = AGAINST_WALL.has(kind) || random.chance(0.3) ? placeAgainstWall(template) : placeFree(template);
    if (!anchor) continue;
    if (kind === 'table' || kind === 'desk') {
      const chairCount = kind === 'desk' ? 1 : 1 + random.integer(4);
      for (let chair = 0; chair < chairCount; chair++) placeFacing(anchor, buildFurniture('chair', random));
    }
    if (kind === 'bed') {
      for (const side of [-1, 1]) {
        if (!random.chance(0.6)) continue;
        // Beside the head end, back flush with the bed's back (against the same wall).
        const template = buildFurniture('nightstand', random);
        const [centerX, centerY] = toWorldPlan(
          anchor.footprint,
          side * (anchor.footprint.halfWidth + template.halfWidth),
          anchor.footprint.halfDepth - template.halfDepth,
        );
        tryPlace(template, footprintFor(template, centerX, centerY, anchor.footprint.yaw));
      }
      const pillowCount = anchor.template.halfWidth > 0.6 ? 2 : 1;
      for (let pillow = 0; pillow < pillowCount; pillow++) {
        placeOnSurface(anchor, buildFurniture('pillow', random, (2 * anchor.template.halfWidth - 0.1) / pillowCount));
      }
    }
    if (kind === 'box') {
      let stack = anchor;
      while (random.chance(0.4)) {
        const next = placeOnSurface(stack, buildFurniture('box', random));
        if (!next) break;
        stack = next;
      }
    }
  }
  // Props on top surfaces: monitors on desks, lamps, plants and boxes on tables and cabinets.
  for (const anchor of [...placed]) {
    if (anchor.template.surfaces.length === 0 || anchor.template.kind === 'bed' || anchor.template.kind === 'box') continue;
    const propCount = anchor.template.kind === 'desk' ? 1 + random.integer(3) : random.integer(3);
    for (let prop = 0; prop < propCount; prop++) {
      const kind: FurnitureKind =
        anchor.template.kind === 'desk' && prop === 0 ? 'monitor' : random.pick(['lamp', 'box', 'plant', 'monitor'] as FurnitureKind[]);
      placeOnSurface(anchor, buildFurniture(kind, random, 0.5));
    }
  }
  // Pictures hang flat on the walls, touching them.
  const pictureCount = random.integer(4);
  for (let picture = 0; picture < pictureCount; picture++) {
    const template = buildFurniture('picture', random);
    const wall = random.pick(walls);
    if (wall.length < 2 * template.halfWidth + 0.2) continue;
    const along = random.uniform(template.halfWidth + 0.1, wall.length - template.halfWidth - 0.1);
    const yaw = Math.atan2(wall.inward[0], -wall.inward[1]);
    const bottom = random.uniform(1.1, Math.max(1.1, room.height - template.height - 0.3));
    const inOpening = wall.openings.some((opening) => along + template.halfWidth > opening.start && along - template.halfWidth < opening.end);
    if (inOpening) continue;
    tryPlace(
      template,
      footprintFor(
        template,
        wall.from[0] + wall.direction[0] * along + wall.inward[0] * template.halfDepth,
        wall.from[1] + wall.direction[1] * along + wall.inward[1] * template.halfDepth,
        yaw,
        bottom,
      ),
    );
  }

  // Sensor positions: inside the room at head height, clear of every object.
  const viewpointCount = options.viewpointCount ?? 4;
  const viewpoints: number[] = [];
  for (let attempt = 0; viewpoints.length < viewpointCount * 3 && attempt < 400; attempt++) {
    const x = random.uniform(0.3, room.width - 0.3);
    const y = random.uniform(0.3, room.depth - 0.3);
    const z = random.uniform(1.2, Math.min(1.8, room.height - 0.3));
    const probe: PlacementFootprint = { centerX: x, centerY: y, halfWidth: 0.2, halfDepth: 0.2, yaw: 0, bottom: z - 0.2, top: z + 0.2 };
    if (!insideRoom(room, probe)) continue;
    const blocked = objects.some((object) => object.parts.some((part) => containsPoint(part.primitive, x, y, z, -0.25)));
    if (blocked) continue;
    viewpoints.push(x, y, z);
  }
  if (viewpoints.length === 0) viewpoints.push(room.width / 2, room.depth / 2, Math.min(1.5, room.height - 0.3));

  const noise: RangeNoise = { ...INDOOR_RANGE_NOISE, ...options.rangeNoise };
  const maximumRange = options.maximumRange ?? 10;
  const caster = new SceneRayCaster(objects);
  const buffer = new HitBuffer(Math.ceil(pointCount * 1.5));
  const origin = new Float64Array(3);
  const direction = new Float64Array(3);
  const minimumElevation = (-75 * Math.PI) / 180;
  const maximumElevation = (hasCeiling ? 75 : 60) * (Math.PI / 180);
  const usedViewpoints = viewpoints.length / 3;
  // Rays per pass: enough for ~1.6× the target after misses; repeat passes until the target is reached.
  let raysPerViewpoint = Math.ceil((pointCount * 1.6) / usedViewpoints);
  for (let pass = 0; pass < 6 && buffer.count < pointCount; pass++) {
    const rows = Math.max(2, Math.round(Math.sqrt((raysPerViewpoint * (maximumElevation - minimumElevation)) / (2 * Math.PI))));
    const columns = Math.max(4, Math.round(raysPerViewpoint / rows));
    for (let view = 0; view < usedViewpoints; view++) {
      origin[0] = viewpoints[view * 3];
      origin[1] = viewpoints[view * 3 + 1];
      origin[2] = viewpoints[view * 3 + 2];
      const headingOffset = random.uniform(0, 2 * Math.PI);
      for (let row = 0; row < rows; row++) {
        for (let column = 0; column < columns; column++) {
          // Jittered pixel centres avoid aliasing against the axis-aligned walls.
          const elevation = minimumElevation + ((row + random.next()) / rows) * (maximumElevation - minimumElevation);
          const azimuth = headingOffset + ((column + random.next()) / columns) * 2 * Math.PI;
          const cosineElevation = Math.cos(elevation);
          direction[0] = cosineElevation * Math.cos(azimuth);
          direction[1] = cosineElevation * Math.sin(azimuth);
          direction[2] = Math.sin(elevation);
          const before = buffer.count;
          if (!caster.sampleRay(origin, direction, maximumRange, noise, random, buffer)) continue;
          // Grazing returns are often lost by real depth sensors.
          const incidence = buffer.incidence[before];
          if (incidence < 0.15 && random.next() > incidence / 0.15) buffer.count = before;
        }
      }
    }
    raysPerViewpoint = Math.ceil(raysPerViewpoint * 0.75);
  }
  const chosen = chooseHitSubset(buffer.count, pointCount, random);
  const gathered = gatherHits(buffer, chosen);
  const classNames: Record<number, string> = {};
  for (const object of objects) classNames[object.semanticId] = NYU40_CLASS_NAMES[object.semanticId];
  return {
    pointCount: gathered.pointCount,
    positions: gathered.positions,
    colors: gathered.colors,
    normals: gathered.normals,
    instance: gathered.instance,
    semantic: gathered.semantic,
    objects,
    classNames,
    viewpoints: Float32Array.from(viewpoints),
    noiseBound: noise.clampDeviations * noise.maximumDeviation,
    metadata: { classNames, comments: [`pointclick synthetic indoor scene, seed ${options.seed}`] },
  };
}
