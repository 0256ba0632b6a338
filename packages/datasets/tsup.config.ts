import { defineConfig } from 'tsup';
import { BUILD_DEFAULTS } from '../../tsup.config.base.js';

export default defineConfig({ ...BUILD_DEFAULTS, entry: { index: 'src/index.ts', node: 'src/node/index.ts' } });
