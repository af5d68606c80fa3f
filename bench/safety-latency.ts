// Added latency of the safety filters, side by side with the no-filter path:
// - pre-model: the input check of a question plus the untrusted-text check of five retrieved 1 kB chunks;
// - post-model: the streaming redactor over an answer of 1,000 tokens arriving in ~4-character deltas,
//   and the final whole-answer check with the citation check.
// Run: npx tsx bench/safety-latency.ts
import { checkCitations } from '../domain/safety/citation-check.js';
import { createDefaultDetectors, createOutputDetectors } from '../domain/safety/detectors/default-detectors.js';
import { evaluateText } from '../domain/safety/policy-engine.js';
import { defaultSafetyPolicy } from '../domain/safety/safety-policy.js';
import { StreamingRedactor } from '../domain/safety/streaming-redactor.js';

const iterations = 200;
const allDetectors = createDefaultDetectors();
const outputDetectors = createOutputDetectors();

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const words = 'the workflow retries activities while the client keeps its stream and every answer cites the documents it used for context'.split(' ');
const extras = ['ops@example.com', '+1 415-555-2671', '4111 1111 1111 1111', '192.0.2.10', '[1]', '[2]', 'Temporal', 'Qdrant', '2024-05-01', '42'];
function prose(characters: number): string {
  let text = '';
  while (text.length < characters) text += (random() < 0.03 ? extras[Math.floor(random() * extras.length)] : words[Math.floor(random() * words.length)]) + (random() < 0.08 ? '. ' : ' ');
  return text.slice(0, characters);
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! };
}

function measure(work: () => void): { p50: number; p99: number } {
  for (let warm = 0; warm < 20; warm += 1) work();
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return percentiles(samples);
}

const question = 'How does the chat workflow resume a failed generation, and can you email the summary to ops@example.com?';
const chunks = Array.from({ length: 5 }, () => prose(1000));
/** ~4 characters per token, deltas of one token. */
const answer = prose(4000);
const deltas = answer.match(/[\s\S]{1,4}/g) ?? [];

let sink = 0;
const rows: [string, { p50: number; p99: number }, { p50: number; p99: number }][] = [];

rows.push(['pre-model, per request', measure(() => {
  sink += question.length + chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}), measure(() => {
  sink += evaluateText(question, allDetectors, defaultSafetyPolicy.input).reasons.length;
  for (const chunk of chunks) sink += evaluateText(chunk, allDetectors, defaultSafetyPolicy.untrusted).redactedText.length;
})]);

rows.push(['stream, per 1k tokens', measure(() => {
  let published = '';
  for (const delta of deltas) published += delta;
  sink += published.length;
}), measure(() => {
  const redactor = new StreamingRedactor({ detectors: outputDetectors, policy: defaultSafetyPolicy.output });
  let published = '';
  for (const delta of deltas) published += redactor.push(delta).text;
  published += redactor.end().text;
  sink += published.length;
})]);

rows.push(['post-model final check', measure(() => {
  sink += answer.length;
}), measure(() => {
  sink += evaluateText(answer, outputDetectors, defaultSafetyPolicy.output).reasons.length + checkCitations(answer, 5).cited.length;
})]);

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(11);
console.log(`${iterations} runs each; question ${question.length} chars, 5 chunks × 1000 chars, answer ${answer.length} chars in ${deltas.length} deltas`);
console.log('path                      no filter p50   p99        | with filters p50   p99        | added p50');
for (const [label, without, withFilters] of rows) {
  console.log(`${label.padEnd(25)} ${ms(without.p50)} ${ms(without.p99)} | ${ms(withFilters.p50)} ${ms(withFilters.p99)} | ${ms(withFilters.p50 - without.p50)}`);
}
if (sink < 0) console.log(sink);
