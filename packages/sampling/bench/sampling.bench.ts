/**
 * Benchmarks of @pointclick/sampling against plain C (gcc -O3, compiled here at bench time) and brute force.
 * Prints figures and ratios; never fails on a time. Run with `pnpm --filter @pointclick/sampling bench`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeSuperpoints, createRandom, downsampleVoxelGrid, NeighborIndex, sampleFarthestPoints, SurfaceGraph } from '../src/index.js';
import { farthestPointKernel } from '../src/farthest-point-sampler.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const workDirectory = mkdtempSync(join(tmpdir(), 'pointclick-sampling-bench-'));
const referenceSource = fileURLToPath(new URL('./reference.c', import.meta.url));
const referenceBinary = join(workDirectory, 'reference');

function makeRoomCloud(pointCount: number, seed: number): Float32Array {
  // Uniform in an 8 m × 6 m × 3 m room.
  const random = createRandom(seed);
  const positions = new Float32Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    positions[point * 3] = random.next() * 8;
    positions[point * 3 + 1] = random.next() * 6;
    positions[point * 3 + 2] = random.next() * 3;
  }
  return positions;
}

function bestOf(repeats: number, run: () => void): number {
  let best = Infinity;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function readInt32(path: string): Int32Array {
  const bytes = readFileSync(path);
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function sameArrays(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function format(milliseconds: number): string {
  return `${milliseconds.toFixed(1)} ms`;
}

let haveC = true;
try {
  execFileSync('gcc', ['-O3', '-o', referenceBinary, referenceSource, '-lm'], { stdio: 'pipe' });
} catch (error) {
  haveC = false;
  console.warn(`gcc unavailable or failed, C reference skipped: ${(error as Error).message}`);
}

console.log(`@pointclick/sampling benchmarks (node ${process.version}, best of ${REPEATS})`);

// --- FPS: 100k points → 4,096 samples ---------------------------------------------------------------
{
  const pointCount = 100_000;
  const sampleCount = 4096;
  const positions = makeRoomCloud(pointCount, 1);
  sampleFarthestPoints(positions, 256); // warm-up (JIT)
  let result: Int32Array = new Int32Array(0);
  const ours = bestOf(REPEATS, () => {
    result = sampleFarthestPoints(positions, sampleCount, { startIndex: 0 });
  });
  farthestPointKernel(positions, pointCount, 256, 0); // warm-up
  let plainResult: Int32Array = new Int32Array(0);
  const plain = bestOf(REPEATS, () => {
    plainResult = farthestPointKernel(positions, pointCount, sampleCount, 0);
  });
  console.log(`\nFPS ${pointCount} points → ${sampleCount} samples`);
  console.log(`  TypeScript, shipped (bucket-pruned exact FPS): ${format(ours)}`);
  console.log(`  TypeScript, plain O(n·m) loop:                 ${format(plain)}   same indices as shipped: ${sameArrays(plainResult, result)}`);
  if (haveC) {
    const input = join(workDirectory, 'fps-positions.f32');
    writeFileSync(input, positions);
    const output = join(workDirectory, 'fps-out.i32');
    const c = Number(execFileSync(referenceBinary, ['fps', input, String(pointCount), String(sampleCount), '0', output, String(REPEATS)]).toString());
    const matches = sameArrays(readInt32(output), result);
    const c32 = Number(execFileSync(referenceBinary, ['fps32', input, String(pointCount), String(sampleCount), '0', output, String(REPEATS)]).toString());
    const cBucket = Number(execFileSync(referenceBinary, ['fpsbucket', input, String(pointCount), String(sampleCount), '0', output, String(REPEATS)]).toString());
    const bucketMatches = sameArrays(readInt32(output), result);
    console.log(`  C -O3 bucket-pruned (same as shipped):         ${format(cBucket)}   same indices: ${bucketMatches}   ratio TS/C = ${(ours / cBucket).toFixed(2)}×`);
    console.log(`  C -O3 plain loop (float64 distances):          ${format(c)}   same indices: ${matches}`);
    console.log(`  C -O3 plain loop (float32 distances):          ${format(c32)}`);
    console.log(`  ratios: shipped TS / C bucket-pruned = ${(ours / cBucket).toFixed(2)}×, plain TS / C plain = ${(plain / c).toFixed(2)}×, shipped TS / C plain = ${(ours / c).toFixed(2)}×`);
  }
}

// --- Voxel grid: 1M points, 0.02 m ------------------------------------------------------------------
{
  const pointCount = 1_000_000;
  const voxelSize = 0.02;
  const positions = makeRoomCloud(pointCount, 2);
  downsampleVoxelGrid(positions.subarray(0, 30_000), voxelSize); // warm-up
  let result = downsampleVoxelGrid(positions, voxelSize);
  const ours = bestOf(REPEATS, () => {
    result = downsampleVoxelGrid(positions, voxelSize);
  });
  const withMeans = bestOf(REPEATS, () => downsampleVoxelGrid(positions, voxelSize, { computeMeans: true }));
  console.log(`\nVoxel grid ${pointCount} points, voxel ${voxelSize} m (8 × 6 × 3 m room) → ${result.voxelCount} voxels`);
  console.log(`  TypeScript:            ${format(ours)}   (with computeMeans: ${format(withMeans)}; includes input validation)`);
  if (haveC) {
    const input = join(workDirectory, 'voxel-positions.f32');
    writeFileSync(input, positions);
    const output = join(workDirectory, 'voxel-out.i32');
    const [c, voxels] = execFileSync(referenceBinary, ['voxel', input, String(pointCount), String(voxelSize), output, String(REPEATS)]).toString().trim().split(' ').map(Number);
    const matches = voxels === result.voxelCount && sameArrays(readInt32(output), result.pointToVoxel);
    console.log(`  C -O3:                 ${format(c)}   ratio TS/C = ${(ours / c).toFixed(2)}×   same pointToVoxel: ${matches}`);
  }
}

// --- kNN: k = 16, 100k queries over 100k points -----------------------------------------------------
{
  const pointCount = 100_000;
  const queryCount = 100_000;
  const k = 16;
  const positions = makeRoomCloud(pointCount, 3);
  const queries = makeRoomCloud(queryCount, 4);
  let index = new NeighborIndex(positions);
  const build = bestOf(REPEATS, () => {
    index = new NeighborIndex(positions);
  });
  index.knn(queries.subarray(0, 3000), k); // warm-up
  const search = bestOf(REPEATS, () => index.knn(queries, k));
  // Brute force over a slice of the queries, extrapolated: a full run would take minutes.
  const bruteQueries = 300;
  const bestDistances = new Float64Array(k);
  const brute = bestOf(1, () => {
    for (let query = 0; query < bruteQueries; query++) {
      const x = queries[query * 3], y = queries[query * 3 + 1], z = queries[query * 3 + 2];
      bestDistances.fill(Infinity);
      for (let point = 0; point < pointCount; point++) {
        const dx = positions[point * 3] - x, dy = positions[point * 3 + 1] - y, dz = positions[point * 3 + 2] - z;
        const distance = dx * dx + dy * dy + dz * dz;
        if (distance < bestDistances[k - 1]) {
          let position = k - 1;
          while (position > 0 && bestDistances[position - 1] > distance) {
            bestDistances[position] = bestDistances[position - 1];
            position--;
          }
          bestDistances[position] = distance;
        }
      }
    }
  }) * (queryCount / bruteQueries);
  console.log(`\nkNN k=${k}, ${queryCount} queries over ${pointCount} points (uniform room)`);
  console.log(`  k-d tree build:        ${format(build)}`);
  console.log(`  k-d tree queries:      ${format(search)}   (${((queryCount / search) * 1000 / 1e6).toFixed(2)} M queries/s)`);
  console.log(`  brute force (TS, extrapolated from ${bruteQueries} queries): ${format(brute)}   speed-up ${(brute / (build + search)).toFixed(0)}×`);
}

// Superpoints (computeSuperpoints) against building a NeighborIndex and querying k = 16 for every point of
// the same cloud in the same run. Inputs are scanned surfaces: real ScanNet rooms (50k points each) from
// ../shared/data, side by side with a small jitter for 1M points; without the data, synthetic box rooms.
const SUPERPOINT_NEIGHBORS = 16;
const dataRoot = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const roomDirectory = join(dataRoot, 'scannet-votenet');

function readNpyFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const headerLength = bytes[6] === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (bytes[6] === 1 ? 10 : 12) + headerLength;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.byteLength));
}

/** `pointCount` surface points with colours: ScanNet rooms tiled 12 m apart, or points on box-room walls. */
function makeSurfaceCloud(pointCount: number, seed: number): { positions: Float32Array; colors: Uint8Array; source: string } {
  const random = createRandom(seed);
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const rooms = existsSync(roomDirectory) ? readdirSync(roomDirectory).filter((name) => name.endsWith('_vert.npy')).sort() : [];
  if (rooms.length > 0) {
    let written = 0;
    for (let tile = 0; written < pointCount; tile++) {
      const table = readNpyFloat32(join(roomDirectory, rooms[tile % rooms.length])); // [roomPoints, 6]
      const take = Math.min(table.length / 6, pointCount - written);
      for (let point = 0; point < take; point++, written++) {
        positions[written * 3] = table[point * 6] + (tile % 10) * 12 + (random.next() - 0.5) * 0.002;
        positions[written * 3 + 1] = table[point * 6 + 1] + Math.floor(tile / 10) * 12 + (random.next() - 0.5) * 0.002;
        positions[written * 3 + 2] = table[point * 6 + 2];
        for (let channel = 0; channel < 3; channel++) colors[written * 3 + channel] = table[point * 6 + 3 + channel];
      }
    }
    return { positions, colors, source: `${Math.ceil(pointCount / 50_000)} ScanNet room tile(s)` };
  }
  for (let point = 0; point < pointCount; point++) {
    const u = random.next() * 8;
    const v = random.next() * 3;
    const wall = random.nextInt(3);
    positions.set(wall === 0 ? [u, v * 2, 0] : wall === 1 ? [u, 0, v] : [0, u * 0.75, v], point * 3);
    colors.set([wall * 80, 100, 200 - wall * 60], point * 3);
  }
  return { positions, colors, source: 'synthetic box-room walls (no ../shared/data)' };
}

for (const pointCount of [50_000, 1_000_000]) {
  const { positions, colors, source } = makeSurfaceCloud(pointCount, 17);
  const repeats = pointCount > 100_000 ? 1 : REPEATS;
  const reference = bestOf(repeats, () => new NeighborIndex(positions).knn(positions, SUPERPOINT_NEIGHBORS));
  let count = 0;
  const superpoints = bestOf(repeats, () => {
    count = computeSuperpoints(positions, { colors }).count;
  });
  console.log(`\nSuperpoints, ${pointCount} points (${source}) → ${count} superpoints (mean ${(pointCount / count).toFixed(1)} points)`);
  console.log(`  computeSuperpoints:                 ${format(superpoints)}`);
  console.log(`  reference (k-d tree + k=${SUPERPOINT_NEIGHBORS} for all): ${format(reference)}   ratio ${(superpoints / reference).toFixed(2)}× (goal ≤ 1.5×)`);
}

// Geodesic searches (SurfaceGraph.distancesFrom, 4 m cap as the decoder's prior) on the segmenter's kind of
// graph: 2 cm voxel means of one room, coloured, 12 neighbours. The wasm kernel over the pruned rows against
// the JavaScript bucket queue over the full rows (the implementation before it) in the same run.
{
  const { positions, colors, source } = makeSurfaceCloud(50_000, 19);
  const grid = downsampleVoxelGrid(positions, 0.02, { colors, computeMeans: true });
  const options = { colors: grid.meanColors!, neighborCount: 12, colorWeight: 4 };
  const wasm = new SurfaceGraph(grid.meanPositions!, options);
  const javascript = new SurfaceGraph(grid.meanPositions!, { ...options, searchKernel: 'javascript' });
  const sources = Array.from({ length: 40 }, (_, index) => Math.floor(((index + 0.5) * wasm.pointCount) / 40));
  const firstStart = performance.now();
  wasm.distancesFrom(sources[0], 4); // copies and prunes the rows
  const first = performance.now() - firstStart;
  javascript.distancesFrom(sources[0], 4);
  let reached = 0;
  for (const point of sources) reached += wasm.distancesFrom(point, 4).filter((distance) => distance < 4).length;
  const perTen = (graph: SurfaceGraph): number => (bestOf(REPEATS, () => sources.forEach((point) => graph.distancesFrom(point, 4))) * 10) / sources.length;
  const javascriptTime = perTen(javascript);
  const wasmTime = perTen(wasm);
  console.log(`
Geodesic searches, 4 m cap, ${wasm.pointCount} voxels of 2 cm (${source}), ${wasm.targets.length} row entries, ~${Math.round(reached / sources.length)} voxels reached per search`);
  console.log(`  JavaScript bucket queue, full rows (reference): ${format(javascriptTime)} per 10 searches`);
  console.log(`  wasm bucket queue, pruned rows:                 ${format(wasmTime)} per 10 searches   ratio ${(wasmTime / javascriptTime).toFixed(2)}× the reference`);
  console.log(`  first wasm search (copies and prunes the rows): ${format(first)}`);
}

rmSync(workDirectory, { recursive: true, force: true });
