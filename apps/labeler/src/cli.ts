import { Command, Option } from 'commander';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { OUTPUT_FORMATS } from './labelling/output-formats.js';
import { formatLabellingReport, runLabelling, type LabellingOptions } from './commands/run-command.js';
import { createTerminalProgress } from './commands/terminal-progress.js';

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

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
