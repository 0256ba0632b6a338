import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCheckpointSource } from '../src/training/checkpoint-source.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pointclick-checkpoint-source-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveCheckpointSource', () => {
  it("resolves a training run directory to the checkpoint its latest.json names", async () => {
    const run = join(root, 'run');
    await mkdir(join(run, 'checkpoints', 'step-0000050'), { recursive: true });
    await writeFile(join(run, 'checkpoints', 'latest.json'), JSON.stringify({ directory: 'step-0000050', step: 50 }));
    expect(await resolveCheckpointSource(run)).toBe(join(run, 'checkpoints', 'step-0000050'));
  });

  it('keeps a model directory as it is', async () => {
    const model = join(root, 'model');
    await mkdir(model, { recursive: true });
    await writeFile(join(model, 'model.json'), '{}');
    expect(await resolveCheckpointSource(model)).toBe(model);
  });

  it('names the path when there is nothing, no checkpoint yet, or a corrupt pointer', async () => {
    await expect(resolveCheckpointSource(join(root, 'missing'))).rejects.toThrow(/missing: no such checkpoint/);
    const early = join(root, 'early');
    await mkdir(join(early, 'checkpoints'), { recursive: true });
    await expect(resolveCheckpointSource(early)).rejects.toThrow(/without a checkpoint yet/);
    const corrupt = join(root, 'corrupt');
    await mkdir(join(corrupt, 'checkpoints'), { recursive: true });
    await writeFile(join(corrupt, 'checkpoints', 'latest.json'), '{"directory": 5');
    await expect(resolveCheckpointSource(corrupt)).rejects.toThrow(/latest\.json: expected JSON/);
  });
});
