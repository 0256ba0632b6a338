import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SurfaceSearchThreads } from '@pointclick/sampling';
import { writeFileAtomic } from '@pointclick/io/node';
import type { InteractiveSegmentationModel } from '../interactive-segmentation-model.js';
import {
  loadCheckpointFrom,
  loadSegmenter as loadSegmenterFromUrl,
  loadSegmenterFromBytes,
  serializeCheckpoint,
  type CheckpointSource,
} from '../checkpoint.js';
import { CheckpointError, SegmenterInputError } from '../segmenter-errors.js';
import { Segmenter, type SegmenterOptions } from '../segmenter.js';

/** Most helper threads {@link nodeSearchThreads} starts by default. */
const DEFAULT_HELPER_LIMIT = 3;

/**
 * Helper threads for the segmenter's geodesic searches in Node (`worker_threads`, unreferenced so they never
 * keep a process alive), or undefined for `count` 0.
 * @param count Helpers beside the calling thread; default one per further core, at most 3 (none on one core).
 */
export function nodeSearchThreads(count = Math.min(DEFAULT_HELPER_LIMIT, availableParallelism() - 1)): SurfaceSearchThreads | undefined {
  if (!Number.isInteger(count) || count < 0) throw new SegmenterInputError(`nodeSearchThreads: count is ${String(count)}; expected an integer ≥ 0`);
  if (count === 0) return undefined;
  return {
    count,
    spawn: (source) => {
      const worker = new Worker(source, { eval: true });
      worker.unref();
      return worker;
    },
  };
}

/** Options of the Node {@link loadSegmenter}. */
export interface NodeSegmenterOptions extends Omit<SegmenterOptions, 'searchThreads'> {
  /** Helper threads of the geodesic searches; false for none. Default {@link nodeSearchThreads}(). */
  searchThreads?: SurfaceSearchThreads | false;
}

/**
 * Loads a segmenter in Node: everything the root `loadSegmenter` takes (HTTP(S) URLs, bytes in memory), plus a
 * file path or `file:` URL of the checkpoint JSON or of its directory (read as `<directory>/model.json`), with
 * the weights read from beside it. Unlike the root one it gives the geodesic click searches helper threads
 * (one per further core, at most 3) unless `options.searchThreads` is false.
 *
 * @throws CheckpointError naming the path when it does not exist or a file cannot be read.
 */
export async function loadSegmenter(source: CheckpointSource, options: NodeSegmenterOptions = {}): Promise<Segmenter> {
  const loaded = await loadCheckpointSource(source);
  const searchThreads = options.searchThreads === false ? undefined : (options.searchThreads ?? nodeSearchThreads());
  return new Segmenter(loaded.model, { ...options, searchThreads });
}

async function loadCheckpointSource(source: CheckpointSource): Promise<Segmenter> {
  if (typeof source === 'object' && !(source instanceof URL)) return loadSegmenterFromBytes(source);
  const text = source instanceof URL ? source.href : source;
  if (/^(https?|blob|data):/i.test(text)) return loadSegmenterFromUrl(text);
  let path = text.startsWith('file:') ? fileURLToPath(text) : text;
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CheckpointError(path, 'no such file or directory');
  if (info.isDirectory()) path = join(path, 'model.json');
  return loadCheckpointFrom(path, async (file) => new Uint8Array(await readFile(file)), (documentPath, file) => join(dirname(documentPath), file));
}

/**
 * Writes `<directory>/model.json` and its weight blob. The blob goes first and the JSON last, each through a
 * temporary file and a rename, so a reader never sees a JSON whose weights are missing or partial.
 */
export async function saveCheckpoint(
  model: InteractiveSegmentationModel,
  directory: string,
  options: {
    /** Free-form provenance stored in the JSON (training command, step, data). */
    metadata?: Record<string, unknown>;
    /** Storage type of the weights: float32 (exact) or float16 (half the size). Default float32. */
    weightsDtype?: 'float32' | 'float16';
  } = {},
): Promise<{ documentPath: string; weightsPath: string; byteLength: number }> {
  await mkdir(directory, { recursive: true });
  const { document, weights } = serializeCheckpoint(model, { metadata: options.metadata, weightsDtype: options.weightsDtype });
  const weightsPath = join(directory, document.weights.file);
  const documentPath = join(directory, 'model.json');
  await writeFileAtomic(weightsPath, weights);
  await writeFileAtomic(documentPath, new TextEncoder().encode(`${JSON.stringify(document, null, 1)}\n`));
  return { documentPath, weightsPath, byteLength: weights.byteLength };
}
