import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createModelFromCheckpoint, parseCheckpointDocument, type CheckpointDocument, type InteractiveSegmentationModel, type SegmenterConfig } from '@pointclick/segmenter';

/** A checkpoint read from disk: its directory, its parsed `model.json` and the model built from both files. */
export interface CheckpointOnDisk {
  /** The model directory read (a run directory's latest checkpoint, resolved). */
  source: string;
  /** The parsed `model.json` (config as read, before `configure`). */
  document: CheckpointDocument;
  /** The model, built with the config as `configure` left it; the caller disposes it. */
  model: InteractiveSegmentationModel;
}

/**
 * Reads a model directory: `model.json` (checked by `parseCheckpointDocument`) and its weights file.
 * @param configure Changes the config before the model is built (e.g. inference settings); it is the
 *   document's own config object, so the change shows in `document.config` too.
 * @throws CheckpointError naming the file and field of a malformed document or weights.
 */
export async function readModelDirectory(directory: string, configure?: (config: SegmenterConfig) => void): Promise<CheckpointOnDisk> {
  const documentPath = join(directory, 'model.json');
  const document = parseCheckpointDocument(await readFile(documentPath, 'utf8'), documentPath);
  configure?.(document.config);
  const weights = new Uint8Array(await readFile(join(directory, document.weights.file)));
  return { source: directory, document, model: createModelFromCheckpoint(document, weights, documentPath) };
}

/** {@link readModelDirectory} of the directory behind a `--checkpoint` argument ({@link resolveCheckpointSource}). */
export async function readCheckpoint(checkpoint: string, configure?: (config: SegmenterConfig) => void): Promise<CheckpointOnDisk> {
  return readModelDirectory(await resolveCheckpointSource(checkpoint), configure);
}

/**
 * The model directory behind a `--checkpoint` argument: a training run's output directory resolves to
 * its latest checkpoint (through `checkpoints/latest.json`); anything else is taken as it is (a model
 * directory or its model.json).
 *
 * @throws Error naming the path when it does not exist or is a run directory without a checkpoint yet.
 */
export async function resolveCheckpointSource(checkpoint: string): Promise<string> {
  const source = resolve(checkpoint);
  if (!(await stat(source).catch(() => undefined))) throw new Error(`${source}: no such checkpoint (expected a model directory or a training run directory)`);
  const pointerPath = join(source, 'checkpoints', 'latest.json');
  const pointer = await readFile(pointerPath, 'utf8').catch(() => undefined);
  if (pointer !== undefined) {
    let directory: unknown;
    try {
      directory = (JSON.parse(pointer) as { directory?: unknown }).directory;
    } catch {
      directory = undefined;
    }
    if (typeof directory !== 'string') throw new Error(`${pointerPath}: expected JSON { "directory": "<checkpoint folder>" }`);
    return join(source, 'checkpoints', directory);
  }
  if (await stat(join(source, 'checkpoints')).catch(() => undefined)) {
    throw new Error(`${source}: a training run directory without a checkpoint yet (no ${pointerPath})`);
  }
  return source;
}
