#!/bin/sh
# Chooses the process the container runs. `exec` keeps node as tini's direct child so that
# SIGTERM reaches it and graceful shutdown can run.
set -eu

role="${1:-api}"
[ "$#" -gt 0 ] && shift

case "$role" in
  api) exec node dist/api/server.js "$@" ;;
  chat-worker) exec node dist/workers/chat-worker.js "$@" ;;
  ingestion-worker) exec node dist/workers/ingestion-worker.js "$@" ;;
  node) exec node "$@" ;;
  *)
    echo "ragtime: unknown role '$role' (expected api, chat-worker, ingestion-worker or node)" >&2
    exit 64
    ;;
esac
