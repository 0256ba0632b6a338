import { defineConfig } from 'tsup';
import { BUILD_DEFAULTS } from '../../tsup.config.base.js';

export default defineConfig({ ...BUILD_DEFAULTS, entry: ['src/index.ts'] });
