#!/usr/bin/env bash
# `./ragtime status`: each component of the local stack, whether its process runs, how often its supervisor
# restarted it, and whether it answers its health check. Exit status 0 only when every component is healthy.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${RAGTIME_DATA_DIR:-$root/.data}"
export PATH="$root/node_modules/.bin:$root/.venv/bin:$PATH"
# Ports of the running stack (written by stack-up.sh); the defaults otherwise.
[ -f "$data/stack.env" ] && . "$data/stack.env"
temporal_port="${TEMPORAL_PORT:-7233}" model_port="${MODEL_PORT:-8091}" embeddings_port="${EMBEDDINGS_PORT:-8092}" api_port="${API_PORT:-8787}"

healthy() { # name: the component's own health check
  case "$1" in
    temporal) temporal operator cluster health --address "127.0.0.1:$temporal_port" >/dev/null 2>&1 ;;
    model-server) curl -sf --max-time 2 "http://127.0.0.1:$model_port/health" >/dev/null ;;
    embedding-server) curl -sf --max-time 2 "http://127.0.0.1:$embeddings_port/health" >/dev/null ;;
    api) curl -sf --max-time 3 "http://127.0.0.1:$api_port/readyz" >/dev/null ;;
    *) return 0 ;; # workers: running is their health (they report to Temporal, not over HTTP)
  esac
}

all=0
printf '%-18s %-9s %-9s %s\n' component process restarts health
for name in ${RAGTIME_STATUS_COMPONENTS:-temporal model-server embedding-server chat-worker ingestion-worker api}; do
  pidfile="$data/pids/$name"
  [ -f "$data/pids/$name.child" ] && pidfile="$data/pids/$name.child"
  process=stopped
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && process=running
  restarts="-"
  [ -f "$data/pids/$name.restarts" ] && restarts="$(cat "$data/pids/$name.restarts")"
  health=down
  [ "$process" = running ] && healthy "$name" && health=ok
  [ "$health" = ok ] || all=1
  printf '%-18s %-9s %-9s %s\n' "$name" "$process" "$restarts" "$health"
done
exit "$all"
