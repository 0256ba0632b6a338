import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLaz, writePly } from '@pointclick/io';
import { loadScanNetFixture, type ScanFixture } from './playground-fixtures.js';

/** An axis-aligned box, corners in metres. */
export interface Box {
  minimum: [number, number, number];
  maximum: [number, number, number];
}

/** A large scan made of copies of one real room, written as binary PLY or LAZ (for large-scan tests and benchmarks). */
export interface TiledScan {
  /** The file in the OS temporary directory; the caller deletes it. */
  path: string;
  /** Bytes of the file. */
  byteLength: number;
  /** Points of the scan: `tileCount` × the room's. */
  pointCount: number;
  /** Interleaved x y z in metres, as written (LAZ stores them rounded to 0.1 mm). */
  positions: Float32Array;
  /** r g b per point (0…255), as written. */
  colors: Uint8Array;
  /** The room (positions, colours, ground-truth instance and NYU40 semantic labels per point). */
  room: ScanFixture;
  /** Tiles per row of the near-square grid. */
  columns: number;
  /** The box of `span` × `span` tiles starting at tile (`column`, `row`), from the room's bounds (without jitter). */
  tileBox(column: number, row: number, span?: number): Box;
  /** The scan point of the room's point `roomPoint` in tile `tile` (tiles are written in order, each whole). */
  pointOf(tile: number, roomPoint: number): number;
}

/**
 * Tiles a ScanNet room of scannet-votenet (`scene` is the path prefix, `…/scene0000_00`) `tileCount` times on a
 * near-square grid, 0.5 m apart, each copy's coordinates moved by up to ±`jitterMetres`/2 (a fixed-seed
 * generator, so every run writes the same file), and writes it to the OS temporary directory.
 * @param options.jitterMetres Width of the uniform jitter per coordinate, metres; default 0 (exact copies).
 * @param options.name File name stem; default `pointclick-tiled-<room>-<tileCount>`.
 * @param options.format `'ply'` (default: binary PLY, float x y z, uchar r g b) or `'laz'` (`writeLaz`: LAS 1.4 point
 *   format 7, layered LASzip chunks of 50,000 points, 0.1 mm coordinates).
 */
export function writeTiledScan(scene: string, tileCount: number, options: { jitterMetres?: number; name?: string; format?: 'ply' | 'laz' } = {}): TiledScan {
  const { jitterMetres = 0, format = 'ply' } = options;
  const room = loadScanNetFixture(scene, 1);
  const roomCount = room.cloud.pointCount;
  const lowest = [Infinity, Infinity, Infinity];
  const highest = [-Infinity, -Infinity, -Infinity];
  for (let point = 0; point < roomCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      lowest[axis] = Math.min(lowest[axis], room.cloud.positions[point * 3 + axis]);
      highest[axis] = Math.max(highest[axis], room.cloud.positions[point * 3 + axis]);
    }
  }
  const step = [highest[0] - lowest[0] + 0.5, highest[1] - lowest[1] + 0.5];
  const columns = Math.ceil(Math.sqrt(tileCount));
  const positions = new Float32Array(roomCount * tileCount * 3);
  const colors = new Uint8Array(roomCount * tileCount * 3);
  let jitterState = 12345;
  const jitter = (): number => {
    if (jitterMetres === 0) return 0;
    jitterState = (Math.imul(jitterState, 1664525) + 1013904223) >>> 0;
    return (jitterState / 4294967296 - 0.5) * jitterMetres;
  };
  for (let tile = 0; tile < tileCount; tile++) {
    const shift = [(tile % columns) * step[0], Math.floor(tile / columns) * step[1], 0];
    colors.set(room.cloud.colors!, tile * roomCount * 3);
    for (let offset = 0; offset < roomCount * 3; offset++) {
      positions[tile * roomCount * 3 + offset] = room.cloud.positions[offset] + shift[offset % 3] + jitter();
    }
  }
  const roomName = scene.split(/[\\/]/).at(-1);
  const path = join(tmpdir(), `${options.name ?? `pointclick-tiled-${roomName}-${tileCount}`}.${format}`);
  const cloud = { pointCount: roomCount * tileCount, positions, colors };
  const bytes = format === 'laz' ? writeLaz(cloud) : writePly(cloud);
  writeFileSync(path, bytes);
  return {
    path,
    byteLength: bytes.byteLength,
    pointCount: roomCount * tileCount,
    positions,
    colors,
    room,
    columns,
    tileBox: (column, row, span = 1) => ({
      minimum: [lowest[0] + column * step[0], lowest[1] + row * step[1], lowest[2]],
      maximum: [lowest[0] + (column + span - 1) * step[0] + (highest[0] - lowest[0]), lowest[1] + (row + span - 1) * step[1] + (highest[1] - lowest[1]), highest[2]],
    }),
    pointOf: (tile, roomPoint) => tile * roomCount + roomPoint,
  };
}
