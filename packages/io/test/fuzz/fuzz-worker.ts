/**
 * Fuzz worker thread: builds the corpus, times each unmutated read, then reads the cases it is sent and reports
 * each outcome. Runs in its own thread so that the pool can stop a case that never returns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PointCloudFormatError } from '../../src/core/point-cloud-format-error.js';
import { findPointCloudProblems } from '../../src/core/point-cloud-validation.js';
import type { PointCloud } from '../../src/core/point-cloud.js';
import { readPointCloud } from '../../src/read-point-cloud.js';
import { readPointCloudBlob, readPointCloudStream } from '../../src/read-point-cloud-stream.js';
import { loadFuzzBases, mutateFuzzBase, type FuzzBase } from './fuzz-corpus.js';
import type { FuzzWorkerData, FuzzWorkerReply, FuzzWorkerTask } from './fuzz-pool.js';

const port = parentPort!;
const { directory, seed, slowFactor, floorMilliseconds, loadCorpus } = workerData as FuzzWorkerData;
const bases: FuzzBase[] = loadCorpus ? loadFuzzBases(directory) : [];

type Outcome = { outcome: 'valid' | 'rejected' } | { outcome: 'failure'; message: string };

/** Bytes per chunk of the streamed reads: small enough that headers, records and LASzip chunks are cut. */
const STREAM_CHUNK_BYTES = 4093;

async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += STREAM_CHUNK_BYTES) yield bytes.subarray(offset, offset + STREAM_CHUNK_BYTES);
}

/**
 * PCD and LAZ are also read by their streaming paths (issue 18): PCD from a stream, LAZ from a stream and chunk by
 * chunk from a Blob. Each must give a valid cloud or a PointCloudFormatError as the whole-buffer read must.
 */
async function readAllWays(base: FuzzBase, bytes: Uint8Array, options: { fileName: string; format?: FuzzBase['format'] }): Promise<PointCloud[]> {
  const clouds = [await readPointCloud(bytes, options)];
  if (base.format === 'pcd' || base.format === 'laz') clouds.push(await readPointCloudStream(chunksOf(bytes), { ...options, totalBytes: bytes.length }));
  if (base.format === 'laz') clouds.push(await readPointCloudBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), options));
  return clouds;
}

async function readOnce(base: FuzzBase, bytes: Uint8Array, sniff: boolean, truncated: boolean): Promise<Outcome> {
  const options = sniff ? { fileName: base.fileName } : { format: base.format, fileName: base.fileName };
  try {
    const [cloud, ...streamed] = await readAllWays(base, bytes, options);
    const problems = [cloud, ...streamed].flatMap((read) => findPointCloudProblems(read));
    if (problems.length > 0) return { outcome: 'failure', message: `invalid cloud: ${problems.slice(0, 3).join('; ')}` };
    if (truncated && base.exactLength && bytes.length < base.bytes.length) {
      return { outcome: 'failure', message: `truncated input read as ${cloud.pointCount} points without an error` };
    }
    return { outcome: 'valid' };
  } catch (error) {
    if (error instanceof PointCloudFormatError) return { outcome: 'rejected' };
    const name = (error as Error)?.constructor?.name ?? typeof error;
    return { outcome: 'failure', message: `untyped ${name}: ${(error as Error)?.message ?? String(error)}` };
  }
}

async function timedRead(base: FuzzBase, bytes: Uint8Array, sniff: boolean, truncated: boolean): Promise<Outcome & { milliseconds: number }> {
  const start = performance.now();
  const outcome = await readOnce(base, bytes, sniff, truncated);
  return { ...outcome, milliseconds: performance.now() - start };
}

/** Median of three reads of each unmutated base, after one warm-up read. */
async function measureBaselines(): Promise<FuzzWorkerReply & { kind: 'ready' }> {
  const baselines = [];
  for (const base of bases) {
    const warm = await timedRead(base, base.bytes, false, false);
    const times = [];
    for (let repeat = 0; repeat < 3; repeat++) times.push((await timedRead(base, base.bytes, false, false)).milliseconds);
    times.sort((first, second) => first - second);
    baselines.push({ name: base.name, milliseconds: times[1], error: warm.outcome === 'valid' ? undefined : warm.outcome === 'failure' ? warm.message : 'refused by its reader' });
  }
  return { kind: 'ready', baselines };
}

const ready = await measureBaselines();
const limits = ready.baselines.map((baseline) => Math.max(slowFactor * baseline.milliseconds, floorMilliseconds));
port.postMessage(ready);

/** Runs one task; the message listener does not wait for it (a task reports through the port). */
async function handleTask(task: FuzzWorkerTask): Promise<void> {
  if (task.kind === 'spin') {
    port.postMessage({ kind: 'started', task, description: 'planted endless loop' } satisfies FuzzWorkerReply);
    for (;;) {
      // Never returns: the pool must stop this thread and report the case.
    }
  }
  const base = bases[task.baseIndex];
  const mutation = mutateFuzzBase(base, task.baseIndex, task.caseIndex, seed);
  port.postMessage({ kind: 'started', task, description: mutation.description } satisfies FuzzWorkerReply);
  // Half the cases let readPointCloud sniff the format from the bytes and the file name.
  const sniff = task.caseIndex % 2 === 1;
  let result = await timedRead(base, mutation.bytes, sniff, mutation.truncated);
  const limit = limits[task.baseIndex];
  // A slow case is read again before it counts, so that a pause of the machine alone does not fail the run.
  if (result.milliseconds > limit) {
    const again = await timedRead(base, mutation.bytes, sniff, mutation.truncated);
    if (again.milliseconds < result.milliseconds) result = again;
  }
  const reply: FuzzWorkerReply =
    result.outcome === 'failure'
      ? { kind: 'result', task, outcome: 'failure', message: result.message, milliseconds: result.milliseconds }
      : result.milliseconds > limit
        ? {
            kind: 'result',
            task,
            outcome: 'failure',
            message: `took ${result.milliseconds.toFixed(0)} ms twice, over ${limit.toFixed(0)} ms (${slowFactor} × the unmutated read of ${ready.baselines[task.baseIndex].milliseconds.toFixed(1)} ms, at least ${floorMilliseconds} ms)`,
            milliseconds: result.milliseconds,
          }
        : { kind: 'result', task, outcome: result.outcome, milliseconds: result.milliseconds };
  port.postMessage(reply);
}

port.on('message', (task: FuzzWorkerTask) => {
  void handleTask(task);
});
