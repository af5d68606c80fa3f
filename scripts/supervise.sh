#!/usr/bin/env bash
# Keeps one stack component running: starts `command...` in its own process group, and when it exits on its
# own (a crash, an unhandled error, the OOM killer) logs why and starts it again: after 1 s, doubling for
# each crash that follows a run shorter than SUPERVISE_STABLE_SECONDS (60) up to SUPERVISE_MAX_DELAY (30 s),
# so a component that cannot start (bad config, a port taken) does not spin the CPU. The component's pid
# and its restart count are in $RAGTIME_DATA_DIR/pids (read by `./ragtime status`). SIGTERM stops the
# component (its whole group) and the supervisor, also while it waits to restart.
#   bash scripts/supervise.sh NAME command...
set -uo pipefail
name="$1"; shift
data="${RAGTIME_DATA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data}"
mkdir -p "$data/pids"
child=""
stopping=0
stop() {
  stopping=1
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM -- "-$child" 2>/dev/null || kill -TERM "$child"
    wait "$child" 2>/dev/null
  fi
  rm -f "$data/pids/$name.child"
  exit 0
}
trap stop TERM INT
stable_seconds="${SUPERVISE_STABLE_SECONDS:-60}"
max_delay="${SUPERVISE_MAX_DELAY:-30}"
restarts=0
delay=1
echo 0 >"$data/pids/$name.restarts"
while true; do
  started=$SECONDS
  setsid "$@" &
  child=$!
  echo "$child" >"$data/pids/$name.child"
  wait "$child"
  status=$?
  [ "$stopping" = 1 ] && break
  # The component may have left children in its group (tsx runs node as a child): end them before restarting.
  kill -KILL -- "-$child" 2>/dev/null
  restarts=$((restarts + 1))
  echo "$restarts" >"$data/pids/$name.restarts"
  if [ $((SECONDS - started)) -ge "$stable_seconds" ]; then delay=1; fi
  echo "[supervise] $(date -u +%FT%TZ) $name exited with status $status; restart $restarts in $delay s" >&2
  # In the background so SIGTERM stops the supervisor at once, not after the delay.
  sleep "$delay" &
  wait $!
  [ "$stopping" = 1 ] && break
  delay=$((delay * 2 > max_delay ? max_delay : delay * 2))
done
