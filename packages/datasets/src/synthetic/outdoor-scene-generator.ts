import { SEMANTIC_KITTI_RAW_IDS, SEMANTIC_KITTI_RAW_NAMES } from '../classes/class-maps.js';
import { createBoxFromCorners, createCylinder, createSphere } from './geometry-primitives.js';
import { footprintsOverlap, type PlacementFootprint } from './placement-footprint.js';
import { chooseHitSubset, gatherHits, HitBuffer, SceneRayCaster } from './scene-ray-caster.js';
import type { RangeNoise, SyntheticObject, SyntheticPart, SyntheticScene } from './scene-ray-caster.js';
import { createSeededRandom, type GeneratorRandom } from './seeded-random.js';

/** Options of {@link generateOutdoorScene}. */
export interface OutdoorSceneOptions {
  /** Seed; equal seeds and options give identical scenes. */
  seed: number;
  /** Keep exactly this many of the lidar returns (chosen at random); default: all returns. */
  pointCount?: number;
  /** Number of laser beams. Default 64. */
  beamCount?: number;
  /** Lowest beam elevation in degrees. Default −25. */
  minimumElevation?: number;
  /** Highest beam elevation in degrees. Default +3. */
  maximumElevation?: number;
  /** Azimuth steps per revolution. Default 1,800 (0.2°). */
  azimuthStepCount?: number;
  /** Sensor height above the road in metres. Default 1.73 (KITTI's Velodyne). */
  sensorHeight?: number;
  /** Largest range in metres. Default 80. */
  maximumRange?: number;
  /** Range noise; default 2 cm σ, clamped at 3 σ. */
  rangeNoise?: Partial<RangeNoise>;
}

/** Default lidar range noise: 2 cm σ at every range, clamped to 3 σ. */
export const LIDAR_RANGE_NOISE: RangeNoise = { baseDeviation: 0.02, deviationPerSquareMetre: 0, clampDeviations: 3, maximumDeviation: 0.02 };

/** Relative reflectivity per SemanticKITTI raw id, for the simulated intensity channel (0..1). */
const REFLECTIVITY: Record<number, number> = {
  [SEMANTIC_KITTI_RAW_IDS.road]: 0.25,
  [SEMANTIC_KITTI_RAW_IDS.sidewalk]: 0.3,
  [SEMANTIC_KITTI_RAW_IDS.terrain]: 0.35,
  [SEMANTIC_KITTI_RAW_IDS.building]: 0.4,
  [SEMANTIC_KITTI_RAW_IDS.car]: 0.5,
  [SEMANTIC_KITTI_RAW_IDS.person]: 0.3,
  [SEMANTIC_KITTI_RAW_IDS.bicycle]: 0.45,
  [SEMANTIC_KITTI_RAW_IDS.pole]: 0.5,
  [SEMANTIC_KITTI_RAW_IDS.trafficSign]: 0.95,
  [SEMANTIC_KITTI_RAW_IDS.vegetation]: 0.45,
  [SEMANTIC_KITTI_RAW_IDS.trunk]: 0.35,
};

type Color = [number, number, number];

function vary(random: GeneratorRandom, color: Color, amount = 15): Color {
  return color.map((channel) => Math.max(0, Math.min(255, Math.round(channel + random.uniform(-amount, amount))))) as Color;
}

function turnedBox(
  originX: number,
  originY: number,
  yaw: number,
  minimum: [number, number, number],
  maximum: [number, number, number],
  color: Color,
  semanticId?: number,
): SyntheticPart {
  return { primitive: createBoxFromCorners(minimum, maximum, yaw, [originX, originY]), color, semanticId };
}

function turnedPoint(originX: number, originY: number, yaw: number, localX: number, localY: number): [number, number] {
  return [originX + Math.cos(yaw) * localX - Math.sin(yaw) * localY, originY + Math.sin(yaw) * localX + Math.cos(yaw) * localY];
}

function buildCar(random: GeneratorRandom, x: number, y: number, yaw: number): { parts: SyntheticPart[]; halfLength: number; halfWidth: number; height: number } {
  const length = random.uniform(3.8, 4.9);
  const width = random.uniform(1.65, 1.9);
  const bodyTop = random.uniform(0.9, 1.05);
  const height = bodyTop + random.uniform(0.4, 0.55);
  const paint = vary(random, random.pick<Color>([[200, 200, 205], [30, 30, 35], [150, 20, 25], [40, 60, 120], [120, 120, 125]]));
  const glass = vary(random, [40, 50, 60], 8);
  const halfLength = length / 2;
  const halfWidth = width / 2;
  const wheelRadius = random.uniform(0.3, 0.36);
  const parts: SyntheticPart[] = [
    turnedBox(x, y, yaw, [-halfLength, -halfWidth, wheelRadius * 0.8], [halfLength, halfWidth, bodyTop], paint),
    turnedBox(x, y, yaw, [-halfLength * 0.55, -halfWidth + 0.08, bodyTop], [halfLength * 0.35, halfWidth - 0.08, height], glass),
  ];
  for (const along of [-halfLength + 0.75, halfLength - 0.8]) {
    for (const side of [-1, 1]) {
      const [wheelX, wheelY] = turnedPoint(x, y, yaw, along, side * (halfWidth - 0.12));
      parts.push({ primitive: createCylinder([wheelX, wheelY, wheelRadius], wheelRadius, 0.22, 'y', yaw), color: [25, 25, 25] });
    }
  }
  return { parts, halfLength, halfWidth, height };
}

function buildPedestrian(random: GeneratorRandom, x: number, y: number, yaw: number): SyntheticPart[] {
  const height = random.uniform(1.55, 1.9);
  const clothes = vary(random, random.pick<Color>([[40, 40, 60], [120, 30, 30], [200, 190, 170], [60, 90, 60]]), 20);
  const trousers = vary(random, random.pick<Color>([[30, 35, 60], [50, 50, 50], [110, 95, 70]]), 10);
  const skin = vary(random, random.pick<Color>([[225, 190, 160], [160, 110, 80], [100, 70, 50]]), 10);
  const legTop = height * 0.47;
  const shoulder = height * 0.82;
  const headRadius = height * 0.065;
  return [
    turnedBox(x, y, yaw, [-0.07, -0.17, 0], [0.07, -0.03, legTop], trousers),
    turnedBox(x, y, yaw, [-0.07, 0.03, 0], [0.07, 0.17, legTop], trousers),
    turnedBox(x, y, yaw, [-0.12, -0.2, legTop], [0.12, 0.2, shoulder], clothes),
    turnedBox(x, y, yaw, [-0.05, -0.27, legTop + 0.05], [0.05, -0.2, shoulder], clothes),
    turnedBox(x, y, yaw, [-0.05, 0.2, legTop + 0.05], [0.05, 0.27, shoulder], clothes),
    { primitive: createSphere([x, y, shoulder + headRadius + 0.04], headRadius), color: skin },
    { primitive: createCylinder([x, y, shoulder + 0.02], 0.05, 0.05), color: skin },
  ];
}

function buildBicycle(random: GeneratorRandom, x: number, y: number, yaw: number): SyntheticPart[] {
  const wheelRadius = random.uniform(0.3, 0.35);
  const wheelBase = random.uniform(1.0, 1.1);
  const frame = vary(random, random.pick<Color>([[180, 30, 30], [30, 30, 30], [40, 90, 160], [200, 200, 200]]));
  const parts: SyntheticPart[] = [];
  for (const along of [-wheelBase / 2, wheelBase / 2]) {
    const [wheelX, wheelY] = turnedPoint(x, y, yaw, along, 0);
    parts.push({ primitive: createCylinder([wheelX, wheelY, wheelRadius], wheelRadius, 0.04, 'y', yaw), color: [20, 20, 20] });
  }
  parts.push(turnedBox(x, y, yaw, [-wheelBase / 2, -0.02, wheelRadius], [wheelBase / 2, 0.02, wheelRadius + 0.04], frame));
  parts.push(turnedBox(x, y, yaw, [-0.15, -0.02, wheelRadius + 0.04], [-0.11, 0.02, wheelRadius + 0.45], frame));
  parts.push(turnedBox(x, y, yaw, [-0.25, -0.08, wheelRadius + 0.45], [-0.05, 0.08, wheelRadius + 0.5], [20, 20, 20]));
  parts.push(turnedBox(x, y, yaw, [wheelBase / 2 - 0.12, -0.02, wheelRadius + 0.04], [wheelBase / 2 - 0.08, 0.02, wheelRadius + 0.55], frame));
  parts.push(turnedBox(x, y, yaw, [wheelBase / 2 - 0.12, -0.3, wheelRadius + 0.55], [wheelBase / 2 - 0.08, 0.3, wheelRadius + 0.58], frame));
  return parts;
}

/**
 * Generates a street scene as a spinning lidar sees it.
 *
 * A straight road along x with lanes of parked and driving cars, raised sidewalks with pedestrians, parked
 * bicycles, poles (some carrying traffic signs) and trees, terrain beyond, and rows of buildings of varied
 * size with gaps. The sensor sits on the road at the origin; `beamCount` beams spaced evenly in elevation
 * sweep `azimuthStepCount` steps, each beam keeps the nearest analytic hit with clamped Gaussian range noise.
 *
 * Semantics are SemanticKITTI raw ids (road 40, sidewalk 48, building 50, car 10, …; map them with
 * `SEMANTIC_KITTI_CLASS_MAP`). Every object is its own instance, road, sidewalks and terrain included, so
 * every point has a non-zero instance; a tree is one instance whose trunk points are 'trunk' (71) and whose
 * crown points are 'vegetation' (70). `intensity` is a reflectivity per class times the incidence cosine.
 */
export function generateOutdoorScene(options: OutdoorSceneOptions): SyntheticScene {
  const random = createSeededRandom(options.seed);
  const ids = SEMANTIC_KITTI_RAW_IDS;
  const objects: SyntheticObject[] = [];
  const addObject = (kind: string, semanticId: number, parts: SyntheticPart[]): void => {
    objects.push({ instanceId: objects.length + 1, semanticId, kind, parts });
  };
  const extent = 90;
  const roadHalfWidth = random.uniform(3.5, 7.5);
  const sidewalkWidth = random.uniform(1.8, 4);
  const curbHeight = random.uniform(0.1, 0.18);
  const sidewalkOuter = roadHalfWidth + sidewalkWidth;

  addObject('road', ids.road, [
    { primitive: createBoxFromCorners([-extent, -roadHalfWidth, -0.2], [extent, roadHalfWidth, 0]), color: vary(random, [70, 70, 72], 10) },
  ]);
  for (const side of [-1, 1]) {
    const near = side * roadHalfWidth;
    const far = side * sidewalkOuter;
    addObject('sidewalk', ids.sidewalk, [
      {
        primitive: createBoxFromCorners([-extent, Math.min(near, far), -0.2], [extent, Math.max(near, far), curbHeight]),
        color: vary(random, [150, 148, 140], 10),
      },
    ]);
    const terrainFar = side * extent;
    addObject('terrain', ids.terrain, [
      {
        primitive: createBoxFromCorners([-extent, Math.min(far, terrainFar), -0.2], [extent, Math.max(far, terrainFar), 0.05]),
        color: vary(random, [110, 130, 70], 15),
      },
    ]);
  }

  // Keep clear of the ego vehicle around the sensor.
  const occupied: PlacementFootprint[] = [
    { centerX: 0, centerY: 0, halfWidth: 2.6, halfDepth: 1.1, yaw: 0, bottom: -1, top: 3 },
  ];
  const tryOccupy = (footprint: PlacementFootprint): boolean => {
    if (occupied.some((other) => footprintsOverlap(other, footprint))) return false;
    occupied.push(footprint);
    return true;
  };

  // Buildings: a row per side, set back from the sidewalk, with gaps.
  for (const side of [-1, 1]) {
    let x = -extent + random.uniform(0, 10);
    while (x < extent - 5) {
      const width = random.uniform(8, 25);
      const depth = random.uniform(8, 16);
      const height = random.uniform(5, 22);
      const setback = random.chance(0.5) ? 0 : random.uniform(1, 6);
      const nearY = side * (sidewalkOuter + setback);
      const farY = nearY + side * depth;
      const color = vary(random, random.pick<Color>([[180, 170, 150], [140, 100, 80], [200, 200, 195], [110, 110, 115]]), 15);
      const parts: SyntheticPart[] = [
        { primitive: createBoxFromCorners([x, Math.min(nearY, farY), 0], [x + width, Math.max(nearY, farY), height]), color },
      ];
      if (random.chance(0.5)) {
        // A narrower upper storey or roof structure.
        const inset = random.uniform(0.5, 2);
        parts.push({
          primitive: createBoxFromCorners(
            [x + inset, Math.min(nearY, farY) + inset, height],
            [x + width - inset, Math.max(nearY, farY) - inset, height + random.uniform(1.5, 4)],
          ),
          color: vary(random, color, 10),
        });
      }
      addObject('building', ids.building, parts);
      tryOccupy({ centerX: x + width / 2, centerY: (nearY + farY) / 2, halfWidth: width / 2, halfDepth: depth / 2, yaw: 0, bottom: 0, top: 30 });
      x += width + (random.chance(0.6) ? random.uniform(2, 12) : 0);
    }
  }

  // Cars: parked along both curbs and driving in the lanes.
  const carCount = 6 + random.integer(14);
  for (let car = 0, attempt = 0; car < carCount && attempt < carCount * 6; attempt++) {
    const parked = random.chance(0.6);
    const side = random.chance(0.5) ? -1 : 1;
    const x = random.uniform(-45, 45);
    const y = parked ? side * (roadHalfWidth - 1.05) : side * random.uniform(0.5, Math.max(0.6, roadHalfWidth - 2.5)) * 0.6 + side * 1.0;
    const yaw = (side > 0 ? 0 : Math.PI) + random.uniform(-0.08, 0.08);
    const built = buildCar(random, x, y, yaw);
    if (Math.abs(y) + built.halfWidth > roadHalfWidth) continue;
    if (!tryOccupy({ centerX: x, centerY: y, halfWidth: built.halfLength + 0.1, halfDepth: built.halfWidth + 0.1, yaw, bottom: 0, top: built.height })) continue;
    addObject('car', ids.car, built.parts);
    car++;
  }

  // Sidewalk furniture and people, standing on the sidewalk surface.
  const sidewalkY = (side: number, margin: number): number => side * random.uniform(roadHalfWidth + margin, sidewalkOuter - margin);
  const place = (count: number, halfSize: [number, number], height: number, margin: number, build: (x: number, y: number, yaw: number, side: number) => void, freeYaw: boolean): void => {
    for (let index = 0, attempt = 0; index < count && attempt < count * 8; attempt++) {
      const side = random.chance(0.5) ? -1 : 1;
      const x = random.uniform(-60, 60);
      const y = sidewalkY(side, margin);
      const yaw = freeYaw ? random.uniform(0, 2 * Math.PI) : random.chance(0.5) ? 0 : Math.PI;
      const reach = Math.hypot(halfSize[0], halfSize[1]);
      if (Math.abs(y) - reach < roadHalfWidth || Math.abs(y) + reach > sidewalkOuter) continue;
      if (!tryOccupy({ centerX: x, centerY: y, halfWidth: halfSize[0], halfDepth: halfSize[1], yaw, bottom: curbHeight, top: curbHeight + height })) continue;
      build(x, y, yaw, side);
      index++;
    }
  };
  const lift = (parts: SyntheticPart[]): SyntheticPart[] => {
    for (const part of parts) part.primitive.center[2] += curbHeight;
    return parts;
  };
  // Trees: a trunk on the sidewalk and a crown that may overhang the street above the traffic; the crown's
  // own footprint and height range keep it clear of buildings, poles and other crowns.
  const treeCount = 4 + random.integer(8);
  for (let tree = 0, attempt = 0; tree < treeCount && attempt < treeCount * 8; attempt++) {
    const side = random.chance(0.5) ? -1 : 1;
    const x = random.uniform(-60, 60);
    const radius = random.uniform(0.12, 0.25);
    const y = sidewalkY(side, radius + 0.3);
    const trunkHeight = random.uniform(2.2, 3.5);
    const crownRadius = random.uniform(1.2, 2.6);
    const crownCenter = trunkHeight + crownRadius * 0.8;
    const upper = random.chance(0.5);
    const upperRadius = crownRadius * 0.7;
    const upperCenter: [number, number, number] = [x + side * 0.3, y + side * crownRadius * 0.2, curbHeight + trunkHeight + crownRadius * 1.4];
    const trunkFootprint: PlacementFootprint = { centerX: x, centerY: y, halfWidth: radius, halfDepth: radius, yaw: 0, bottom: curbHeight, top: curbHeight + trunkHeight };
    const crownHalf = crownRadius + (upper ? 0.5 : 0);
    const crownFootprint: PlacementFootprint = {
      centerX: x,
      centerY: y + (upper ? side * crownRadius * 0.1 : 0),
      halfWidth: crownHalf,
      halfDepth: crownHalf + (upper ? crownRadius * 0.1 : 0),
      yaw: 0,
      bottom: curbHeight + crownCenter - crownRadius,
      top: curbHeight + Math.max(crownCenter + crownRadius, upper ? upperCenter[2] - curbHeight + upperRadius : 0),
    };
    if (occupied.some((other) => footprintsOverlap(other, trunkFootprint) || footprintsOverlap(other, crownFootprint))) continue;
    occupied.push(trunkFootprint, crownFootprint);
    const parts: SyntheticPart[] = [
      { primitive: createCylinder([x, y, curbHeight + trunkHeight / 2], radius, trunkHeight), color: vary(random, [90, 70, 50]), semanticId: ids.trunk },
      { primitive: createSphere([x, y, curbHeight + crownCenter], crownRadius), color: vary(random, [50, 110, 45], 20), semanticId: ids.vegetation },
    ];
    if (upper) parts.push({ primitive: createSphere(upperCenter, upperRadius), color: vary(random, [60, 120, 50], 20), semanticId: ids.vegetation });
    addObject('tree', ids.vegetation, parts);
    tree++;
  }
  place(5 + random.integer(8), [0.2, 0.2], 8, 0.3, (x, y, _yaw, side) => {
    const height = random.uniform(3.5, 8);
    const radius = random.uniform(0.06, 0.14);
    const parts: SyntheticPart[] = [{ primitive: createCylinder([x, y, height / 2], radius, height), color: vary(random, [120, 120, 120]) }];
    if (random.chance(0.5)) {
      const signBottom = random.uniform(2.2, height - 0.8);
      parts.push({
        primitive: createBoxFromCorners([x - 0.3, y - side * (radius + 0.03), signBottom], [x + 0.3, y - side * radius, signBottom + 0.6]),
        color: vary(random, random.pick<Color>([[200, 30, 30], [30, 60, 170], [230, 230, 230]]), 10),
        semanticId: ids.trafficSign,
      });
    }
    addObject('pole', ids.pole, lift(parts));
  }, false);
  place(3 + random.integer(10), [0.3, 0.3], 1.9, 0.35, (x, y, yaw) => addObject('person', ids.person, lift(buildPedestrian(random, x, y, yaw))), true);
  place(1 + random.integer(5), [0.72, 0.35], 1.2, 0.4, (x, y, yaw) => addObject('bicycle', ids.bicycle, lift(buildBicycle(random, x, y, yaw))), false);

  const beamCount = options.beamCount ?? 64;
  const minimumElevation = ((options.minimumElevation ?? -25) * Math.PI) / 180;
  const maximumElevation = ((options.maximumElevation ?? 3) * Math.PI) / 180;
  const azimuthStepCount = options.azimuthStepCount ?? 1800;
  const sensorHeight = options.sensorHeight ?? 1.73;
  const maximumRange = options.maximumRange ?? 80;
  const noise: RangeNoise = { ...LIDAR_RANGE_NOISE, ...options.rangeNoise };
  const caster = new SceneRayCaster(objects);
  const buffer = new HitBuffer(beamCount * azimuthStepCount);
  const origin = Float64Array.of(0, 0, sensorHeight);
  const direction = new Float64Array(3);
  for (let beam = 0; beam < beamCount; beam++) {
    const elevation = minimumElevation + (beamCount === 1 ? 0 : (beam * (maximumElevation - minimumElevation)) / (beamCount - 1));
    const cosineElevation = Math.cos(elevation);
    const sineElevation = Math.sin(elevation);
    for (let step = 0; step < azimuthStepCount; step++) {
      const azimuth = (step * 2 * Math.PI) / azimuthStepCount;
      direction[0] = cosineElevation * Math.cos(azimuth);
      direction[1] = cosineElevation * Math.sin(azimuth);
      direction[2] = sineElevation;
      caster.sampleRay(origin, direction, maximumRange, noise, random, buffer);
    }
  }
  const chosen = chooseHitSubset(buffer.count, options.pointCount ?? buffer.count, random);
  const gathered = gatherHits(buffer, chosen);
  const intensity = new Float32Array(gathered.pointCount);
  for (let point = 0; point < gathered.pointCount; point++) {
    const reflectivity = REFLECTIVITY[gathered.semantic[point]] ?? 0.3;
    intensity[point] = Math.min(1, Math.max(0, reflectivity * (0.4 + 0.6 * gathered.incidence[point]) + random.gaussian() * 0.02));
  }
  const classNames: Record<number, string> = {};
  for (const object of objects) {
    for (const part of object.parts) {
      const id = part.semanticId ?? object.semanticId;
      classNames[id] = SEMANTIC_KITTI_RAW_NAMES[id];
    }
  }
  return {
    pointCount: gathered.pointCount,
    positions: gathered.positions,
    colors: gathered.colors,
    normals: gathered.normals,
    intensity,
    instance: gathered.instance,
    semantic: gathered.semantic,
    objects,
    classNames,
    viewpoints: Float32Array.of(0, 0, sensorHeight),
    noiseBound: noise.clampDeviations * noise.maximumDeviation,
    metadata: { classNames, comments: [`pointclick synthetic outdoor scene, seed ${options.seed}`] },
  };
}
