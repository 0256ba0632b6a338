import { Command, Option } from 'commander';
import { PointCloudFormatError, type PointCloud, type PointCloudFormat } from '@pointclick/io';
import { readPointCloudFile } from '@pointclick/io/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { formatScanSummary, summarizeScan } from './scan-summary.js';

const FORMATS: PointCloudFormat[] = ['ply', 'pcd', 'las', 'laz', 'kitti-bin', 'npy', 'xyzrgb-bin'];

const program = new Command()
  .name('pointclick-summary')
  .description('Print a summary of a scan: point count, bounds, attributes and label counts.')
  .argument('[file]', 'scan to read (PLY, PCD, LAS/LAZ, KITTI .bin, NPY); without it, the bundled synthetic room')
  .addOption(new Option('--format <format>', 'format of the file instead of sniffing it').choices(FORMATS))
  .option('--seed <seed>', 'seed of the synthetic room shown when no file is given', (value) => Number.parseInt(value, 10), 1)
  .option('--json', 'print the summary as JSON')
  .action(async (file: string | undefined, options: { format?: PointCloudFormat; seed: number; json?: boolean }) => {
    let cloud: PointCloud;
    let source: string;
    if (file) {
      cloud = await readPointCloudFile(file, { format: options.format });
      source = file;
    } else {
      cloud = generateIndoorScene({ seed: options.seed });
      source = `synthetic indoor room (seed ${options.seed})`;
    }
    const summary = summarizeScan(cloud);
    console.log(options.json ? JSON.stringify({ source, ...summary }, null, 2) : formatScanSummary(summary, source));
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof PointCloudFormatError) {
    console.error(`error: ${error.message}`);
  } else if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
    console.error(`error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
