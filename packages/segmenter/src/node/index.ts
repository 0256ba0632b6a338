import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@pointclick/io/node';
import type { InteractiveSegmentationModel } from '../interactive-segmentation-model.js';
import {
  loadCheckpointFrom,
  loadSegmenter as loadSegmenterFromUrl,
  loadSegmenterFromBytes,
  serializeCheckpoint,
  type CheckpointSource,
} from '../checkpoint.js';
import { CheckpointError } from '../segmenter-errors.js';
import type { Segmenter } from '../segmenter.js';

/**
 * Loads a segmenter in Node: everything the root `loadSegmenter` takes (HTTP(S) URLs, bytes in memory), plus a
 * file path or `file:` URL of the checkpoint JSON or of its directory (read as `<directory>/model.json`), with
 * the weights read from beside it.
 *
 * @throws CheckpointError naming the path when it does not exist or a file cannot be read.
 */
export async function loadSegmenter(source: CheckpointSource): Promise<Segmenter> {
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
