/**
 * Times readPly against @loaders.gl/ply on the same generated files, in the same run: a 1,000,000-point binary
 * little-endian PLY with float x y z, uchar red green blue, int instance and int semantic (23-byte rows, so no
 * property is 4-byte aligned), and a 200,000-point ASCII PLY of the same fields. Prints MB/s, medians and the
 * ratio loaders.gl time / pointclick time (> 1: ours faster), and which vertex properties each reader keeps.
 * Never fails on a time.
 */
import { PLYLoader } from '@loaders.gl/ply';
import type { PointCloud } from '../src/core/point-cloud.js';
import { readPly } from '../src/ply/ply-reader.js';
import { writePly } from '../src/ply/ply-writer.js';

const ROUNDS = 9;

function generateCloud(pointCount: number): PointCloud {
  let state = 12345;
  const random = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    positions[index * 3] = random() * 10;
    positions[index * 3 + 1] = random() * 10;
    positions[index * 3 + 2] = random() * 3;
    colors[index * 3] = random() * 256;
    colors[index * 3 + 1] = random() * 256;
    colors[index * 3 + 2] = random() * 256;
    instance[index] = Math.floor(random() * 60);
    semantic[index] = Math.floor(random() * 20);
  }
  return { pointCount, positions, colors, instance, semantic };
}

function toAscii(cloud: PointCloud): Uint8Array {
  const lines = [
    'ply', 'format ascii 1.0', `element vertex ${cloud.pointCount}`,
    'property float x', 'property float y', 'property float z',
    'property uchar red', 'property uchar green', 'property uchar blue',
    'property int instance', 'property int semantic', 'end_header',
  ];
  const { positions, colors, instance, semantic } = cloud as Required<PointCloud>;
  for (let index = 0; index < cloud.pointCount; index++) {
    lines.push(
      `${positions[index * 3].toFixed(5)} ${positions[index * 3 + 1].toFixed(5)} ${positions[index * 3 + 2].toFixed(5)} ` +
        `${colors[index * 3]} ${colors[index * 3 + 1]} ${colors[index * 3 + 2]} ${instance[index]} ${semantic[index]}`,
    );
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** Runs both readers in alternating rounds, so machine load hits both alike; returns [median, best] per reader. */
async function timeAlternating(runs: (() => Promise<unknown>)[]): Promise<{ median: number; best: number }[]> {
  for (const run of runs) {
    await run(); // warm-up: JIT
    await run();
  }
  const times: number[][] = runs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, run] of runs.entries()) {
      const start = performance.now();
      await run();
      times[index].push(performance.now() - start);
    }
  }
  return times.map((list) => {
    list.sort((first, second) => first - second);
    return { median: list[Math.floor(list.length / 2)], best: list[0] };
  });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function compare(name: string, bytes: Uint8Array): Promise<void> {
  const arrayBuffer = toArrayBuffer(bytes);
  const [ours, library] = await timeAlternating([() => readPly(bytes), () => PLYLoader.parse(arrayBuffer, {})]);
  const megabytes = bytes.length / 1e6;
  const rate = (milliseconds: number): string => `${(megabytes / (milliseconds / 1000)).toFixed(0).padStart(5)} MB/s`;
  console.log(`${name} (${megabytes.toFixed(1)} MB)`);
  console.log(
    `  pointclick       median ${ours.median.toFixed(1).padStart(7)} ms ${rate(ours.median)}   best ${ours.best.toFixed(1).padStart(7)} ms ${rate(ours.best)}`,
  );
  console.log(
    `  @loaders.gl/ply  median ${library.median.toFixed(1).padStart(7)} ms ${rate(library.median)}   best ${library.best.toFixed(1).padStart(7)} ms ${rate(library.best)}`,
  );
  console.log(`  ratio (loaders.gl / pointclick): median ${(library.median / ours.median).toFixed(2)}×, best ${(library.best / ours.best).toFixed(2)}×`);
  const cloud = await readPly(bytes);
  const mesh = (await PLYLoader.parse(arrayBuffer, {})) as { attributes: Record<string, { value: ArrayLike<number> }> };
  const ourFields = ['positions', 'colors', 'normals', 'intensity', 'instance', 'semantic'].filter((field) => cloud[field as keyof PointCloud] !== undefined);
  console.log(`  pointclick fields: ${[...ourFields, ...Object.keys(cloud.attributes ?? {})].join(', ')}`);
  console.log(`  @loaders.gl/ply attributes: ${Object.keys(mesh.attributes).join(', ')}`);
}

console.log(`${ROUNDS} alternating rounds after two warm-ups each; ratio = @loaders.gl/ply time / pointclick time (> 1: pointclick faster)`);
const cloud = generateCloud(1_000_000);
await compare('binary LE, 1,000,000 pts (xyz rgb labels)', writePly(cloud));
const asciiCloud = generateCloud(200_000);
await compare('ascii, 200,000 pts (xyz rgb labels)', toAscii(asciiCloud));
