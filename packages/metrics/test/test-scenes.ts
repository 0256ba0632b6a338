import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PointCloud } from '@pointclick/io';

/** Shared data folder (`<repo>/../shared/data`, or env POINTCLICK_SHARED_DATA). */
export const SHARED_DATA = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));

/** Minimal NPY v1–v3 reader for the test fixtures: little-endian float32 / uint32 arrays only. */
export function readNpyArray(path: string): { shape: number[]; data: Float32Array | Uint32Array } {
  const bytes = readFileSync(path);
  if (bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not an NPY file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const body = bytes.buffer.slice(bytes.byteOffset + headerStart + headerLength, bytes.byteOffset + headerStart + headerLength + count * 4);
  if (descr === '<f4') return { shape, data: new Float32Array(body) };
  if (descr === '<u4') return { shape, data: new Uint32Array(body) };
  throw new Error(`${path}: unsupported dtype ${descr}`);
}

/** Loads one VoteNet-preprocessed ScanNet scene: positions, colours, instance and semantic labels. */
export function loadScannetScene(name: string): PointCloud {
  const folder = join(SHARED_DATA, 'scannet-votenet');
  const vertices = readNpyArray(join(folder, `${name}_vert.npy`)).data as Float32Array;
  const instance = readNpyArray(join(folder, `${name}_ins_label.npy`)).data;
  const semantic = readNpyArray(join(folder, `${name}_sem_label.npy`)).data;
  const pointCount = instance.length;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      positions[point * 3 + axis] = vertices[point * 6 + axis];
      colors[point * 3 + axis] = Math.round(vertices[point * 6 + 3 + axis]);
    }
  }
  return { pointCount, positions, colors, instance: Int32Array.from(instance), semantic: Int32Array.from(semantic) };
}

/** Whether the ScanNet fixtures are present. */
export const SCANNET_AVAILABLE = existsSync(join(SHARED_DATA, 'scannet-votenet', 'scene0000_00_vert.npy'));

/** Deterministic generator for synthetic clouds (mulberry32). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A synthetic room: a floor slab of background points and `objectCount` box-shaped objects standing on it,
 * each with its own colour. Instance ids 1..objectCount; background instance 0.
 */
export function makeBoxScene(objectCount: number, pointsPerObject: number, backgroundPoints: number, seed = 1): PointCloud {
  const random = seededUniform(seed);
  const pointCount = objectCount * pointsPerObject + backgroundPoints;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  let point = 0;
  for (let object = 0; object < objectCount; object++) {
    const centerX = 1 + (object % 4) * 1.5;
    const centerY = 1 + Math.floor(object / 4) * 1.5;
    for (let slot = 0; slot < pointsPerObject; slot++, point++) {
      positions[point * 3] = centerX + (random() - 0.5) * 0.8;
      positions[point * 3 + 1] = centerY + (random() - 0.5) * 0.8;
      positions[point * 3 + 2] = 0.05 + random() * 0.6;
      colors.set([40 + object * 20, 200 - object * 15, 90], point * 3);
      instance[point] = object + 1;
    }
  }
  for (let slot = 0; slot < backgroundPoints; slot++, point++) {
    positions[point * 3] = random() * 6.5;
    positions[point * 3 + 1] = random() * (1.5 * Math.ceil(objectCount / 4) + 0.5);
    positions[point * 3 + 2] = random() * 0.04;
    colors.set([128, 128, 128], point * 3);
  }
  return { pointCount, positions, colors, instance };
}

/** Brute force: the region point farthest from every non-region point (lowest index among ties). */
export function bruteForceInteriorMost(positions: Float32Array, inRegion: (point: number) => boolean): { pointIndex: number; distance: number } {
  const pointCount = positions.length / 3;
  let best = -1;
  let bestDistance = -1;
  for (let point = 0; point < pointCount; point++) {
    if (!inRegion(point)) continue;
    let nearest = Infinity;
    for (let other = 0; other < pointCount; other++) {
      if (inRegion(other)) continue;
      const dx = positions[point * 3] - positions[other * 3];
      const dy = positions[point * 3 + 1] - positions[other * 3 + 1];
      const dz = positions[point * 3 + 2] - positions[other * 3 + 2];
      nearest = Math.min(nearest, Math.sqrt(dx * dx + dy * dy + dz * dz));
    }
    if (nearest > bestDistance) {
      bestDistance = nearest;
      best = point;
    }
  }
  return { pointIndex: best, distance: bestDistance };
}
