import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter, saveCheckpoint } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { interpolateCheckpoints, InterpolationError } from '../src/commands/interpolate-command.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-interpolate-'));

/** A checkpoint (tiny preset unless given) whose every weight is the untrained one plus `shift`, with an optional provenance. */
async function writeShifted(name: string, shift: number, preset: 'tiny' | 'lite' = 'tiny', scenes?: string[]): Promise<string> {
  const model = new InteractiveSegmentationModel(createSegmenterConfig(preset, 5));
  if (scenes) model.config.provenance = { trainedOn: [{ dataset: 'scannet-votenet', scenes }] };
  for (const [, variable] of model.namedVariables()) tf.tidy(() => variable.assign(tf.add(variable, shift)));
  const directory = join(scratch, name);
  await saveCheckpoint(model, directory);
  model.dispose();
  return directory;
}

async function readWeights(directory: string): Promise<Map<string, Float32Array>> {
  const segmenter = await loadSegmenter(directory);
  const weights = new Map([...segmenter.model.namedVariables()].map(([name, variable]) => [name, variable.dataSync() as Float32Array]));
  segmenter.dispose();
  return weights;
}

beforeAll(async () => {
  await initializeBackend({ preferred: 'cpu' });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('interpolate (WiSE-FT weight blending)', () => {
  it('writes (1 − α)·from + α·to for every variable, the ends exactly, and merges both provenances', async () => {
    const from = await writeShifted('from', 0, 'tiny', ['scene0000_00']);
    const to = await writeShifted('to', 2);
    const [fromWeights, toWeights] = await Promise.all([readWeights(from), readWeights(to)]);
    const tensorsBefore = tf.memory().numTensors;
    for (const weight of [0, 0.25, 1]) {
      const output = join(scratch, `blend-${weight}`);
      const { variableCount } = await interpolateCheckpoints({ from, to, weight, output });
      expect(variableCount).toBe(fromWeights.size);
      const blended = await readWeights(output);
      for (const [name, values] of blended) {
        const start = fromWeights.get(name)!;
        const end = toWeights.get(name)!;
        if (weight === 0) expect(values, name).toEqual(start);
        else if (weight === 1) expect(values, name).toEqual(end);
        else for (let index = 0; index < values.length; index += 7) expect(values[index]).toBeCloseTo(0.75 * start[index] + 0.25 * end[index], 5);
      }
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const segmenter = await loadSegmenter(join(scratch, 'blend-0.25'));
    // `to` had no record: its part of the lineage stays visible as unknown.
    expect(segmenter.model.config.provenance).toEqual({ trainedOn: [{ dataset: 'scannet-votenet', scenes: ['scene0000_00'] }], unknownSources: [to] });
    segmenter.dispose();
  });

  it('rejects checkpoints of different shapes with a typed error naming the variable, and α outside [0, 1]', async () => {
    const tiny = await writeShifted('tiny', 0);
    const lite = await writeShifted('lite', 0, 'lite');
    const failure = await interpolateCheckpoints({ from: tiny, to: lite, weight: 0.5, output: join(scratch, 'mismatch') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InterpolationError);
    expect((failure as Error).message).toMatch(/variable .* has shape \[/);
    await expect(interpolateCheckpoints({ from: tiny, to: tiny, weight: 1.5, output: join(scratch, 'bad-weight') })).rejects.toThrow(/\[0, 1\]/);
  });
});
