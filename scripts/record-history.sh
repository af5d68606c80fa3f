#!/usr/bin/env bash
# Saves a workflow's history as a replay fixture: scripts/record-history.sh <workflowId> <name>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/.venv/bin/temporal" workflow show --workflow-id "$1" --output json --address "${TEMPORAL_ADDRESS:-127.0.0.1:7233}" \
  > "$root/test/fixtures/histories/$2.json"
echo "recorded $1 → test/fixtures/histories/$2.json"
