// The body of one parse thread (see parse-pool.ts): parses or chunks the documents it is sent, one at a time,
// and answers with the result or the error (a DocumentError keeps its code). A test may replace the parser
// with its own module (workerData.parserModule) to show what happens to a parse that never returns.
import { parentPort, workerData } from 'node:worker_threads';
import { chunkDocument, type Chunk, type ChunkingOptions, type ChunkSource } from '../../ingestion/chunk-document.js';
import { parseDocument } from '../../ingestion/parse-document.js';
import { DocumentError, limitExceeded, type DocumentInput, type DocumentLimits, type ParsedDocument } from '../../ingestion/parsed-document.js';

export type ThreadTask =
  | { id: number; kind: 'parse'; input: DocumentInput; limits: DocumentLimits }
  | { id: number; kind: 'chunk'; source: ChunkSource; options: ChunkingOptions };

export type ThreadReply =
  | { id: number; ok: true; value: ParsedDocument | Chunk[] }
  | { id: number; ok: false; error: { message: string; documentCode?: DocumentError['code'] } };

type Parse = (input: DocumentInput, limits: DocumentLimits) => Promise<ParsedDocument>;

const { parserModule } = (workerData ?? {}) as { parserModule?: string };
const parse: Parse = parserModule ? ((await import(parserModule)) as { parseDocument: Parse }).parseDocument : parseDocument;

parentPort?.on('message', (task: ThreadTask) => {
  (async () => {
    try {
      const value = task.kind === 'parse' ? await parse(task.input, task.limits) : await chunkDocument(task.source, task.options);
      parentPort!.postMessage({ id: task.id, ok: true, value } satisfies ThreadReply);
    } catch (caught) {
      const error = task.kind === 'chunk' && caught instanceof RangeError && /call stack/i.test(caught.message)
        ? limitExceeded(task.source.source, 'nested deeper than the chunker can follow', 'the stack', 'INGESTION_MAX_NESTING_DEPTH')
        : caught;
      const message = error instanceof Error ? error.message : String(error);
      parentPort!.postMessage({ id: task.id, ok: false, error: { message, ...(error instanceof DocumentError ? { documentCode: error.code } : {}) } } satisfies ThreadReply);
    }
  })().catch((error: unknown) => {
    // Only posting the reply can fail here: the pool times the task out and replaces this thread.
    console.error('parse thread could not reply', error);
  });
});
parentPort?.postMessage('ready');
