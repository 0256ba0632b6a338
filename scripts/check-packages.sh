#!/usr/bin/env bash
# Checks every public package as npm would ship it (run after `pnpm build`): publint (package.json fields,
# exports, files) and @arethetypeswrong/cli (types resolve for every export under node16 ESM and bundlers).
# Both pack the package locally (`pnpm pack`), so nothing is fetched. Fails on the first package with a problem.
set -euo pipefail
cd "$(dirname "$0")/.."
for directory in packages/*/; do
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$PWD/${directory}package.json"; then continue; fi
  printf '\n== %s\n' "${directory%/}"
  (cd "$directory" && publint --strict --pack pnpm && attw --pack . --profile esm-only --format table-flipped --quiet)
done
