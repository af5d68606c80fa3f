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

function classification(file: string, positive: string, flags: (text: string) => boolean): { score: Score; bySource: Map<string, { total: number; flagged: number }> } {
  const score: Score = { truePositives: 0, predicted: 0, actual: 0, found: 0 };
  const bySource = new Map<string, { total: number; flagged: number }>();
  for (const line of readLines<{ text: string; label: string; source: string }>(file)) {
    const flagged = flags(line.text);
    const isPositive = line.label === positive;
    if (flagged) score.predicted += 1;
    if (isPositive) score.actual += 1;
    if (flagged && isPositive) { score.truePositives += 1; score.found += 1; }
    const source = `${line.label}: ${line.source.replace(/\[\d+\].*$|#.*$/, '')}`;
    const entry = bySource.get(source) ?? { total: 0, flagged: 0 };
    entry.total += 1;
    if (flagged) entry.flagged += 1;
    bySource.set(source, entry);
    if (process.argv.includes('--verbose') && flagged !== isPositive) console.log(`  ${isPositive ? 'missed' : 'false positive'}: ${JSON.stringify(line.text.slice(0, 160))}`);
  }
  return { score, bySource };
}

function row(label: string, score: Score): string {
  const precision = ratio(score.truePositives, score.predicted);
  const recall = ratio(score.found, score.actual);
  return `${label.padEnd(22)} ${format(precision)}     ${format(recall)}   ${String(score.actual).padStart(6)} ${String(score.predicted).padStart(9)}`;
}

console.log('category               precision  recall   labelled predicted');
const pii = personalData();
const total: Score = { truePositives: 0, predicted: 0, actual: 0, found: 0 };
for (const [category, score] of pii) {
  console.log(row(category, score));
  total.truePositives += score.truePositives; total.predicted += score.predicted; total.actual += score.actual; total.found += score.found;
}
console.log(row('structured (all)', total));

const injectionDetector = createPromptInjectionDetector();
const injection = classification('injection-eval.jsonl', 'injection', (text) => injectionDetector.detect(text).length > 0);
console.log(row('prompt_injection', injection.score));
const toxicityDetector = createToxicityDetector();
const toxicity = classification('toxicity-eval.jsonl', 'toxic', (text) => toxicityDetector.detect(text).some((finding) => finding.confidence >= 0.6));
console.log(row('toxicity', toxicity.score));

console.log('\nprompt injection by source (flagged / total)');
for (const [source, entry] of injection.bySource) console.log(`  ${String(entry.flagged).padStart(3)} / ${String(entry.total).padEnd(3)} ${source}`);

const worstStructured = [...pii.values()].filter((score) => score.actual > 0);
const piiRecall = Math.min(...worstStructured.map((score) => ratio(score.found, score.actual)));
const piiPrecision = Math.min(...worstStructured.map((score) => ratio(score.truePositives, score.predicted)));
const injectionRecall = ratio(injection.score.found, injection.score.actual);
const heldOut = [...injection.bySource].filter(([source]) => source.includes('held out')).reduce((sum, [, entry]) => ({ total: sum.total + entry.total, flagged: sum.flagged + entry.flagged }), { total: 0, flagged: 0 });
console.log(`\ntargets: structured PII recall ≥ 0.95 at precision ≥ 0.9 per category: ${piiRecall >= 0.95 && piiPrecision >= 0.9 ? 'met' : 'NOT met'} (worst recall ${format(piiRecall)}, worst precision ${format(piiPrecision)})`);
console.log(`         injection recall ≥ 0.8: ${injectionRecall >= 0.8 ? 'met' : 'NOT met'} (${format(injectionRecall)}); on the held-out in-the-wild sample alone: ${format(ratio(heldOut.flagged, heldOut.total))}`);
