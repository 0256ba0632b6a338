/**
 * Runs fuzz cases on a pool of worker threads. Each case has a watchdog: a worker that does not answer in time is
 * stopped and the case is reported, with its seed, base, case index and mutation, as a hang; a worker that dies is
 * reported the same way. Either way a fresh worker takes its place and the run goes on.
 */
import { Worker } from 'node:worker_threads';

/** What each worker is started with. */
export interface FuzzWorkerData {
  /** The shared data folder. */
  directory: string;
  /** Run seed (see `FUZZ_SEED`). */
  seed: number;
  /** A case slower than this many times its unmutated base fails. */
  slowFactor: number;
  /** Lower bound of the per-case limit in milliseconds, so that sub-millisecond bases are not judged on timer noise. */
  floorMilliseconds: number;
  /** Whether to build the corpus (false only for the pool's own self-test). */
  loadCorpus: boolean;
}

/** A case to run: mutation `caseIndex` of base `baseIndex`, or a planted endless loop that tests the watchdog. */
export type FuzzWorkerTask = { kind: 'case'; baseIndex: number; caseIndex: number } | { kind: 'spin' };

/** Messages from a worker. */
export type FuzzWorkerReply =
  | { kind: 'ready'; baselines: { name: string; milliseconds: number; error?: string }[] }
  | { kind: 'started'; task: FuzzWorkerTask; description: string }
  | { kind: 'result'; task: FuzzWorkerTask; outcome: 'valid' | 'rejected' | 'failure'; message?: string; milliseconds: number };

/** Outcome of a pool run. */
export interface FuzzPoolReport {
  /** Cases that ran to an outcome (hangs and crashes included). */
  caseCount: number;
  /** Valid clouds and typed refusals per base index. */
  tallies: Map<number, { valid: number; rejected: number; slowestMilliseconds: number }>;
  /** One line per failing case, with its reproduction. */
  failures: string[];
  /** Unmutated read time of each base, as the first worker measured it. */
  baselines: { name: string; milliseconds: number; error?: string }[];
}

/**
 * Runs `tasks` on `workerCount` workers started from `entry`.
 *
 * @param watchdogMilliseconds - How long a case may go unanswered, given its base's unmutated read time (ms).
 * @param describe - Names a task for reports (base name, case index, seed).
 */
export async function runFuzzPool(options: {
  entry: URL;
  workerData: FuzzWorkerData;
  workerCount: number;
  tasks: FuzzWorkerTask[];
  watchdogMilliseconds: (baselineMilliseconds: number) => number;
  describe: (task: FuzzWorkerTask) => string;
}): Promise<FuzzPoolReport> {
  const report: FuzzPoolReport = { caseCount: 0, tallies: new Map(), failures: [], baselines: [] };
  let next = 0;
  const runSlot = async (): Promise<void> => {
    while (next < options.tasks.length) {
      const worker = new Worker(options.entry, { workerData: options.workerData });
      try {
        await runWorker(worker);
      } finally {
        await worker.terminate();
      }
    }
  };
  /** Feeds tasks to one worker until the list ends (resolves) or the worker hangs or dies (resolves; the slot restarts it). */
  const runWorker = (worker: Worker): Promise<void> =>
    new Promise((resolve) => {
      let baselines: { milliseconds: number }[] = [];
      let current: { task: FuzzWorkerTask; description: string } | undefined;
      let watchdog: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (): void => {
        finished = true;
        clearTimeout(watchdog);
        resolve();
      };
      const fail = (what: string): void => {
        if (finished) return;
        if (current !== undefined) {
          report.caseCount++;
          report.failures.push(`${options.describe(current.task)}: ${current.description}: ${what}`);
        } else {
          report.failures.push(`worker failed before its first case: ${what}`);
          next = options.tasks.length;
        }
        finish();
      };
      const dispatch = (): void => {
        if (next >= options.tasks.length) return finish();
        const task = options.tasks[next++];
        current = { task, description: '(not started)' };
        const baseline = task.kind === 'case' ? (baselines[task.baseIndex]?.milliseconds ?? 0) : 0;
        const limit = options.watchdogMilliseconds(baseline);
        watchdog = setTimeout(() => fail(`no answer within ${limit.toFixed(0)} ms: hang`), limit);
        worker.postMessage(task);
      };
      worker.on('message', (reply: FuzzWorkerReply) => {
        if (reply.kind === 'ready') {
          baselines = reply.baselines;
          if (report.baselines.length === 0) report.baselines = reply.baselines;
          dispatch();
        } else if (reply.kind === 'started') {
          current = { task: reply.task, description: reply.description };
        } else {
          clearTimeout(watchdog);
          report.caseCount++;
          if (reply.task.kind === 'case') {
            const tally = report.tallies.get(reply.task.baseIndex) ?? { valid: 0, rejected: 0, slowestMilliseconds: 0 };
            if (reply.outcome === 'valid') tally.valid++;
            if (reply.outcome === 'rejected') tally.rejected++;
            tally.slowestMilliseconds = Math.max(tally.slowestMilliseconds, reply.milliseconds);
            report.tallies.set(reply.task.baseIndex, tally);
          }
          if (reply.outcome === 'failure') report.failures.push(`${options.describe(reply.task)}: ${current?.description}: ${reply.message}`);
          current = undefined;
          dispatch();
        }
      });
      worker.on('error', (error) => fail(`worker crashed: ${error.message}`));
      worker.on('exit', (code) => fail(`worker exited with code ${code}`));
    });
  await Promise.all(Array.from({ length: options.workerCount }, runSlot));
  return report;
}
