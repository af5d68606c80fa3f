// Added latency of the safety filters, side by side with the no-filter path:
// - pre-model: the input check of a question plus the untrusted-text check of five retrieved 1 kB chunks;
// - post-model: the streaming redactor over an answer of 1,000 tokens arriving in ~4-character deltas,
//   and the final whole-answer check with the citation check;
// - the redactor's hold-back: how many tokens arrive before it releases its first character (that delay is
//   added to the time to first token) and how long each character waits, in tokens and in milliseconds at
//   the model's inter-token gap (`--token-gap-ms`, default 9.2 ms: the model server's p50 in chat-latency.ts).
// Run: npx tsx bench/safety-latency.ts [--token-gap-ms 9.2]
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkCitations } from '../domain/safety/citation-check.js';
import { createDefaultDetectors, createOutputDetectors } from '../domain/safety/detectors/default-detectors.js';
import { evaluateText } from '../domain/safety/policy-engine.js';
import { defaultSafetyPolicy, resolveSafetyPolicy, type StagePolicy } from '../domain/safety/safety-policy.js';
import { StreamingRedactor } from '../domain/safety/streaming-redactor.js';

const iterations = 200;
const allDetectors = createDefaultDetectors();
const outputDetectors = createOutputDetectors();

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const words = 'the workflow retries activities while the client keeps its stream and every answer cites the documents it used for context'.split(' ');
const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
/** Numbers differ at every occurrence, as they would in real answers. */
const extras: (() => string)[] = [
  () => 'ops@example.com', () => `+1 415-555-${digits(4)}`, () => `4${digits(3)} ${digits(4)} ${digits(4)} ${digits(4)}`, () => `192.0.2.${digits(2)}`,
  () => '[1]', () => '[2]', () => 'Temporal', () => 'Qdrant', () => `2024-0${digits(1)}-1${digits(1)}`, () => digits(2),
];
function prose(characters: number): string {
  let text = '';
  while (text.length < characters) text += (random() < 0.03 ? extras[Math.floor(random() * extras.length)]!() : words[Math.floor(random() * words.length)]) + (random() < 0.08 ? '. ' : ' ');
  return text.slice(0, characters);
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! };
}

/** Times `work` over `iterations` runs after 20 warm-up runs; each run gets its own index, so its own text. */
function measure(work: (run: number) => void): { p50: number; p99: number } {
  for (let warm = 0; warm < 20; warm += 1) work(iterations + warm);
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const start = performance.now();
    work(index);
    samples.push(performance.now() - start);
  }
  return percentiles(samples);
}

const question = 'How does the chat workflow resume a failed generation, and can you email the summary to ops@example.com?';
// Every run checks different text (the detectors may remember recent answers, as the phone detector does
// for the stream's repeated scans; repeating one text would measure that memory, not the filters).
const runs = iterations + 20;
const chunkSets = Array.from({ length: runs }, () => Array.from({ length: 5 }, () => prose(1000)));
/** ~4 characters per token, deltas of one token. */
const answers = Array.from({ length: runs }, () => prose(4000));
const deltaSets = answers.map((text) => text.match(/[\s\S]{1,4}/g) ?? []);
const answer = answers[0]!;
const deltas = deltaSets[0]!;
const tokenGapMs = Number(parseArgs({ options: { 'token-gap-ms': { type: 'string', default: '9.2' } } }).values['token-gap-ms']);

let sink = 0;
const rows: [string, { p50: number; p99: number }, { p50: number; p99: number }][] = [];

rows.push(['pre-model, per request', measure((run) => {
  sink += question.length + chunkSets[run]!.reduce((sum, chunk) => sum + chunk.length, 0);
}), measure((run) => {
  sink += evaluateText(question, allDetectors, defaultSafetyPolicy.input).reasons.length;
  for (const chunk of chunkSets[run]!) sink += evaluateText(chunk, allDetectors, defaultSafetyPolicy.untrusted).redactedText.length;
})]);

rows.push(['stream, per 1k tokens', measure((run) => {
  let published = '';
  for (const delta of deltaSets[run]!) published += delta;
  sink += published.length;
}), measure((run) => {
  const redactor = new StreamingRedactor({ detectors: outputDetectors, policy: defaultSafetyPolicy.output });
  let published = '';
  for (const delta of deltaSets[run]!) published += redactor.push(delta).text;
  published += redactor.end().text;
  sink += published.length;
})]);

rows.push(['post-model final check', measure((run) => {
  sink += answers[run]!.length;
}), measure((run) => {
  sink += evaluateText(answers[run]!, outputDetectors, defaultSafetyPolicy.output).reasons.length + checkCitations(answers[run]!, 5).cited.length;
})]);

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(11);
console.log(`${iterations} runs each; question ${question.length} chars, 5 chunks × 1000 chars, answer ${answer.length} chars in ${deltas.length} deltas`);
console.log('path                      no filter p50   p99        | with filters p50   p99        | added p50');
for (const [label, without, withFilters] of rows) {
  console.log(`${label.padEnd(25)} ${ms(without.p50)} ${ms(without.p99)} | ${ms(withFilters.p50)} ${ms(withFilters.p99)} | ${ms(withFilters.p50 - without.p50)}`);
}
if (sink < 0) console.log(sink);

// --- hold-back --------------------------------------------------------------------------------------------
/** Deltas shaped like a tokenizer's: a word piece of up to four characters, with the space before it. */
const tokenize = (text: string) => text.match(/\s*\S{1,4}|\s+/g) ?? [];
const corpusDirectory = new URL('../samples/corpus/', import.meta.url);
const corpusProse = readdirSync(corpusDirectory).sort().map((name) => readFileSync(new URL(name, corpusDirectory), 'utf8').replace(/<[^>]+>/g, '')).join('\n');

interface HoldBack { firstTokens: number; firstChars: number; perCharacter: { p50: number; p99: number } }

function holdBack(text: string, policy: StagePolicy): HoldBack {
  const tokens = tokenize(text);
  const redactor = new StreamingRedactor({ detectors: outputDetectors, policy });
  const releasedAfter: number[] = [];
  let received = 0;
  let firstTokens = -1;
  let firstChars = 0;
  tokens.forEach((token, index) => {
    received += token.length;
    redactor.push(token);
    if (firstTokens < 0 && redactor.releasedLength > 0) {
      firstTokens = index + 1;
      firstChars = received;
    }
    while (releasedAfter.length < redactor.releasedLength) releasedAfter.push(index);
  });
  redactor.end();
  const arrivedAt: number[] = tokens.flatMap((token, index) => Array<number>(token.length).fill(index));
  const waits = arrivedAt.map((arrived, character) => (releasedAfter[character] ?? tokens.length) - arrived);
  return { firstTokens, firstChars, perCharacter: percentiles(waits) };
}

const toxicityAllowed = resolveSafetyPolicy({ output: { toxicity: { action: 'allow' } } }).output;
console.log(`\nhold-back of the output filter (tokens of ≤ 4 characters; ms at ${tokenGapMs} ms per token)`);
console.log('text, policy                         first release after        wait per character p50 / p99');
for (const [label, text] of [['sample corpus prose', corpusProse], ['synthetic answer', answer]] as const) {
  for (const [policyLabel, policy] of [['default', defaultSafetyPolicy.output], ['toxicity allowed', toxicityAllowed]] as const) {
    const figures = holdBack(text, policy);
    const first = `${figures.firstTokens} tokens / ${figures.firstChars} chars (${(figures.firstTokens * tokenGapMs).toFixed(1)} ms)`;
    const wait = `${figures.perCharacter.p50} / ${figures.perCharacter.p99} tokens (${(figures.perCharacter.p50 * tokenGapMs).toFixed(1)} / ${(figures.perCharacter.p99 * tokenGapMs).toFixed(1)} ms)`;
    console.log(`${`${label}, ${policyLabel}`.padEnd(36)} ${first.padEnd(26)} ${wait}`);
  }
}
