/**
 * scripts/gpu-train.sh in its tiny mode (TINY=1: SwiftShader, a 1,500-point copy of one room, one step): every
 * step runs and leaves its files in OUT_DIR. On a machine with an NVIDIA GPU the same script runs in full.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const sharedData = process.env.POINTCLICK_SHARED_DATA ?? join(repositoryRoot, '..', 'shared', 'data');
const missing = [
  ['/usr/lib/chromium/vk_swiftshader_icd.json', 'SwiftShader (apt-get install chromium)'],
  [join(sharedData, 'scannet-votenet', 'scene0001_00_vert.npy'), 'the ScanNet rooms (set POINTCLICK_SHARED_DATA)'],
  [join(repositoryRoot, 'apps', 'trainer', 'dist', 'cli.js'), 'the built trainer (pnpm build)'],
].filter(([path]) => !existsSync(path));
if (missing.length > 0) console.warn(`gpu-train.sh tiny-mode test skipped: missing ${missing.map(([, what]) => what).join(', ')}`);

const output = mkdtempSync(join(tmpdir(), 'pointclick-gpu-train-'));
afterAll(() => rmSync(output, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)('scripts/gpu-train.sh (tiny mode, SwiftShader)', () => {
  it('prints the adapter, passes the kernel spec, benches, fine-tunes and evaluates into OUT_DIR', { timeout: 3_600_000 }, async () => {
    // Asynchronous, so the test worker keeps answering vitest during the ten-minute run.
    const { stdout: log } = await promisify(execFile)('scripts/gpu-train.sh', [output, '1'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { ...process.env, TINY: '1', DATA_DIR: sharedData },
      maxBuffer: 64 * 2 ** 20,
    });
    expect(log).toMatch(/^adapter: .*swiftshader/im);
    expect(log).toMatch(/mode: tiny/);
    // Colour codes stripped, should a caller's FORCE_COLOR reach the inner vitest.
    expect(readFileSync(join(output, 'kernel-spec.log'), 'utf8').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')).toMatch(/Tests\s+\d+ passed/);
    const bench = JSON.parse(readFileSync(join(output, 'bench-tiny.json'), 'utf8')) as { backend: string; stepsPerSecond: number; stepToMatMulRatio: number };
    expect(bench.backend).toBe('webgpu');
    expect(bench.stepsPerSecond).toBeGreaterThan(0);
    expect(bench.stepToMatMulRatio).toBeGreaterThan(0);
    const records = readFileSync(join(output, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; loss?: number; backendBytes?: number });
    const train = records.filter((record) => record.kind === 'train');
    expect(train).toHaveLength(1);
    expect(Number.isFinite(train[0].loss)).toBe(true);
    expect(train[0].backendBytes).toBeGreaterThan(0);
    expect(readFileSync(join(output, 'run', 'training-plot.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(output, 'model', 'model.json'))).toBe(true);
    const table = readFileSync(join(output, 'eval-table.md'), 'utf8');
    expect(table).toMatch(/^\| model \| IoU@1 /);
    for (const row of ['models/default', 'fine-tuned', 'baseline (non-learned)']) expect(table).toContain(`| ${row} |`);
  });
});
