#!/usr/bin/env bash
# Transpiles the runtime TypeScript to ESM JavaScript under dist/ (one file per source, no bundling: the
# imports already end in .js, and the Temporal worker bundles the workflow sources itself), and copies the
# files the code reads at run time (migrations, JSON weights, Python servers). ./ragtime up runs dist/;
# tests and scripts run the sources through tsx. The image build (infra/deploy/docker/Dockerfile) runs
# this same script, so the image holds exactly what ./ragtime up runs.
#   scripts/build.sh [OUTPUT_DIR]     default dist (relative to the repository root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
out="${1:-dist}"
dirs="api clients workers workflows activities domain ingestion infra"
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086
find $dirs -name '*.ts' ! -name '*.d.ts' ! -name '*.test.ts' -not -path 'infra/deploy/*' -print0 \
  | xargs -0 esbuild --outdir="$out" --outbase=. --platform=node --format=esm --target=node24 --sourcemap --log-level=warning
# shellcheck disable=SC2086
find $dirs -type f \( -name '*.json' -o -name '*.sql' -o -name '*.py' -o -name '*.jinja' \) -not -path 'infra/deploy/*' -not -path '*/__pycache__/*' -exec cp --parents {} "$out/" \;
test -f "$out/api/server.js"
test -f "$out/workers/chat-worker.js"
test -f "$out/workers/ingestion-worker.js"
