#!/usr/bin/env bash
# Starts the local stack in the background (Temporal dev server with Web UI, model server, chat worker, API),
# waits for each to be ready, then runs the main job: one chat streamed over the WebSocket.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$root/.venv/bin:$PATH"
data="${RAGTIME_DATA_DIR:-$root/.data}"
mkdir -p "$data/logs" "$data/pids"
log() { printf '\033[1;34m[up]\033[0m %s\n' "$*"; }

temporal_port="${TEMPORAL_PORT:-7233}"
temporal_ui_port="${TEMPORAL_UI_PORT:-8233}"
model_port="${MODEL_PORT:-8091}"
api_port="${API_PORT:-8787}"
embeddings_port="${EMBEDDINGS_PORT:-8092}"
export TEMPORAL_ADDRESS="127.0.0.1:$temporal_port"
export TEMPORAL_UI_URL="http://127.0.0.1:$temporal_ui_port"
export LLM_BASE_URL="http://127.0.0.1:$model_port/v1"
export EMBEDDINGS_BASE_URL="http://127.0.0.1:$embeddings_port/v1"
export API_PORT="$api_port"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ragtime}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
# For `./ragtime status`: where this stack listens.
printf 'TEMPORAL_PORT=%s\nMODEL_PORT=%s\nEMBEDDINGS_PORT=%s\nAPI_PORT=%s\n' "$temporal_port" "$model_port" "$embeddings_port" "$api_port" >"$data/stack.env"

running() { [ -f "$data/pids/$1" ] && kill -0 "$(cat "$data/pids/$1")" 2>/dev/null; }
start() { # name, command...
  local name="$1"; shift
  if running "$name"; then log "$name already running"; return; fi
  # Own session and process group, so `down` stops launchers (tsx) and what they started.
  setsid nohup "$@" >"$data/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$data/pids/$name"
}
wait_for() { # name, seconds, check command...
  local name="$1" seconds="$2"; shift 2
  for _ in $(seq 1 "$((seconds * 2))"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    running "$name" || { echo "$name exited; see $data/logs/$name.log:" >&2; tail -n 20 "$data/logs/$name.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$name not ready after ${seconds}s; see $data/logs/$name.log" >&2; exit 1
}

log "Temporal dev server (SQLite at .data/temporal.db; task-queue fairness on, so one tenant's ingestion cannot starve another's)"
# WAL with synchronous=NORMAL: a commit survives a crash of the server process, and a workflow start no
# longer waits for an fsync of the whole journal (production runs Temporal on its own database cluster).
start temporal temporal server start-dev --ip 127.0.0.1 --port "$temporal_port" --ui-port "$temporal_ui_port" \
  --db-filename "$data/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal --log-level warn \
  --dynamic-config-value matching.useNewMatcher=true --dynamic-config-value matching.enableFairness=true
wait_for temporal 60 temporal operator cluster health --address "$TEMPORAL_ADDRESS"

# The chat model: LLM_MODEL names one of infra/model-server/chat-models.json (default: its "default",
# Qwen2.5-Coder-0.5B-Instruct; LLM_MODEL=smollm2-135m-instruct serves the small, fast SmolLM2 instead).
export LLM_MODEL="${LLM_MODEL:-$(python -c 'import json; print(json.load(open("infra/model-server/chat-models.json"))["default"])')}"
log "model server (llama.cpp, $LLM_MODEL from PyPI) on :$model_port"
start model-server python infra/model-server/serve.py --model "$LLM_MODEL" --port "$model_port"
wait_for model-server 60 curl -sf "http://127.0.0.1:$model_port/health"

# The embedding model: EMBEDDINGS_MODEL names one of infra/embeddings/embedding-models.json (default: its "default").
# The config takes its dimensions and score-fusion weight from there too. The collection name carries the model,
# so switching keeps both indexes.
export EMBEDDINGS_MODEL="${EMBEDDINGS_MODEL:-$(python -c 'import json; print(json.load(open("infra/embeddings/embedding-models.json"))["default"])')}"
log "embedding server ($EMBEDDINGS_MODEL, ONNX on CPU) on :$embeddings_port"
start embedding-server python infra/embeddings/embedding-server.py --model "$EMBEDDINGS_MODEL" --port "$embeddings_port"
wait_for embedding-server 120 curl -sf "http://127.0.0.1:$embeddings_port/health"

log "development identity: org 'dev', user 'dev', API key in .data/dev-api-key (see scripts/admin.ts)"
tsx scripts/admin.ts dev-key --out "$data/dev-api-key" --actor "stack-up"

# The services run the JavaScript that scripts/setup.sh transpiled into dist/ (scripts/build.sh), not tsx, each under a
# supervisor that restarts it if it dies (scripts/supervise.sh).
log "chat worker"
start chat-worker bash scripts/supervise.sh chat-worker node dist/workers/chat-worker.js
log "ingestion worker"
start ingestion-worker bash scripts/supervise.sh ingestion-worker node dist/workers/ingestion-worker.js
log "API on :$api_port"
# A chat worker inside the API: chat turns start eagerly (no dispatch round before the first step).
API_EMBEDDED_WORKER=true start api bash scripts/supervise.sh api node dist/api/server.js
wait_for api 60 curl -sf "http://127.0.0.1:$api_port/readyz"
sleep 1

log "ingesting the sample corpus (samples/corpus) for org 'dev'"
tsx scripts/ingest.ts samples/corpus --tenant dev

log "asking a question over ws://127.0.0.1:$api_port/v1/chat/ws"
tsx scripts/chat-client.ts --url "ws://127.0.0.1:$api_port/v1/chat/ws" --api-key-file "$data/dev-api-key" "${@:-How long does the Orbitra outdoor sensor run on its batteries?}"
echo
# The web client opens signed in with the development key: it travels in the URL's fragment, which the browser
# keeps to itself (never sent to a server) and the client removes from the address bar once read.
web_url="http://127.0.0.1:$api_port/"
if [ "${NODE_ENV:-development}" = development ]; then web_url="$web_url#dev-key=$(cat "$data/dev-api-key")"; fi
log "web client $web_url"
log "status (./ragtime status):"
bash scripts/stack-status.sh || true
log "stack is running: Temporal UI $TEMPORAL_UI_URL · web client http://127.0.0.1:$api_port/ · chat ws://127.0.0.1:$api_port/v1/chat/ws · OpenAI-compatible http://127.0.0.1:$api_port/v1 (key in .data/dev-api-key) · logs .data/logs · stop with ./ragtime down"
