/**
 * Times writeLaz against writeLas (the reference, same cloud, same run, alternating rounds) on a ScanNet room with
 * semantic + instance and on autzen_trim.las (airborne: GPS times, returns, source ids), and reads both files back
 * with readLas. Prints medians, sizes, the compression ratio (LAS bytes / LAZ bytes) and time ratios. Never fails on a
 * time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PointCloud } from '../src/core/point-cloud.js';
import { readLas } from '../src/las/las-reader.js';
import { writeLas } from '../src/las/las-writer.js';
import { writeLaz } from '../src/las/laz-writer.js';
import { readVotenetScene } from '../src/node/scenes/votenet-scene-reader.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const ROUNDS = 9;

/** Median milliseconds of each task, rounds alternating between them after one warm-up each. */
async function alternatingMedians(tasks: (() => unknown)[]): Promise<number[]> {
  for (const task of tasks) await task();
  const times = tasks.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, task] of tasks.entries()) {
      const start = performance.now();
      await task();
      times[index].push(performance.now() - start);
    }
  }
  return times.map((list) => list.sort((first, second) => first - second)[Math.floor(list.length / 2)]);
}

async function measure(name: string, cloud: PointCloud): Promise<void> {
  const las = writeLas(cloud);
  const laz = writeLaz(cloud);
  const megabytes = las.length / 1e6;
  const [lasWrite, lazWrite, lasRead, lazRead] = await alternatingMedians([() => writeLas(cloud), () => writeLaz(cloud), () => readLas(las), () => readLas(laz)]);
  console.log(`${name}: ${cloud.pointCount.toLocaleString('en')} points, LAS ${las.length.toLocaleString('en')} bytes, LAZ ${laz.length.toLocaleString('en')} bytes, compression ${(las.length / laz.length).toFixed(2)}×`);
  console.log(`  write  writeLas ${lasWrite.toFixed(1).padStart(7)} ms (${(megabytes / (lasWrite / 1000)).toFixed(0)} MB/s)   writeLaz ${lazWrite.toFixed(1).padStart(7)} ms (${(megabytes / (lazWrite / 1000)).toFixed(1)} MB/s of LAS records, ${((cloud.pointCount / lazWrite) * 1000 / 1e6).toFixed(2)} M points/s)   writeLaz / writeLas ${(lazWrite / lasWrite).toFixed(1)}×`);
  console.log(`  read   readLas(LAS) ${lasRead.toFixed(1).padStart(7)} ms   readLas(LAZ, laz-perf) ${lazRead.toFixed(1).padStart(7)} ms   LAZ / LAS ${(lazRead / lasRead).toFixed(1)}×`);
}

const votenetDirectory = join(sharedData, 'scannet-votenet');
const autzenPath = join(sharedData, 'fixtures', 'autzen_trim.las');
if (!existsSync(join(votenetDirectory, 'scene0000_00_vert.npy')) || !existsSync(autzenPath)) {
  console.warn(`laz-write.bench: shared data not found under ${sharedData}; nothing to time (set POINTCLICK_SHARED_DATA)`);
} else {
  console.log(`median of ${ROUNDS} alternating rounds after one warm-up each`);
  const room = await readVotenetScene(votenetDirectory, 'scene0000_00');
  await measure('ScanNet scene0000_00 (colours, semantic, instance)', { pointCount: room.pointCount, positions: room.positions, colors: room.colors, semantic: room.semantic, instance: room.instance });
  await measure('autzen_trim.las (colours, GPS times, returns)', await readLas(new Uint8Array(readFileSync(autzenPath))));
}
