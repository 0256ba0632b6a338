/**
 * Generation time of a 50,000-point indoor scene (and a 64-beam outdoor scan), with the ratio to a reference
 * measured in the same run: casting the same number of rays against one analytic plane and writing the hit
 * points to a Float32Array (the cheapest possible "ray caster"). Prints figures; never fails on a time.
 */
import { generateIndoorScene, generateOutdoorScene } from '../src/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Casts `rayCount` panoramic rays from (0, 0, 1.5) against the plane z = 0 and stores the hits. */
function castRaysAgainstPlane(rayCount: number): number {
  const hits = new Float32Array(rayCount * 3);
  const rows = Math.round(Math.sqrt(rayCount / 2));
  const columns = Math.ceil(rayCount / rows);
  let count = 0;
  let state = 12345;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns && count < rayCount; column++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const elevation = -1.3 + ((row + state / 4294967296) / rows) * 1.25;
      const azimuth = (column / columns) * 2 * Math.PI;
      const dz = Math.sin(elevation);
      const distance = -1.5 / dz;
      hits[count * 3] = Math.cos(elevation) * Math.cos(azimuth) * distance;
      hits[count * 3 + 1] = Math.cos(elevation) * Math.sin(azimuth) * distance;
      hits[count * 3 + 2] = 1.5 + dz * distance;
      count++;
    }
  }
  return hits[(count - 1) * 3];
}

const pointCount = 50_000;
// Warm up the JIT on both paths.
generateIndoorScene({ seed: 100, pointCount });
castRaysAgainstPlane(80_000);

const indoorTimes: number[] = [];
const referenceTimes: number[] = [];
let raysPerScene = 0;
for (let seed = 1; seed <= 7; seed++) {
  const start = performance.now();
  const scene = generateIndoorScene({ seed, pointCount });
  indoorTimes.push(performance.now() - start);
  // Rays the generator cast: about 1.6× the point count (misses, dropped grazing returns and a final subset).
  raysPerScene = Math.ceil(pointCount * 1.6);
  if (scene.pointCount !== pointCount) console.log(`seed ${seed}: only ${scene.pointCount} points`);
  const referenceStart = performance.now();
  castRaysAgainstPlane(raysPerScene);
  referenceTimes.push(performance.now() - referenceStart);
}
const outdoorTimes: number[] = [];
let outdoorPoints = 0;
for (let seed = 1; seed <= 3; seed++) {
  const start = performance.now();
  outdoorPoints = generateOutdoorScene({ seed }).pointCount;
  outdoorTimes.push(performance.now() - start);
}
const indoor = median(indoorTimes);
const reference = median(referenceTimes);
console.log(`indoor scene, ${pointCount} points: median ${indoor.toFixed(1)} ms over 7 seeds (min ${Math.min(...indoorTimes).toFixed(1)}, max ${Math.max(...indoorTimes).toFixed(1)})`);
console.log(`reference: ${raysPerScene} rays against one plane into a Float32Array: median ${reference.toFixed(2)} ms`);
console.log(`ratio indoor / reference: ${(indoor / reference).toFixed(1)}×`);
console.log(`outdoor 64-beam × 1800-step scan (${outdoorPoints} points): median ${median(outdoorTimes).toFixed(1)} ms over 3 seeds`);
