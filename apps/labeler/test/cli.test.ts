import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readPly } from '@pointclick/io';
import { BOX_ROOM_CLICKS, writeBoxRoom } from './scan-fixtures.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/default', import.meta.url));
const built = existsSync(CLI);
if (!built) console.warn(`SKIPPED pointclick-label CLI tests: ${CLI} is not built (pnpm build, or pnpm test which builds first)`);
const scratch = mkdtempSync(join(tmpdir(), 'pointclick-labeler-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI; resolves with its exit code and output whether it fails or not. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('pointclick-label run', () => {
  it.skipIf(!built)('labels the good scans, reports the bad one and exits non-zero with a summary', async () => {
    const room = writeBoxRoom(scratch, 'room.ply', 7);
    const broken = join(scratch, 'broken.ply');
    writeFileSync(broken, 'not a point cloud');
    const clicks = join(scratch, 'clicks.json');
    writeFileSync(clicks, JSON.stringify({ scans: { 'room.ply': BOX_ROOM_CLICKS, 'broken.ply': BOX_ROOM_CLICKS } }));
    const out = join(scratch, 'out');
    const result = await runCli(['run', '--model', MODEL, '--clicks', clicks, '--out', out, '--backend', 'wasm', room, broken]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('labelled 1, already complete 0, without clicks 0, failed 1');
    expect(result.stdout).toContain(`failed ${broken}:`);
    expect(result.stderr).toContain('[1/2] room.ply: ');
    const output = await readPly(new Uint8Array(readFileSync(join(out, 'room.ply'))));
    expect(output.pointCount).toBe(2000);
    expect(output.instance?.some((objectId) => objectId > 0)).toBe(true);
  });

  it.skipIf(!built)('rejects an unknown format before loading anything', async () => {
    const result = await runCli(['run', '--model', MODEL, '--clicks', 'none.json', '--out', scratch, '--format', 'xyz', 'a.ply']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--format <name>' argument 'xyz' is invalid\. Allowed choices are ply, json/);
  });
});
