// Time to first token and per-token relay through Ragtime vs. the same prompt sent directly to the same
// model server, interleaved in one run. Needs the local stack: ./ragtime up
//   npx tsx bench/chat-latency.ts [--runs 24] [--api ws://127.0.0.1:8787/v1/chat/ws] [--model http://127.0.0.1:8091/v1]
//     [--api-key-file .data/dev-api-key] [--unfiltered-api-key-file F] [--question '…']
// With --unfiltered-api-key-file (the key of an org whose output policy allows every category, e.g.
//   tsx scripts/admin.ts safety set bench-raw '{"output":{"email":{"action":"allow"},…}}') a third series shows
// the relay without the output filter's hold-back, so the filter's share of the added latency is visible.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { readServerSentEvents } from '../infra/llm/server-sent-events.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1] ?? fallback;
};
const runs = Number(option('runs', '24'));
const apiUrl = option('api', 'ws://127.0.0.1:8787/v1/chat/ws');
const modelUrl = option('model', 'http://127.0.0.1:8091/v1');
const modelName = option('model-name', 'smollm2-135m-instruct');
const apiKey = readFileSync(option('api-key-file', '.data/dev-api-key'), 'utf8').trim();
const unfilteredKeyFile = option('unfiltered-api-key-file', '');
const unfilteredKey = unfilteredKeyFile ? readFileSync(unfilteredKeyFile, 'utf8').trim() : undefined;
const maxTokens = 48;
const question = option('question', 'Explain in three sentences why the sky is blue.');

interface Sample {
  ttftMs: number;
  gapsMs: number[];
  /** Ragtime only: when each step's first event reached the client, ms after the request was sent. */
  steps?: Record<string, number>;
}

async function direct(): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(`${modelUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: modelName, max_tokens: maxTokens, stream: true, temperature: 0.7,
      messages: [{ role: 'system', content: 'You are Ragtime, a concise and accurate assistant.' }, { role: 'user', content: question }],
    }),
  });
  const arrivals: number[] = [];
  for await (const data of readServerSentEvents(response.body!)) {
    if (data === '[DONE]') break;
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
    if (chunk.choices?.[0]?.delta?.content) arrivals.push(performance.now());
  }
  return { ttftMs: arrivals[0]! - started, gapsMs: gaps(arrivals) };
}

function throughRagtime(socket: WebSocket): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const requestId = randomUUID();
    const arrivals: number[] = [];
    const steps: Record<string, number> = {};
    const started = performance.now();
    const onMessage = (raw: WebSocket.RawData) => {
      const event = JSON.parse(raw.toString()) as { type: string; requestId?: string; data: unknown };
      if (event.requestId !== requestId) return;
      steps[event.type] ??= performance.now() - started;
      if (event.type === 'answer.delta') arrivals.push(performance.now());
      if (event.type === 'error') reject(new Error(JSON.stringify(event.data)));
      if (event.type === 'answer.done') {
        socket.off('message', onMessage);
        resolve({ ttftMs: arrivals[0]! - started, gapsMs: gaps(arrivals), steps });
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'chat', requestId, message: question, maxTokens }));
  });
}

function gaps(arrivals: number[]): number[] {
  return arrivals.slice(1).map((time, index) => time - arrivals[index]!);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function open(key: string): Promise<WebSocket> {
  const socket = new WebSocket(apiUrl, { headers: { authorization: `Bearer ${key}` } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

async function main(): Promise<void> {
  const socket = await open(apiKey);
  const rawSocket = unfilteredKey ? await open(unfilteredKey) : undefined;
  await direct();
  await throughRagtime(socket);
  if (rawSocket) await throughRagtime(rawSocket);
  const ours: Sample[] = [];
  const raw: Sample[] = [];
  const theirs: Sample[] = [];
  for (let run = 0; run < runs; run += 1) {
    theirs.push(await direct());
    ours.push(await throughRagtime(socket));
    if (rawSocket) raw.push(await throughRagtime(rawSocket));
  }
  socket.close();
  rawSocket?.close();

  const row = (label: string, a: number, b: number) =>
    console.log(`${label.padEnd(28)} ${a.toFixed(1).padStart(9)} ${b.toFixed(1).padStart(9)} ${(a - b).toFixed(1).padStart(9)} ${(a / b).toFixed(2).padStart(7)}`);
  const table = (title: string, series: Sample[]) => {
    const ttft = series.map((sample) => sample.ttftMs);
    const ttftDirect = theirs.map((sample) => sample.ttftMs);
    const seriesGaps = series.flatMap((sample) => sample.gapsMs);
    const directGaps = theirs.flatMap((sample) => sample.gapsMs);
    console.log(`\n${'metric (ms)'.padEnd(28)} ${title.padStart(9)} ${'direct'.padStart(9)} ${'added'.padStart(9)} ${'ratio'.padStart(7)}`);
    row('time to first token p50', percentile(ttft, 50), percentile(ttftDirect, 50));
    row('time to first token p95', percentile(ttft, 95), percentile(ttftDirect, 95));
    row('inter-token gap p50', percentile(seriesGaps, 50), percentile(directGaps, 50));
    row('inter-token gap p99', percentile(seriesGaps, 99), percentile(directGaps, 99));
    const stepNames = ['plan', 'model.selected', 'answer.delta'];
    console.log(`${title} step arrival p50 (ms after send): ${stepNames.map((name) => `${name} ${percentile(series.map((sample) => sample.steps![name]!), 50).toFixed(1)}`).join(' · ')}`);
  };
  console.log(`${runs} runs each, interleaved; prompt "${question}", max ${maxTokens} tokens`);
  table('ragtime', ours);
  if (rawSocket) table('unfilt.', raw);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
