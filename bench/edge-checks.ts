// What the edge checks of issue 13 add to a request's path before its workflow starts (and so to its time to
// first token): the chat frame as the WebSocket parsed it before (JSON.parse + schema check) against
// parseClientMessage now (depth scan, parse, schema check, NUL/surrogate walk), and a /v1/chat/completions
// body through secure-json-parse alone against the edge's parser and text check. Same inputs, interleaved in
// one run, p50 and p99 in microseconds.
//   npx tsx bench/edge-checks.ts [--runs 20000]
import { TypeCompiler } from '@sinclair/typebox/compiler';
import secureJson from 'secure-json-parse';
import { ChatMessageSchema, parseClientMessage } from '../api/chat/client-messages.js';
import { findUnsafeText, jsonDepthExceeds } from '../api/edge/payload-budget.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 20_000);
const chatCheck = TypeCompiler.Compile(ChatMessageSchema);
const question = 'How long does the Orbitra outdoor sensor run on its batteries? Answer briefly and cite the manual. '.repeat(20);
const frame = JSON.stringify({ type: 'chat', requestId: 'r-1', conversationId: 'c-1', message: question, maxTokens: 256 });
const body = JSON.stringify({ model: 'smollm2-135m-instruct', max_tokens: 256, messages: [{ role: 'system', content: 'Be brief.' }, ...Array.from({ length: 8 }, (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: question }))] });

const variants: Record<string, () => unknown> = {
  'ws frame, before': () => { const value = JSON.parse(frame); if (!chatCheck.Check(value)) throw new Error('invalid'); return value; },
  'ws frame, now': () => { const parsed = parseClientMessage(frame, 64 * 1024); if (!parsed.ok) throw new Error(parsed.message); return parsed; },
  'http body, before': () => secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }),
  'http body, now': () => {
    if (jsonDepthExceeds(body) !== undefined) throw new Error('deep');
    const value: unknown = secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
    if (findUnsafeText(value)) throw new Error('unsafe');
    return value;
  },
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < runs; round += 1) {
  for (const [name, variant] of Object.entries(variants)) {
    const started = process.hrtime.bigint();
    variant();
    samples[name]!.push(Number(process.hrtime.bigint() - started) / 1000);
  }
}
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
console.log(`frame ${frame.length} B, body ${body.length} B, ${runs} runs each, interleaved`);
console.log('variant'.padEnd(20), 'p50 µs'.padStart(9), 'p99 µs'.padStart(9));
for (const [name, values] of Object.entries(samples)) console.log(name.padEnd(20), quantile(values, 0.5).toFixed(1).padStart(9), quantile(values, 0.99).toFixed(1).padStart(9));
for (const kind of ['ws frame', 'http body']) {
  const added = quantile(samples[`${kind}, now`]!, 0.5) - quantile(samples[`${kind}, before`]!, 0.5);
  console.log(`${kind}: the edge checks add ${added.toFixed(1)} µs at p50 (${(added / 1000).toFixed(3)} ms; budget 1 ms)`);
}
