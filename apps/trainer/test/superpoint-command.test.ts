import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeSuperpoints } from '@pointclick/sampling';
import { measureSuperpointCeiling } from '@pointclick/metrics';
import { loadLabeledScenes } from '../src/training/training-data.js';
import { runSuperpointReport } from '../src/commands/superpoint-command.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-superpoints-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('pointclick-train superpoints', () => {
  it("reports a generated room's superpoints and ceilings, with the checkpoint's settings, as text and JSON", async () => {
    const lines: string[] = [];
    const json = join(scratch, 'report.json');
    const checkpoint = resolve(__dirname, '../../../models/default');
    const reports = await runSuperpointReport({ syntheticScenes: 1, syntheticSeed: 900_000, checkpoint, minimumObjectPoints: 300, json, log: (line) => lines.push(line) });
    expect(lines[0]).toMatch(/scale 1\.2, minimum size 4/);
    expect(reports).toHaveLength(1);
    // The same figures as measuring the room directly with models/default's superpoint settings.
    const [scene] = await loadLabeledScenes([{ kind: 'synthetic-indoor', sceneCount: 1, seed: 900_000 }]);
    const { labels } = computeSuperpoints(scene.cloud.positions, { colors: scene.cloud.colors, scale: 1.2, minimumSize: 4 });
    const expected = measureSuperpointCeiling(labels, scene.cloud.instance, { minimumObjectPoints: 300 });
    expect(reports[0].objects).toEqual(expected.objects);
    expect(reports[0].objects.length).toBeGreaterThan(3);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ scale: 1.2, minimumSize: 4, minimumObjectPoints: 300, scenes: [{ scene: reports[0].scene, meanCeiling: reports[0].meanCeiling }] });
    expect(lines.some((line) => line.startsWith('all'))).toBe(true);
  });

  it('lets the flags override the checkpoint, and refuses to run on nothing', async () => {
    const lines: string[] = [];
    const [coarse] = await runSuperpointReport({ syntheticScenes: 1, syntheticSeed: 900_000, scale: 4, minimumSize: 4, minimumObjectPoints: 300, log: (line) => lines.push(line) });
    const [fine] = await runSuperpointReport({ syntheticScenes: 1, syntheticSeed: 900_000, scale: 0.2, minimumSize: 4, minimumObjectPoints: 300, log: () => {} });
    expect(lines[0]).toMatch(/scale 4, minimum size 4/);
    expect(fine.superpointCount).toBeGreaterThan(coarse.superpointCount);
    await expect(runSuperpointReport({ minimumObjectPoints: 300, log: () => {} })).rejects.toThrow(/nothing to measure/);
  });
});
