import { defineConfig } from 'tsup';
import { CLI_BUILD_DEFAULTS } from '../../tsup.config.base.js';

export default defineConfig({ ...CLI_BUILD_DEFAULTS, entry: ['src/cli.ts'] });
