import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePly, type PointCloud } from '@pointclick/io';

/**
 * A small generated room for labelling tests: a floor and three boxes (metres), coloured per part, points from a
 * seeded generator so every call with one seed gives the same bytes.
 */
export function generateBoxRoom(seed: number, pointsPerPart = 500): PointCloud {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: enough for scattering fixture points.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const parts: { centre: [number, number, number]; size: [number, number, number]; colour: [number, number, number] }[] = [
    { centre: [2, 2, 0], size: [4, 4, 0.02], colour: [120, 120, 120] },
    { centre: [1, 1, 0.4], size: [0.6, 0.6, 0.8], colour: [200, 40, 40] },
    { centre: [3, 1, 0.3], size: [0.5, 0.8, 0.6], colour: [40, 200, 40] },
    { centre: [2, 3, 0.5], size: [0.7, 0.5, 1], colour: [40, 40, 200] },
  ];
  const pointCount = parts.length * pointsPerPart;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  parts.forEach((part, partIndex) => {
    for (let index = 0; index < pointsPerPart; index++) {
      const point = partIndex * pointsPerPart + index;
      for (let axis = 0; axis < 3; axis++) {
        positions[point * 3 + axis] = part.centre[axis] + (random() - 0.5) * part.size[axis];
        colors[point * 3 + axis] = part.colour[axis];
      }
    }
  });
  return { pointCount, positions, colors };
}

/** Writes {@link generateBoxRoom} as `<directory>/<name>` (binary PLY) and returns the path. */
export function writeBoxRoom(directory: string, name: string, seed: number): string {
  const path = join(directory, name);
  writeFileSync(path, writePly(generateBoxRoom(seed)));
  return path;
}

/** Clicks on the three boxes of a box room (points 500, 1000, 1500 start them) and one background click on the floor. */
export const BOX_ROOM_CLICKS = [
  { pointIndex: 500, objectId: 1, kind: 'object' as const },
  { pointIndex: 1000, objectId: 2, kind: 'object' as const },
  { position: [2, 3, 0.5] as [number, number, number], objectId: 3, kind: 'object' as const },
  { pointIndex: 10, objectId: 4, kind: 'background' as const },
];
