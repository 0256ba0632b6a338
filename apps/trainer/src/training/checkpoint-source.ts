import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

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
