import { Command, InvalidArgumentError, Option } from 'commander';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { OUTPUT_FORMATS } from './labelling/output-formats.js';
import { formatLabellingReport, runLabelling, type LabellingOptions } from './commands/run-command.js';
import { createTerminalProgress } from './commands/terminal-progress.js';
import { enqueueScans, formatQueueStatus, readQueueStatus, type QueueLocation } from './distributed/label-queue.js';
import { startLabelWorker, type LabelWorkerOptions } from './distributed/label-worker.js';

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
type BackendChoice = (typeof BACKENDS)[number];

const backendOption = () =>
  new Option('--backend <name>', 'TF.js backend (auto = WebGPU when a GPU adapter exists, else wasm); use one backend for a whole dataset').choices(BACKENDS).default('auto');

/** Starts the TF.js backend and says which one runs (on stderr, so stdout stays the summary). */
async function startBackend(name: BackendChoice): Promise<void> {
  const preferred = name === 'auto' ? undefined : name;
  const info = await initializeBackend({ preferred, strict: preferred !== undefined });
  console.error(`backend: ${info.backend}${info.adapter ? ` (adapter: ${info.adapter})` : ''}`);
}

/** The options `run` and `enqueue` share: model, clicks, output directory and format. */
function withLabellingOptions(command: Command): Command {
  return command
    .requiredOption('--model <dir>', 'model directory (model.json + weights.bin), e.g. models/default')
    .requiredOption('--clicks <file>', 'clicks JSON: { "scans": { "<scan file name>": [ { "position": [x, y, z] | "pointIndex": i, "objectId": 1, "kind": "object" } ] } }')
    .requiredOption('--out <dir>', 'output directory: one <scan name><extension> per scan')
    .addOption(new Option('--format <name>', [...OUTPUT_FORMATS.values()].map((format) => `${format.name} (${format.extension}): ${format.description}`).join('; ')).choices([...OUTPUT_FORMATS.keys()]).default('ply'))
    .option('--force', 'redo scans whose output is already there and complete')
    .argument('<scan...>', 'scan files (any format @pointclick/io reads)');
}

const program = new Command().name('pointclick-label').description('Pre-label scans with a pointclick segmenter and scripted clicks.');

withLabellingOptions(program.command('run').description('label scans on this machine, one after another'))
  .addOption(backendOption())
  .action(async (scans: string[], options: LabellingOptions & { model: string; backend: BackendChoice }) => {
    await startBackend(options.backend);
    const segmenter = await loadSegmenter(options.model);
    const report = await runLabelling(segmenter, options, scans, createTerminalProgress(), (line) => console.error(line));
    for (const line of formatLabellingReport(report)) console.log(line);
    if (report.failures.length > 0) process.exitCode = 1;
  });

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, got '${value}'`);
  return number;
}

/** The options every queue command has. */
function withQueueOptions(command: Command): Command {
  return command
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .requiredOption('--queue <name>', 'queue name (no ":")');
}

withQueueOptions(withLabellingOptions(program.command('enqueue').description('add one BullMQ job per scan (job id = the scan\'s path: a scan is never queued twice)')))
  .addOption(backendOption())
  .action(async (scans: string[], options: LabellingOptions & QueueLocation & { model: string; backend: BackendChoice }) => {
    const report = await enqueueScans(options, options, scans);
    for (const scanPath of report.withoutClicks) console.error(`skipping ${scanPath}: the clicks file has no entry for it`);
    console.log(`queued ${report.added}, already queued ${report.alreadyQueued}, without clicks ${report.withoutClicks.length}`);
  });

withQueueOptions(program.command('worker').description('label queued scans until stopped (SIGINT/SIGTERM finish the running jobs first)'))
  .option('--concurrency <n>', 'jobs at once, each in its own sandboxed process', parsePositiveInteger, 1)
  .option('--lock-duration <ms>', 'job lock in milliseconds: a dead worker\'s jobs are taken over after this', parsePositiveInteger, 30_000)
  .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers, in milliseconds', parsePositiveInteger, 30_000)
  .action(async (options: LabelWorkerOptions) => {
    const worker = startLabelWorker(options, (line) => console.log(line));
    await worker.waitUntilReady();
    console.log(`worker on queue ${options.queue}, concurrency ${options.concurrency}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        console.log('stopping: finishing the running jobs');
        void worker.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

withQueueOptions(program.command('status').description('job counts by state and the failed scans with their reasons'))
  .action(async (options: QueueLocation) => {
    const status = await readQueueStatus(options);
    for (const line of formatQueueStatus(status)) console.log(line);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
