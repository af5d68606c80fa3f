// Answer quality of a chat model on the sample corpus: the bundled documents are indexed with the chat
// path's own code (parser, chunker, local embeddings, embedded store, VectorRetriever with the default
// settings, buildMessages), and each question of bench/fixtures/sample-questions.json is answered by the
// model on llama.cpp's server. Per model: fact recall (the answer states the expected fact), citation
// precision (cited [n] markers that point at the expected document), invented-citation rate (answers with
// a marker naming no source or a source-list line naming no retrieved source, by postSafety's check), and
// decode speed in tokens/s.
// Usage: npx tsx bench/answer-quality.ts [--runs 3] [--model path.gguf --alias name]…  (default: the packaged SmolLM2)
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

const root = resolve(import.meta.dirname, '..');
const argument = (name: string) => process.argv.flatMap((value, index) => (value === name ? [process.argv[index + 1]!] : []));
const runs = Number(argument('--runs')[0] ?? 3);
const models = argument('--model').length > 0
  ? argument('--model').map((path, index) => ({ path, alias: argument('--alias')[index] ?? basename(path) }))
  : [{ path: undefined, alias: 'smollm2-135m-instruct (packaged)' }];
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
    return { ...item, citations, messages: buildMessages({ question: item.question, history: [], citations, toolOutputs: [] }) };
  }));

  const rows: (string | number)[][] = [['model', 'answers', 'fact recall', 'citation precision', 'answers citing', 'invented-citation rate', 'decode tokens/s']];
  const examples: string[] = [];
  for (const model of models) {
    const server = await startModelServer(model.path);
    try {
      let facts = 0, citedRight = 0, cited = 0, citing = 0, invented = 0, answers = 0;
      const speeds: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        for (const prompt of prompts) {
          const { answer, tokensPerSecond } = await complete(server.url, prompt.messages, run + 1);
          speeds.push(tokensPerSecond ?? 0);
          answers += 1;
          if (new RegExp(prompt.fact, 'i').test(answer)) facts += 1;
          const check = checkCitations(answer, prompt.citations.map((citation) => ({ names: [citation.title, citation.source] })));
          if (check.cited.length > 0) citing += 1;
          for (const number of check.cited) {
            cited += 1;
            if (basename(prompt.citations[number - 1]?.source ?? '') === prompt.source) citedRight += 1;
          }
          if (check.unknown.length > 0 || check.inventedSourceLines > 0) invented += 1;
          if (run === 0 && examples.length < 3) examples.push(`Q: ${prompt.question}\nA: ${answer.trim()}`);
        }
      }
      rows.push([model.alias, answers, facts / answers, cited === 0 ? 0 : citedRight / cited, citing / answers, invented / answers, mean(speeds)]);
    } finally {
      server.stop();
    }
  }
  console.log(`\nAnswer quality on samples/corpus (${questions.length} questions × ${runs} runs, seeds 1…${runs}; retrieval with the chat path's defaults)\n`);
  printTable(rows);
  console.log(`\nExamples (first model, first run):\n\n${examples.join('\n\n')}`);
} finally {
  await embeddings.stop();
  await rm(dataDirectory, { recursive: true, force: true });
}

/** Streams one answer (streaming, so a slow model under load is never cut off by a response-headers timeout). */
async function complete(url: string, messages: unknown, seed: number): Promise<{ answer: string; tokensPerSecond: number | undefined }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages, max_tokens: 160, seed, stream: true }),
  });
  if (!response.ok || !response.body) throw new Error(`model server answered ${response.status}`);
  let answer = '';
  let tokensPerSecond: number | undefined;
  let buffer = '';
  for await (const bytes of response.body.pipeThrough(new TextDecoderStream())) {
    buffer += bytes;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[]; timings?: { predicted_per_second?: number } };
      answer += chunk.choices?.[0]?.delta?.content ?? '';
      if (chunk.timings?.predicted_per_second) tokensPerSecond = chunk.timings.predicted_per_second;
    }
  }
  return { answer, tokensPerSecond };
}

async function startModelServer(path: string | undefined): Promise<{ url: string; stop(): void }> {
  const port = 19400 + Math.floor(Math.random() * 300);
  const child = spawn(join(root, '.venv/bin/python'), [join(root, 'infra/model-server/serve.py'), '--port', String(port), '--parallel', '1', ...(path ? ['--model', path] : [])], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`model server exited with ${child.exitCode}`);
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) break;
    if (Date.now() > deadline) { child.kill(); throw new Error('model server did not start in 120 s'); }
    await new Promise((done) => setTimeout(done, 500));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}
