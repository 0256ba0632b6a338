import { defineConfig } from 'tsup';
import { CLI_BUILD_DEFAULTS } from '../../tsup.config.base.js';

// The label processor is its own entry: BullMQ runs it in sandboxed child processes by file path.
export default defineConfig({ ...CLI_BUILD_DEFAULTS, entry: { cli: 'src/cli.ts', 'label-processor': 'src/distributed/label-processor.ts' } });
