import type { Options } from 'tsup';

/** Build settings every package and CLI shares: ESM only, bundled declarations, source maps, ES2022. */
export const BUILD_DEFAULTS = {
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
} satisfies Options;

/** Build settings of the command-line apps: one ESM file per entry for Node 20 with a shebang, no declarations. */
export const CLI_BUILD_DEFAULTS = {
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
} satisfies Options;
