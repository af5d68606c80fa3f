// Answer quality of a chat model on the sample corpus: the bundled documents are indexed with the chat
// path's own code (parser, chunker, local embeddings, embedded store, VectorRetriever with the default
// settings, buildMessages), and each question of bench/fixtures/sample-questions.json is answered by the
// model on llama.cpp's server. Per model: fact recall (the answer states the expected fact), citation
// precision (cited [n] markers that point at the expected document), invented-citation rate (answers with
// a marker naming no source or a source-list line naming no retrieved source, by postSafety's check), and
// decode speed in tokens/s.
// Each model also gets the tool-calling check of bench/lib/tool-call-check.ts (OpenAI `tools` through
// llama.cpp's --jinja with the model's own chat template, or --template's).
// Usage: npx tsx bench/answer-quality.ts [--runs 3] [--first-seed 1] [--threads 2] [--prompt current|previous]
//          [--model name|path.gguf --alias name [--template file.jinja|-]]…
//        --model: a model of infra/model-server/chat-models.json or a GGUF file (default: the catalogue's default and
//        SmolLM2, side by side)
// --prompt previous: the source instruction before commit 888f9af (for the invented-citation before/after).
import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildMessages } from '../domain/chat/prompt.js';
import { checkCitations } from '../domain/safety/citation-check.js';
import { chunkDocument, defaultChunking, embeddingInput } from '../ingestion/chunk-document.js';
import { documentId } from '../ingestion/identifiers.js';
import { passageKeywordVector } from '../ingestion/keyword-vector.js';
import { parseDocument } from '../ingestion/parse-document.js';
import { loadConfig } from '../infra/config.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { retrieverOptions } from '../infra/retrieval/create-retriever.js';
import { VectorRetriever } from '../infra/retrieval/vector-retriever.js';
import { EmbeddedVectorIndex } from '../infra/vector-store/embedded-vector-index.js';
import { mean } from './lib/metrics.js';
import { printTable } from './lib/table.js';
import { checkToolCalls } from './lib/tool-call-check.js';

const root = resolve(import.meta.dirname, '..');
const argument = (name: string) => process.argv.flatMap((value, index) => (value === name ? [process.argv[index + 1]!] : []));
const runs = Number(argument('--runs')[0] ?? 3);
/** Seeds firstSeed … firstSeed + runs − 1, so a later run can add answers instead of repeating them. */
const firstSeed = Number(argument('--first-seed')[0] ?? 1);
const threads = Number(argument('--threads')[0] ?? 2);
const promptVariant = argument('--prompt')[0] ?? 'current';
const models = argument('--model').length > 0
  ? argument('--model').map((model, index) => ({
    model,
    alias: argument('--alias')[index] ?? basename(model),
    template: argument('--template')[index] === '-' ? undefined : argument('--template')[index],
  }))
  : [{ model: 'qwen2.5-coder-0.5b-instruct', alias: 'qwen2.5-coder-0.5b-instruct', template: undefined }, { model: 'smollm2-135m-instruct', alias: 'smollm2-135m-instruct', template: undefined }];
/** The instruction before 888f9af ("cite [n]" only, no word about source lists), to measure that change. */
const currentInstruction = /\nAnswer from the numbered sources below[^\n]*/;
const previousInstruction = '\nAnswer from the numbered sources below and cite them as [n]. If they do not contain the answer, say so.';
const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
const questions = JSON.parse(await readFile(join(root, 'bench/fixtures/sample-questions.json'), 'utf8')) as { question: string; fact: string; source: string }[];
const tenant = 'bench';

const embeddings = await LocalEmbeddingServer.start({ port: 19000 + Math.floor(Math.random() * 300), threads: 2 });
const dataDirectory = await mkdtemp(join(tmpdir(), 'ragtime-answers-'));
try {
  const embedder = embeddings.embedder();
  const index = new EmbeddedVectorIndex({ directory: dataDirectory, collection: 'samples', dimensions: embedder.dimensions });
  const corpus = join(root, 'samples/corpus');
  for (const file of await readdir(corpus)) {
    const source = join(corpus, file);
    const document = await parseDocument({ bytes: await readFile(source), source });
    const chunks = await chunkDocument({ documentId: documentId(tenant, source), source, document }, defaultChunking);
    const vectors = await embedder.embed(chunks.map(embeddingInput));
    await index.upsert(chunks.map((chunk, position) => ({
      id: chunk.id,
      dense: vectors[position]!,
      sparse: passageKeywordVector(embeddingInput(chunk)),
      payload: { tenant, documentId: chunk.documentId, title: chunk.title, source: chunk.source, position: chunk.position, headingPath: chunk.headingPath, text: chunk.text, contentHash: chunk.contentHash },
    })));
  }
  const retriever = new VectorRetriever(index, embedder, retrieverOptions(loadConfig({})));
  const prompts = await Promise.all(questions.map(async (item) => {
    const citations = await retriever.search(tenant, item.question, {});
    const messages = buildMessages({ question: item.question, history: [], citations, toolOutputs: [] });
    if (promptVariant === 'previous') {
      if (!currentInstruction.test(messages[0]!.content)) throw new Error('the prompt no longer has the instruction --prompt previous replaces');
      messages[0]!.content = messages[0]!.content.replace(currentInstruction, previousInstruction);
    }
    return { ...item, citations, messages };
  }));
  const startedAt = new Date().toISOString();
  const loadBefore = await loadAverage();

  const rows: (string | number)[][] = [['model', 'answers', 'failed', 'fact recall', 'citation precision', 'answers citing', 'invented-citation rate', 'decode tokens/s', 'decode tokens/CPU-s', 'tool calls (own prompt)', 'tool calls (with examples)']];
  const examples: string[] = [];
  for (const model of models) {
    let server = await startModelServer(model.model, model.template);
    try {
      let facts = 0, citedRight = 0, cited = 0, citing = 0, invented = 0, answers = 0, failures = 0;
      const speeds: number[] = [];
      const cpuSpeeds: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        for (const prompt of prompts) {
          // llama.cpp's HTTP server may close a kept-alive connection just as the next request goes out on it
          // (the request never reaches a slot): that one is sent again once.
          const completion = await complete(server, prompt.messages, firstSeed + run).catch((error: unknown) => {
            if ((error as Error).cause && ((error as Error).cause as { code?: string }).code === 'UND_ERR_SOCKET' && !server.exited()) return complete(server, prompt.messages, firstSeed + run);
            throw error;
          }).catch(async (error: unknown) => {
            // A failed answer is counted (an answer without the fact) and the server started again if it died.
            failures += 1;
            const request = `${server.log}.failed-${failures}.json`;
            await writeFile(request, JSON.stringify(prompt.messages));
            console.error(`${model.alias}: "${prompt.question}" failed (${String(error)}: ${String((error as Error).cause)}); server log: ${server.log}, messages: ${request}`);
            if (server.exited()) server = await startModelServer(model.model, model.template);
            return { answer: '', tokensPerSecond: undefined, tokensPerCpuSecond: undefined };
          });
          const { answer, tokensPerSecond, tokensPerCpuSecond } = completion;
          if (tokensPerSecond !== undefined) speeds.push(tokensPerSecond);
          if (tokensPerCpuSecond !== undefined) cpuSpeeds.push(tokensPerCpuSecond);
          answers += 1;
          if (new RegExp(prompt.fact, 'i').test(answer)) facts += 1;
          const check = checkCitations(answer, prompt.citations.map((citation) => ({ names: [citation.title, citation.source] })));
          if (check.cited.length > 0) citing += 1;
          for (const number of check.cited) {
            cited += 1;
            if (basename(prompt.citations[number - 1]?.source ?? '') === prompt.source) citedRight += 1;
          }
          if (check.unknown.length > 0 || check.inventedSourceLines > 0) invented += 1;
          if (run === 0 && examples.filter((example) => example.startsWith(`[${model.alias}]`)).length < 2) examples.push(`[${model.alias}] Q: ${prompt.question}\nA: ${answer.trim()}`);
        }
      }
      const tools = await checkToolCalls(`${server.url}/v1`, 'model', false);
      const toolsWithExamples = await checkToolCalls(`${server.url}/v1`, 'model', true);
      const describe = (score: typeof tools) => `${score.correct}/${score.serveable} right, ${score.parsed}/3 parsed, ${score.spurious} spurious`;
      rows.push([model.alias, answers, failures, facts / answers, cited === 0 ? 0 : citedRight / cited, citing / answers, invented / answers, mean(speeds), cpuSpeeds.length > 0 ? mean(cpuSpeeds) : 'n/a', describe(tools), describe(toolsWithExamples)]);
      // Each model's row as soon as it is measured: a long run under load still leaves figures behind.
      console.log(`${rows[0]!.join(' | ')}\n${rows.at(-1)!.join(' | ')}  (load average ${await loadAverage()}, ${new Date().toISOString()})`);
    } finally {
      server.stop();
    }
  }
  console.log(`\nAnswer quality on samples/corpus (${questions.length} questions × ${runs} runs, seeds ${firstSeed}…${firstSeed + runs - 1}; retrieval with the chat path's defaults; prompt: ${promptVariant}; llama.cpp ${threads} threads)`);
  console.log(`started ${startedAt}, load average ${loadBefore} at start, ${await loadAverage()} at end (${cpus().length} cores)\n`);
  printTable(rows);
  console.log(`\nExamples (first run):\n\n${examples.join('\n\n')}`);
} finally {
  await embeddings.stop();
  await rm(dataDirectory, { recursive: true, force: true });
}

/**
 * Streams one answer (streaming, so a slow model under load is never cut off by a response-headers timeout).
 * Besides llama.cpp's own decode speed (wall clock, so it falls with the machine's load) it measures tokens
 * per CPU-second of the server process between the first and the last streamed token: with one thread that
 * is close to what one idle core decodes, whatever else the machine runs.
 */
async function complete(server: ModelServer, messages: unknown, seed: number): Promise<{ answer: string; tokensPerSecond: number | undefined; tokensPerCpuSecond: number | undefined }> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages, max_tokens: 160, seed, stream: true }),
  });
  if (!response.ok || !response.body) throw new Error(`model server answered ${response.status}`);
  let answer = '';
  let tokensPerSecond: number | undefined;
  let predicted: number | undefined;
  let firstTokenCpu: number | undefined;
  let buffer = '';
  for await (const bytes of response.body.pipeThrough(new TextDecoderStream())) {
    buffer += bytes;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[]; timings?: { predicted_per_second?: number; predicted_n?: number } };
      const content = chunk.choices?.[0]?.delta?.content ?? '';
      if (content && firstTokenCpu === undefined) firstTokenCpu = await server.cpuSeconds();
      answer += content;
      if (chunk.timings?.predicted_per_second) tokensPerSecond = chunk.timings.predicted_per_second;
      if (chunk.timings?.predicted_n) predicted = chunk.timings.predicted_n;
    }
  }
  const cpu = firstTokenCpu === undefined ? undefined : await server.cpuSeconds() - firstTokenCpu;
  const tokensPerCpuSecond = cpu && predicted && predicted > 10 ? (predicted - 1) / cpu : undefined;
  return { answer, tokensPerSecond, tokensPerCpuSecond };
}

interface ModelServer {
  url: string;
  /** The server's own output, kept for a failure's diagnosis. */
  log: string;
  exited(): boolean;
  /** CPU time (user + system) the server process has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): void;
}

async function startModelServer(model: string, template: string | undefined): Promise<ModelServer> {
  const port = 19300 + Math.floor(Math.random() * 200);
  const log = join(tmpdir(), `ragtime-answer-quality-${port}.log`);
  const logFile = await open(log, 'w');
  const child = spawn(join(root, '.venv/bin/python'), [
    join(root, 'infra/model-server/serve.py'), '--port', String(port), '--parallel', '1', '--threads', String(threads), '--alias', 'model',
    '--model', model, ...(template ? ['--chat-template-file', template] : []),
  ], { stdio: ['ignore', logFile.fd, logFile.fd] });
  await logFile.close();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`model server exited with ${child.exitCode}`);
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) break;
    if (Date.now() > deadline) { child.kill(); throw new Error('model server did not start in 120 s'); }
    await new Promise((done) => setTimeout(done, 500));
  }
  const cpuSeconds = async () => {
    const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { url, log, exited: () => child.exitCode !== null || child.signalCode !== null, cpuSeconds, stop: () => child.kill('SIGTERM') };
}
