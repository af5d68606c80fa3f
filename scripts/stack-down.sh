#!/usr/bin/env bash
# Stops what scripts/stack-up.sh started (PostgreSQL and Redis are shared services and keep running).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for name in api ingestion-worker chat-worker embedding-server model-server temporal; do
  file="${RAGTIME_DATA_DIR:-$root/.data}/pids/$name"
  [ -f "$file" ] || continue
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid"
    echo "stopped $name"
  fi
  rm -f "$file"
done
