/**
 * Times pointclick's PCD and LAS readers against @loaders.gl/pcd and @loaders.gl/las on the same
 * shared fixtures, in the same run. Prints medians and the ratio library / ours (> 1: ours faster).
 * Never fails on a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAZPerfLoader } from '@loaders.gl/las';
import { PCDLoader } from '@loaders.gl/pcd';
import { readLas } from '../src/las/las-reader.js';
import { readPcd } from '../src/pcd/pcd-reader.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const ROUNDS = 9;

async function medianMilliseconds(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up: JIT and WebAssembly compilation
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((first, second) => first - second);
  return times[Math.floor(times.length / 2)];
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function report(name: string, ours: number, library: number, libraryName: string): void {
  console.log(
    `${name.padEnd(34)} pointclick ${ours.toFixed(1).padStart(7)} ms   ${libraryName} ${library.toFixed(1).padStart(7)} ms   ratio ${(library / ours).toFixed(2)}×`,
  );
}

const officePath = join(sharedData, 'fixtures', 'office1.pcd');
const autzenPath = join(sharedData, 'fixtures', 'autzen_trim.las');
if (!existsSync(officePath) || !existsSync(autzenPath)) {
  console.warn(`pcd-las-readers.bench: shared fixtures not found under ${sharedData}; nothing to time (set POINTCLICK_SHARED_DATA)`);
} else {
  console.log(`median of ${ROUNDS} rounds after one warm-up; ratio = library time / pointclick time`);
  const office = readFileSync(officePath);
  const officeOurs = await medianMilliseconds(() => readPcd(office));
  const officeLibrary = await medianMilliseconds(() => PCDLoader.parse(toArrayBuffer(office)));
  report('office1.pcd (307,200 pts, LZF)', officeOurs, officeLibrary, '@loaders.gl/pcd');

  const autzen = readFileSync(autzenPath);
  const autzenOurs = await medianMilliseconds(() => readLas(autzen));
  const autzenLibrary = await medianMilliseconds(() => LAZPerfLoader.parse(toArrayBuffer(autzen), { las: { fp64: true, colorDepth: 16 } }));
  report('autzen_trim.las (110,000 pts)', autzenOurs, autzenLibrary, '@loaders.gl/las');
}
