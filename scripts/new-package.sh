#!/usr/bin/env bash
# Scaffolds packages/<name> with the layout every @pointclick package shares.
# Usage: scripts/new-package.sh <name> "<description>"
set -euo pipefail
name=$1; description=$2
dir="packages/$name"
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "@pointclick/$name",
  "version": "0.1.0",
  "description": "$description",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "exports": {
    ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "README.md", "CHANGELOG.md"],
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "test": "vitest run --root ../.. --dir packages/$name"
  },
  "publishConfig": { "access": "public" },
  "engines": { "node": ">=20" }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "." },
  "include": ["src", "test", "bench"]
}
JSON
cat > "$dir/tsup.config.ts" <<TS
import { defineConfig } from 'tsup';
import { BUILD_DEFAULTS } from '../../tsup.config.base.js';

export default defineConfig({ ...BUILD_DEFAULTS, entry: ['src/index.ts'] });
TS
[ -f "$dir/README.md" ] || printf '# @pointclick/%s\n\n%s\n' "$name" "$description" > "$dir/README.md"
[ -f "$dir/CHANGELOG.md" ] || printf '# @pointclick/%s\n' "$name" > "$dir/CHANGELOG.md"
[ -f "$dir/src/index.ts" ] || printf 'export {};\n' > "$dir/src/index.ts"
