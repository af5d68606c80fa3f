// A minimal Ragtime chat client: sends one question over the WebSocket and prints the streamed answer,
// then the run's Temporal UI link. Usage: tsx scripts/chat-client.ts [--url ws://…] --api-key-file f question…
// (`./ragtime up` writes a development key to .data/dev-api-key.)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const [, value] = args.splice(index, 2);
  return value ?? fallback;
};
const url = option('url', 'ws://127.0.0.1:8787/v1/chat/ws');
const apiKeyFile = option('api-key-file', '.data/dev-api-key');
const question = args.join(' ') || 'What is Temporal?';
const requestId = randomUUID();

let apiKey: string;
try {
  apiKey = readFileSync(apiKeyFile, 'utf8').trim();
} catch {
  console.error(`no API key in ${apiKeyFile}: create one with tsx scripts/admin.ts dev-key --out ${apiKeyFile}`);
  process.exit(1);
}

const socket = new WebSocket(url, { headers: { authorization: `Bearer ${apiKey}` } });
socket.on('unexpected-response', (_request, response) => {
  console.error(`${url} refused the connection: HTTP ${response.statusCode}`);
  process.exit(1);
});
socket.on('open', () => {
  console.log(`chat endpoint: ${url}\nquestion: ${question}\n`);
  socket.send(JSON.stringify({ type: 'chat', requestId, message: question, maxTokens: 200 }));
});
socket.on('message', (raw) => {
  const event = JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown> };
  if (event.type === 'answer.delta') process.stdout.write(String(event.data.text));
  else if (event.type === 'model.selected') console.log(`[model ${event.data.model}]`);
  else if (event.type === 'retrieval.citations') console.log(`[${(event.data.citations as unknown[]).length} sources]`);
  else if (event.type === 'answer.done') {
    const usage = event.data.usage as { promptTokens: number; completionTokens: number };
    console.log(`\n\n[done: ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens]`);
    console.log(`workflow: ${event.data.workflowId}`);
    console.log(`Temporal UI: ${event.data.temporalUiUrl}`);
    socket.close();
  } else if (event.type === 'error') {
    console.error(`\nerror: ${JSON.stringify(event.data)}`);
    socket.close();
    process.exitCode = 1;
  }
});
socket.on('error', (error) => {
  console.error(`cannot reach ${url}: ${error.message}`);
  process.exitCode = 1;
});
