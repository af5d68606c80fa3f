#!/usr/bin/env bash
# Transpiles the runtime TypeScript to ESM JavaScript under dist/ (one file per source, no bundling: the
# imports already end in .js, and the Temporal worker bundles the workflow sources itself), and copies the
# files the code reads at run time (migrations, JSON weights, Python servers). ./ragtime up runs dist/;
# tests and scripts run the sources through tsx.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
dirs="api workers workflows activities domain ingestion infra"
rm -rf dist
# shellcheck disable=SC2086
find $dirs -name '*.ts' ! -name '*.d.ts' ! -name '*.test.ts' -not -path 'infra/deploy/*' -print0 \
  | xargs -0 esbuild --outdir=dist --outbase=. --platform=node --format=esm --target=node24 --sourcemap --log-level=warning
# shellcheck disable=SC2086
find $dirs -type f \( -name '*.json' -o -name '*.sql' -o -name '*.py' -o -name '*.jinja' \) -not -path 'infra/deploy/*' -not -path '*/__pycache__/*' -exec cp --parents {} dist/ \;
test -f dist/api/server.js && test -f dist/workers/chat-worker.js && test -f dist/workers/ingestion-worker.js
