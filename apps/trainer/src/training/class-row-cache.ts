import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@pointclick/io/node';
import type { QuerySet } from './class-head-fine-tune.js';

/** The stored rows of a class-head fine-tune: training and selection sets. */
export interface ClassRows {
  training: QuerySet;
  selection: QuerySet;
}

/**
 * Reads the rows stored by {@link writeClassRows}, or undefined when `path` does not exist. The file's key
 * (what the rows were collected from: checkpoint, scenes, seed, levels …) must equal `key`, else a typed
 * error says which, since rows of another collection would train silently on the wrong data.
 */
export async function readClassRows(path: string, key: Record<string, unknown>): Promise<ClassRows | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) throw new Error(`${path}: not a class row file (no header line)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as { key: Record<string, unknown>; sets: Array<{ rows: number; width: number; featureWidth: number }> };
  const stored = JSON.stringify(header.key);
  if (stored !== JSON.stringify(key)) throw new Error(`${path}: rows of another collection (file key ${stored}, wanted ${JSON.stringify(key)}); delete the file or name another`);
  let offset = Math.ceil((newline + 1) / 4) * 4;
  const take = (count: number): Uint8Array => {
    if (offset + count * 4 > bytes.byteLength) throw new Error(`${path}: truncated at byte ${offset} (needs ${count * 4} more)`);
    const slice = bytes.slice(offset, offset + count * 4);
    offset += count * 4;
    return slice;
  };
  const [training, selection] = header.sets.map(({ rows, width, featureWidth }) => ({
    queries: new Float32Array(take(rows * width).buffer),
    features: new Float32Array(take(rows * featureWidth).buffer),
    labels: new Int32Array(take(rows).buffer),
  }));
  if (offset !== bytes.byteLength) throw new Error(`${path}: ${bytes.byteLength - offset} bytes after the last set`);
  return { training, selection };
}

/** Writes `rows` under `key` (see {@link readClassRows}): a JSON header line, then the arrays as 32-bit values. */
export async function writeClassRows(path: string, key: Record<string, unknown>, rows: ClassRows): Promise<void> {
  const sets = [rows.training, rows.selection];
  const header = JSON.stringify({
    key,
    sets: sets.map((set) => ({ rows: set.labels.length, width: set.queries.length / Math.max(1, set.labels.length), featureWidth: set.features.length / Math.max(1, set.labels.length) })),
  });
  const headerBytes = new TextEncoder().encode(`${header}\n`);
  const start = Math.ceil(headerBytes.byteLength / 4) * 4;
  const arrays = sets.flatMap((set) => [set.queries, set.features, set.labels]);
  const bytes = new Uint8Array(start + arrays.reduce((sum, array) => sum + array.byteLength, 0));
  bytes.fill(32, headerBytes.byteLength, start);
  bytes.set(headerBytes);
  let offset = start;
  for (const array of arrays) {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += array.byteLength;
  }
  await writeFileAtomic(path, bytes);
}
