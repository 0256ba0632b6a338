import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import type { CheckpointDocument, TrainingProvenance } from '@pointclick/segmenter';
import { runTraining } from '../src/training/training-loop.js';
import { runEvaluation } from '../src/commands/evaluate-command.js';
import { runCalibration } from '../src/commands/calibrate-command.js';
import { runClassHeadFineTune } from '../src/commands/class-head-command.js';
import { exportCheckpoint } from '../src/commands/export-command.js';
import { SeenSceneError } from '../src/training/training-provenance.js';
import { SHARED_DATA_DIRECTORY, tinyTrainingConfig, writeTinyCheckpoint } from './trainer-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-provenance-'));
const votenetDirectory = join(SHARED_DATA_DIRECTORY, 'scannet-votenet');
const hasVotenet = ['scene0001_00', 'scene0001_01', 'scene0004_00'].every((scene) => existsSync(join(votenetDirectory, `${scene}_vert.npy`)));
if (!hasVotenet) console.warn(`trainer provenance tests with ScanNet rooms SKIPPED: ${votenetDirectory} lacks scene0001_00 / scene0001_01 / scene0004_00 (set POINTCLICK_SHARED_DATA)`);

const quiet = { log: () => {}, progressBar: false };

/** The provenance in a checkpoint or run directory's model.json (a run: its latest checkpoint). */
function provenanceIn(directory: string): TrainingProvenance | undefined {
  return (JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as CheckpointDocument).config.provenance;
}

/** Evaluation settings that run in seconds: 1 target, 1 click, no baseline, no class scores. */
const brief = { targetObjects: 1, clickBudget: 1, seed: 1, baseline: false, classes: 'off' as const };

beforeAll(async () => {
  await initializeBackend({ preferred: 'wasm', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('training-data provenance', () => {
  it('accumulates through --init-from, is carried by export, and keeps an unknown parent visible', async () => {
    const parent = await runTraining(tinyTrainingConfig(scratch, 'parent', 1), quiet);
    expect(provenanceIn(parent.checkpointDirectory)).toEqual({ trainedOn: [{ dataset: 'synthetic-indoor', seeds: { first: 11, last: 11 } }] });

    const childConfig = { ...tinyTrainingConfig(scratch, 'child', 1), initialWeights: join(scratch, 'parent') };
    childConfig.data = { ...childConfig.data, sources: [{ kind: 'synthetic-indoor', sceneCount: 2, seed: 20 }] };
    const child = await runTraining(childConfig, quiet);
    const lineage = { trainedOn: [{ dataset: 'synthetic-indoor', seeds: { first: 11, last: 11 } }, { dataset: 'synthetic-indoor', seeds: { first: 20, last: 21 } }] };
    expect(provenanceIn(child.checkpointDirectory)).toEqual(lineage);
    const exported = await exportCheckpoint(join(scratch, 'child'), join(scratch, 'child-export'), 'float16');
    expect(provenanceIn(exported.output)).toEqual(lineage);

    // A parent that records nothing: its training data is unknown, and stays so in the child.
    const old = await writeTinyCheckpoint(scratch, 'old-model');
    expect(provenanceIn(old)).toBeUndefined();
    const orphan = await runTraining({ ...tinyTrainingConfig(scratch, 'orphan', 1), initialWeights: old }, quiet);
    expect(provenanceIn(orphan.checkpointDirectory)).toEqual({ trainedOn: [{ dataset: 'synthetic-indoor', seeds: { first: 11, last: 11 } }], unknownSources: [old] });
  });

  it('eval prints a line per scene and writes seenInTraining; --require-unseen fails on a seen or unknown scene', async () => {
    const checkpoint = join(scratch, 'parent'); // trained on synthetic-indoor seed 11 by the test above
    const lines: string[] = [];
    const jsonPath = join(scratch, 'eval-synthetic', 'table.json');
    const result = await runEvaluation({ checkpoint, syntheticScenes: 2, syntheticSeed: 10, json: jsonPath, ...brief, log: (line) => lines.push(line) });
    expect(lines).toContain('  synthetic-indoor-11: seen in training (synthetic-indoor-11 of synthetic-indoor)');
    expect(lines).toContain('  synthetic-indoor-10: not seen in training');
    const written = JSON.parse(readFileSync(jsonPath, 'utf8')) as { seenInTraining: unknown };
    expect(written.seenInTraining).toEqual(result.seenInTraining);
    expect(result.seenInTraining.map((report) => report.seen)).toEqual([false, true]);

    const error = await runEvaluation({ checkpoint, syntheticScenes: 2, syntheticSeed: 10, requireUnseen: true, ...brief, log: () => {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeenSceneError);
    expect((error as SeenSceneError).scene).toBe('synthetic-indoor-11');
    expect((error as SeenSceneError).message).toMatch(/scene synthetic-indoor-11 .* was seen in training .*training scene synthetic-indoor-11/);
    // Unseen scenes pass the guard.
    await expect(runEvaluation({ checkpoint, syntheticScenes: 1, syntheticSeed: 12, requireUnseen: true, ...brief, log: () => {} })).resolves.toMatchObject({ seenInTraining: [{ seen: false }] });

    // No provenance: said plainly, and the guard cannot pass.
    const old = join(scratch, 'old-model');
    const unknownLines: string[] = [];
    await runEvaluation({ checkpoint: old, syntheticScenes: 1, syntheticSeed: 12, ...brief, log: (line) => unknownLines.push(line) });
    expect(unknownLines).toContain(`training data of ${old}: unknown (the checkpoint records no training data)`);
    expect(unknownLines.some((line) => line.startsWith('  synthetic-indoor-12: unknown whether seen in training'))).toBe(true);
    await expect(runEvaluation({ checkpoint: old, syntheticScenes: 1, syntheticSeed: 12, requireUnseen: true, ...brief, log: () => {} })).rejects.toThrow(/cannot tell whether scene synthetic-indoor-12/);
  });

  it.skipIf(!hasVotenet)('records a folder\'s scenes after exclude; a rescan of a trained room is seen by eval, calibrate and fine-tune-classes', async () => {
    // A folder named like the shared one, holding two scans of room scene0001 and one of scene0004.
    const folder = join(scratch, 'rooms', 'scannet-votenet');
    mkdirSync(folder, { recursive: true });
    for (const scene of ['scene0001_00', 'scene0001_01', 'scene0004_00']) {
      for (const suffix of ['vert', 'ins_label', 'sem_label']) symlinkSync(join(votenetDirectory, `${scene}_${suffix}.npy`), join(folder, `${scene}_${suffix}.npy`));
    }
    const config = tinyTrainingConfig(scratch, 'rooms-run', 1);
    config.data = { ...config.data, sources: [{ kind: 'folder', directory: folder, exclude: ['scene0001_00', 'scene0004_00'], scale: 1 }] };
    const run = await runTraining(config, quiet);
    expect(provenanceIn(run.checkpointDirectory)).toEqual({ trainedOn: [{ dataset: 'scannet-votenet', scenes: ['scene0001_01'] }] });

    const checkpoint = join(scratch, 'rooms-run');
    const seen = await runEvaluation({ checkpoint, data: votenetDirectory, scenes: ['scene0001_00'], requireUnseen: true, ...brief, log: () => {} }).catch((caught: unknown) => caught);
    expect(seen).toBeInstanceOf(SeenSceneError);
    expect(seen).toMatchObject({ scene: 'scene0001_00', trainingScene: 'scene0001_01' });
    expect((seen as Error).message).toContain('training scene scene0001_01 of scannet-votenet (same room scene0001)');
    await expect(runCalibration({ checkpoint, data: votenetDirectory, scenes: ['scene0001_00'], requireUnseen: true, log: () => {} })).rejects.toThrow(/scene scene0001_00 .*scene0001_01/);

    // fine-tune-classes: the selection rescan is reported, and the written model adds its training scenes.
    const lines: string[] = [];
    const options = {
      checkpoint,
      data: votenetDirectory,
      scenes: ['scene0004_00'],
      selectionScenes: ['scene0001_00'],
      syntheticSeed: 700_000,
      output: join(scratch, 'classes'),
      dtype: 'float32' as const,
      commandLine: 'fine-tune-classes (test)',
      steps: 2,
      learningRates: [1e-3],
      weightDecay: 0.01,
      classBalances: [0],
      batchSize: 16,
      minimumObjectPoints: 300,
      sceneCopies: 1,
      clickSets: 1,
      seed: 1,
      evaluateEvery: 2,
      log: (line: string) => lines.push(line),
    };
    await expect(runClassHeadFineTune({ ...options, requireUnseen: true })).rejects.toThrow(SeenSceneError);
    await runClassHeadFineTune(options);
    expect(lines).toContain('  scene0001_00: seen in training (room scene0001 via scene0001_01 of scannet-votenet)');
    expect(provenanceIn(join(scratch, 'classes'))).toEqual({ trainedOn: [{ dataset: 'scannet-votenet', scenes: ['scene0001_01', 'scene0004_00'] }] });

    // A model that shows the mean of several stages' classes: fine-tune-classes, which trains the last stage alone, refuses it.
    const averaged = join(scratch, 'averaged-classes');
    await exportCheckpoint(checkpoint, averaged, 'float32', { classStageCount: 2 });
    expect((JSON.parse(readFileSync(join(averaged, 'model.json'), 'utf8')) as CheckpointDocument).config.classStageCount).toBe(2);
    await expect(runClassHeadFineTune({ ...options, checkpoint: averaged, output: join(scratch, 'classes-averaged') })).rejects.toThrow(
      /shows the mean of its last 2 stages' class logits .* export it with --class-stages 1 first/,
    );
  });
});
