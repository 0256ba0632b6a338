/**
 * Distributed pre-labelling end to end: Debian's redis-server on a random local port, two `pointclick-label worker`
 * processes on real ScanNet rooms, one SIGKILLed (with its sandboxed children) in the middle of a job. Every scan must
 * end with exactly one complete output, byte-identical to a single-process `pointclick-label run`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/default', import.meta.url));
const DATA = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const ROOMS = ['scene0001_00', 'scene0003_00', 'scene0004_00', 'scene0005_00'].map((scene) => join(DATA, 'scannet-votenet', `${scene}_vert.npy`));

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const hasData = ROOMS.every((room) => existsSync(room));
const built = existsSync(CLI) && existsSync(join(CLI, '..', 'label-processor.js'));
const skipReason = !hasRedis
  ? 'redis-server is not installed (apt-get install redis-server)'
  : !hasData
    ? `the ScanNet rooms are not in ${DATA}`
    : !built
      ? `${CLI} is not built (pnpm build)`
      : undefined;
if (skipReason) console.warn(`SKIPPED distributed labelling test: ${skipReason}`);

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-labeler-distributed-'));
const processes: ChildProcess[] = [];
afterAll(() => {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts a process and collects its output lines; `detached` puts it in its own process group (killed whole). */
function start(command: string, args: string[], detached = false) {
  const child = spawn(command, args, { detached, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMilliseconds: number): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(skipReason !== undefined)('pointclick-label on BullMQ', () => {
  it('survives a worker killed mid-job: one complete output per scan, byte-identical to a single-process run', async () => {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const url = `redis://127.0.0.1:${port}`;
    await waitFor(() => redis.lines.some((line) => line.includes('Ready to accept connections')), 'redis-server', 20_000);

    // Three object clicks and a background click per room, by point index (every room has 50,000 points).
    const clicks = Object.fromEntries(ROOMS.map((room) => [room.split('/').pop()!, [
      { pointIndex: 1_000, objectId: 1, kind: 'object' },
      { pointIndex: 21_000, objectId: 2, kind: 'object' },
      { pointIndex: 41_000, objectId: 3, kind: 'object' },
      { pointIndex: 30_000, objectId: 4, kind: 'background' },
    ]]));
    const clicksFile = join(scratch, 'clicks.json');
    writeFileSync(clicksFile, JSON.stringify({ scans: clicks }));
    const common = ['--model', MODEL, '--clicks', clicksFile, '--backend', 'wasm'];

    const referenceDirectory = join(scratch, 'single');
    const single = start(process.execPath, [CLI, 'run', ...common, '--out', referenceDirectory, ...ROOMS]);
    expect(await single.exited, single.lines.join('\n')).toBe(0);

    const outputDirectory = join(scratch, 'distributed');
    const queue = ['--redis', url, '--queue', 'rooms'];
    const enqueue = start(process.execPath, [CLI, 'enqueue', ...queue, ...common, '--out', outputDirectory, ...ROOMS]);
    expect(await enqueue.exited, enqueue.lines.join('\n')).toBe(0);
    expect(enqueue.lines).toContain(`queued ${ROOMS.length}, already queued 0, without clicks 0`);
    const again = start(process.execPath, [CLI, 'enqueue', ...queue, ...common, '--out', outputDirectory, ...ROOMS]);
    expect(await again.exited).toBe(0);
    expect(again.lines).toContain(`queued 0, already queued ${ROOMS.length}, without clicks 0`);

    // Short locks so that the dead worker's job is taken over in seconds, not BullMQ's default 30 s; long enough that
    // a loaded CI machine still renews them in time (every 5 s).
    const workerArgs = [CLI, 'worker', ...queue, '--concurrency', '1', '--lock-duration', '10000', '--stalled-interval', '3000'];
    const doomed = start(process.execPath, workerArgs, true);
    await waitFor(() => doomed.lines.some((line) => line.startsWith('started ')), 'the first worker to start a job', 120_000);
    const survivor = start(process.execPath, workerArgs);
    const killedScan = doomed.lines.find((line) => line.startsWith('started '))!.slice('started '.length);
    // Well inside the job (inference takes seconds, the write milliseconds): kill the worker and its sandboxed child.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(doomed.lines.filter((line) => line.startsWith('labelled '))).toEqual([]);
    process.kill(-doomed.child.pid!, 'SIGKILL');
    await doomed.exited;

    const status = new Queue('rooms', { connection: { url, maxRetriesPerRequest: null } });
    try {
      await waitFor(async () => (await status.getJobCounts('completed')).completed === ROOMS.length, 'every job to complete', 480_000);
      const counts = await status.getJobCounts('waiting', 'active', 'delayed', 'failed');
      expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await status.close();
    }
    // The killed worker's job was taken over by the survivor after its lock expired.
    expect(survivor.lines).toContain(`started ${killedScan}`);
    expect(survivor.lines.some((line) => line.startsWith(`labelled ${killedScan} → `))).toBe(true);

    const expectedNames = ROOMS.map((room) => `${room.split('/').pop()!.replace(/\.npy$/, '')}.ply`).sort();
    // Exactly one file per scan: no duplicate, no temporary file left by the killed worker.
    expect(readdirSync(outputDirectory).sort()).toEqual(expectedNames);
    for (const name of expectedNames) {
      expect(readFileSync(join(outputDirectory, name)).equals(readFileSync(join(referenceDirectory, name))), name).toBe(true);
    }

    const statusCommand = start(process.execPath, [CLI, 'status', ...queue]);
    expect(await statusCommand.exited).toBe(0);
    expect(statusCommand.lines[0]).toBe(`waiting 0, active 0, delayed (retrying) 0, completed ${ROOMS.length}, failed 0`);
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    redis.child.kill('SIGTERM');
    await redis.exited;
  }, 600_000);
});
