import { createRandom } from '../src/index.js';

/** Uniform random cloud in a box of the given extent (metres), seeded. */
export function makeRandomCloud(pointCount: number, seed: number, extent: [number, number, number] = [4, 3, 2]): Float32Array {
  const random = createRandom(seed);
  const positions = new Float32Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    positions[point * 3] = random.next() * extent[0] - 1;
    positions[point * 3 + 1] = random.next() * extent[1] + 0.5;
    positions[point * 3 + 2] = random.next() * extent[2];
  }
  return positions;
}

/** Squared distance computed the same way as the library (float64 from float32 inputs). */
export function squaredDistance(positions: Float32Array, a: number, x: number, y: number, z: number): number {
  const dx = positions[a * 3] - x;
  const dy = positions[a * 3 + 1] - y;
  const dz = positions[a * 3 + 2] - z;
  return dx * dx + dy * dy + dz * dz;
}
