/**
 * Reading a 10M-point scan without copies: the 20 ScanNet rooms of ../shared/data tiled side by side (each copy
 * shifted 12 m and jittered by up to 5 mm) until the cloud has STREAM_BENCH_POINTS points (default 10,000,000),
 * written as a binary PLY (x y z float, r g b uchar, instance int: 19-byte rows), a LAS 1.4 (point format 7
 * with an int32 `instance` extra-bytes field: 40-byte records), a PCD `DATA binary` (x y z float, packed rgb uint,
 * instance int: 20-byte records) and a LAZ 1.4 (`writeLaz`: the LAS records in layered LASzip chunks of 50,000
 * points). Each file is read in a fresh child process, so every peak is its own:
 * - `copy`: the reference, reading the file whole and copying its bytes once into a new typed array (the copy is
 *   timed for MB/s; its peak is file + copy);
 * - `whole`: `readPointCloudFile` (the file as one buffer, then `readPointCloud`);
 * - `stream`: `readPointCloudFileStream` (4 MiB chunks straight into the arrays; LAZ one LASzip chunk at a time
 *   through a file handle).
 * Prints read MB/s (and as a ratio to the copy's MB/s), the process's peak resident memory (maxRSS) and its
 * ArrayBuffer memory at the end; the peak above a child that reads nothing is compared with the size of the
 * cloud's own arrays (1.0 = no memory beyond the arrays) and with file + arrays (what a whole-buffer read must
 * hold at once). Never fails on a time.
 * Run: pnpm --filter @pointclick/io bench:stream   (figures are noisy on a shared machine)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PointCloud } from '../src/core/point-cloud.js';
import { writeLas } from '../src/las/las-writer.js';
import { writeLaz } from '../src/las/laz-writer.js';
import { readPointCloudFile, readPointCloudFileStream } from '../src/node/index.js';
import { readNpy } from '../src/npy/npy-reader.js';
import { writePly } from '../src/ply/ply-writer.js';

const TARGET_POINTS = Number(process.env.STREAM_BENCH_POINTS ?? 10_000_000);
const dataDirectory = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(dataDirectory, 'scannet-votenet');
const MEGABYTE = 1e6;

/** What a child process measured. */
interface ChildReport {
  milliseconds: number;
  pointCount: number;
  arrayBytes: number;
  maxResidentBytes: number;
  arrayBufferBytes: number;
  heapUsedBytes: number;
}

/** Bytes of every typed array of the cloud. */
function cloudArrayBytes(cloud: PointCloud): number {
  let total = 0;
  for (const value of [cloud.positions, cloud.colors, cloud.normals, cloud.intensity, cloud.instance, cloud.semantic, ...Object.values(cloud.attributes ?? {})]) {
    if (value) total += value.byteLength;
  }
  return total;
}

/**
 * Peak resident memory of this process: Linux's VmHWM, which belongs to this process's own address space. (Its
 * `maxRSS` does not: after fork and exec it keeps the parent's peak, which here holds the 10M-point cloud.)
 */
function peakResidentBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall back to maxRSS.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function runChild(mode: string, path: string): Promise<void> {
  let milliseconds: number;
  let pointCount = 0;
  let arrayBytes = 0;
  let keep: unknown;
  if (mode === 'baseline') {
    milliseconds = 0;
  } else if (mode === 'copy') {
    const bytes = new Uint8Array(readFileSync(path));
    const start = performance.now();
    const copy = new Uint8Array(bytes);
    milliseconds = performance.now() - start;
    arrayBytes = copy.byteLength;
    keep = [bytes, copy];
  } else {
    const start = performance.now();
    const cloud = mode === 'stream' ? await readPointCloudFileStream(path) : await readPointCloudFile(path);
    milliseconds = performance.now() - start;
    pointCount = cloud.pointCount;
    arrayBytes = cloudArrayBytes(cloud);
    keep = cloud;
  }
  const memory = process.memoryUsage();
  const report: ChildReport = {
    milliseconds,
    pointCount,
    arrayBytes,
    maxResidentBytes: peakResidentBytes(),
    arrayBufferBytes: memory.arrayBuffers,
    heapUsedBytes: memory.heapUsed,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  void keep;
}

function measure(mode: string, path: string): ChildReport {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'child', mode, path], { encoding: 'utf8', maxBuffer: 2 ** 20 });
  if (child.status !== 0) throw new Error(`child ${mode} ${path} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildReport;
}

function buildTiledCloud(): PointCloud {
  const rooms = readdirSync(votenetDirectory)
    .filter((name) => name.endsWith('_vert.npy'))
    .sort()
    .map((name) => {
      const vertices = readNpy(new Uint8Array(readFileSync(join(votenetDirectory, name))));
      const labels = readNpy(new Uint8Array(readFileSync(join(votenetDirectory, name.replace('_vert.npy', '_ins_label.npy')))));
      return { data: vertices.data as Float32Array, instance: labels.data as Uint32Array, pointCount: vertices.shape[0] };
    });
  const positions = new Float32Array(TARGET_POINTS * 3);
  const colors = new Uint8Array(TARGET_POINTS * 3);
  const instance = new Int32Array(TARGET_POINTS);
  const tilesPerRow = Math.ceil(Math.sqrt(TARGET_POINTS / 50_000));
  let jitterState = 12345;
  const jitter = (): number => {
    jitterState = (Math.imul(jitterState, 1664525) + 1013904223) >>> 0;
    return (jitterState / 4294967296 - 0.5) * 0.01;
  };
  let written = 0;
  let tile = 0;
  for (; written < TARGET_POINTS; tile++) {
    const room = rooms[tile % rooms.length];
    const [column, row] = [tile % tilesPerRow, Math.floor(tile / tilesPerRow)];
    const count = Math.min(room.pointCount, TARGET_POINTS - written);
    for (let point = 0; point < count; point++, written++) {
      positions[written * 3] = room.data[point * 6] + column * 12 + jitter();
      positions[written * 3 + 1] = room.data[point * 6 + 1] + row * 12 + jitter();
      positions[written * 3 + 2] = room.data[point * 6 + 2] + jitter();
      for (let channel = 0; channel < 3; channel++) colors[written * 3 + channel] = room.data[point * 6 + 3 + channel];
      // Distinct ids per tile, as a labelled building would have.
      instance[written] = room.instance[point] === 0 ? 0 : tile * 1000 + room.instance[point];
    }
  }
  console.log(`scan: ${TARGET_POINTS.toLocaleString('en')} points in ${tile} tiles of ${rooms.length} ScanNet rooms`);
  return { pointCount: TARGET_POINTS, positions, colors, instance };
}

/** The cloud as a PCD v0.7 `DATA binary` file: x y z float32, rgb packed as PCL does (uint32 0x00RRGGBB), instance int32. */
function writeBinaryPcd(cloud: PointCloud): Uint8Array {
  const header = new TextEncoder().encode(
    `# .PCD v0.7\nVERSION 0.7\nFIELDS x y z rgb instance\nSIZE 4 4 4 4 4\nTYPE F F F U I\nCOUNT 1 1 1 1 1\nWIDTH ${cloud.pointCount}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${cloud.pointCount}\nDATA binary\n`,
  );
  const recordSize = 20;
  const bytes = new Uint8Array(header.length + cloud.pointCount * recordSize);
  bytes.set(header);
  const view = new DataView(bytes.buffer, header.length);
  const { positions, colors, instance } = cloud;
  for (let point = 0; point < cloud.pointCount; point++) {
    const offset = point * recordSize;
    view.setFloat32(offset, positions[point * 3], true);
    view.setFloat32(offset + 4, positions[point * 3 + 1], true);
    view.setFloat32(offset + 8, positions[point * 3 + 2], true);
    view.setUint32(offset + 12, (colors![point * 3] << 16) | (colors![point * 3 + 1] << 8) | colors![point * 3 + 2], true);
    view.setInt32(offset + 16, instance![point], true);
  }
  return bytes;
}

function megabytes(bytes: number): string {
  return `${(bytes / MEGABYTE).toFixed(0).padStart(5)} MB`;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return runChild(process.argv[3], process.argv[4]);
  if (readdirSync(votenetDirectory, { withFileTypes: true }).length === 0) throw new Error(`no rooms in ${votenetDirectory}`);
  const directory = mkdtempSync(join(tmpdir(), 'pointclick-stream-bench-'));
  try {
    const files: { name: string; path: string; bytes: number }[] = [];
    {
      const cloud = buildTiledCloud();
      const formats = [
        ['binary PLY', writePly, 'tiled.ply'],
        ['LAS 1.4', writeLas, 'tiled.las'],
        ['PCD binary', writeBinaryPcd, 'tiled.pcd'],
        ['LAZ 1.4', writeLaz, 'tiled.laz'],
      ] as const;
      for (const [name, write, fileName] of formats) {
        const bytes = write(cloud);
        const path = join(directory, fileName);
        writeFileSync(path, bytes);
        files.push({ name, path, bytes: bytes.byteLength });
      }
    }
    const baseline = measure('baseline', files[0].path).maxResidentBytes;
    console.log(`baseline: a child that reads nothing peaks at ${megabytes(baseline)} RSS; "above" = peak RSS − baseline`);
    console.log('mode     read MB/s (× copy)   peak RSS   ArrayBuffers   cloud arrays   above / arrays   above / (file + arrays)');
    for (const file of files) {
      const reference = measure('copy', file.path);
      const referenceSpeed = file.bytes / MEGABYTE / (reference.milliseconds / 1000);
      console.log(`${file.name}: ${megabytes(file.bytes)} file`);
      console.log(`  copy   ${referenceSpeed.toFixed(0).padStart(7)} (  1.00×)  ${megabytes(reference.maxResidentBytes)}   ${megabytes(reference.arrayBufferBytes)}      (a plain typed-array copy of the file's bytes)`);
      for (const mode of ['whole', 'stream']) {
        const report = measure(mode, file.path);
        const speed = file.bytes / MEGABYTE / (report.milliseconds / 1000);
        console.log(
          `  ${mode.padEnd(6)} ${speed.toFixed(0).padStart(7)} (${(speed / referenceSpeed).toFixed(2).padStart(5)}×)  ${megabytes(report.maxResidentBytes)}   ${megabytes(report.arrayBufferBytes)}   ${megabytes(report.arrayBytes)}` +
            `        ${((report.maxResidentBytes - baseline) / report.arrayBytes).toFixed(2)}             ${((report.maxResidentBytes - baseline) / (file.bytes + report.arrayBytes)).toFixed(2)}` +
            `   (${report.pointCount.toLocaleString('en')} points, ${(report.milliseconds / 1000).toFixed(2)} s)`,
        );
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
