// @ts-check
// Type-aware lint for every package and app (typescript-eslint; see DEVELOPERS.md for why not Biome).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/.cache/**',
      '**/bench/build/**',
      '**/test-artifacts/**',
      // The empty stand-in for @types/node used by tsconfig.browser.json.
      'scripts/browser-types/**',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // Root-level files that no package tsconfig includes.
          allowDefaultProject: ['eslint.config.js', 'packages/io/test/fuzz/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // TF.js ops return `Tensor<Rank>`; asserting the rank (`tf.zeros([n, c]) as tf.Tensor2D`) is the library's
      // own idiom and reads better than `tf.zeros<tf.Rank.R2>(…)`, so these assertions are not reported.
      '@typescript-eslint/no-unnecessary-type-assertion': [
        'error',
        {
          typesToIgnore: [
            'Scalar', 'Tensor1D', 'Tensor2D', 'Tensor3D', 'Tensor4D', 'Tensor5D', 'T',
            'tf.Scalar', 'tf.Tensor1D', 'tf.Tensor2D', 'tf.Tensor3D', 'tf.Tensor4D', 'tf.Tensor5D',
          ],
        },
      ],
      // Readers and loaders keep `async` signatures on purpose: a uniform Promise API lets a format switch to
      // streaming or a worker later without breaking callers; an await-free async function is not a bug here.
      '@typescript-eslint/require-await': 'off',
      // Shapes (`number[]`) and counts are interpolated into error messages everywhere; objects and unknowns are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowArray: true, allowNullish: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain Node ESM helpers of scripts/gpu-train.sh (run without a build): linted without type information.
    files: ['scripts/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    // Build configurations sit outside the packages' tsconfigs (they import ../../tsup.config.base.ts, outside
    // each package's rootDir); they are linted without type information.
    files: ['**/tsup.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false, project: null } },
  },
);
