import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { contentHash } from './content-hash.js';
import { pointId } from './identifiers.js';
import { markdownSections, type Section } from './markdown-sections.js';
import type { ParsedDocument } from './parsed-document.js';

export interface ChunkingOptions {
  /** Maximum chunk length in characters. */
  chunkSize: number;
  /** Characters shared by neighbouring chunks; less than chunkSize. */
  chunkOverlap: number;
}

export const defaultChunking: ChunkingOptions = { chunkSize: 1000, chunkOverlap: 150 };

export interface Chunk {
  /** Point id: a UUID derived from the document id and contentHash. */
  id: string;
  documentId: string;
  title: string;
  source: string;
  /** Ordinal in the document, from 0. */
  position: number;
  headingPath: string[];
  text: string;
  /** Offsets of text in the parsed document text: text === document.text.slice(start, end). */
  start: number;
  end: number;
  /** Hash of what is embedded (title, heading path, text); identical repeats get an occurrence suffix. */
  contentHash: string;
}

export interface ChunkSource {
  documentId: string;
  source: string;
  document: ParsedDocument;
}

/**
 * Splits a parsed document with LangChain's recursive splitter (Markdown-aware for Markdown, cutting at
 * headings first so every chunk knows its heading path). Chunks come in document order.
 */
export async function chunkDocument({ documentId, source, document }: ChunkSource, options: ChunkingOptions = defaultChunking): Promise<Chunk[]> {
  validate(options);
  const splitter = document.format === 'markdown'
    ? RecursiveCharacterTextSplitter.fromLanguage('markdown', options)
    : new RecursiveCharacterTextSplitter(options);
  const sections: Section[] = document.format === 'markdown'
    ? markdownSections(document.text)
    : [{ start: 0, text: document.text, headingPath: [] }];

  const chunks: Chunk[] = [];
  const occurrences = new Map<string, number>();
  for (const section of sections) {
    for (const { text, offset } of locateChunks(section.text, await splitter.splitText(section.text), options.chunkOverlap, source)) {
      const embedded = embeddingInput({ title: document.title, headingPath: section.headingPath, text });
      const baseHash = contentHash(embedded);
      const seen = occurrences.get(baseHash) ?? 0;
      occurrences.set(baseHash, seen + 1);
      const hash = seen === 0 ? baseHash : contentHash(`${embedded}\u0000${seen}`);
      chunks.push({
        id: pointId(documentId, hash),
        documentId,
        title: document.title,
        source,
        position: chunks.length,
        headingPath: section.headingPath,
        text,
        start: section.start + offset,
        end: section.start + offset + text.length,
        contentHash: hash,
      });
    }
  }
  return chunks;
}

/**
 * Where the splitter took each chunk from. A chunk repeats at most `overlap` characters of the previous one
 * and leaves no text out, so it starts between previous.end - overlap and the next non-space character
 * after previous.end; the latest match there is the right one when the text repeats itself. The splitter
 * sometimes emits a chunk that a neighbour contains whole; such chunks add nothing and are dropped.
 */
function locateChunks(text: string, chunks: string[], overlap: number, source: string): { text: string; offset: number }[] {
  let previous = { start: 0, end: 0 };
  const located = chunks.map((chunk) => {
    const lowest = Math.max(previous.start, previous.end - overlap);
    const nextText = text.slice(previous.end).search(/\S/);
    const latest = text.lastIndexOf(chunk, nextText < 0 ? text.length : previous.end + nextText);
    const offset = latest >= lowest ? latest : text.indexOf(chunk, previous.start);
    if (offset < 0) throw new Error(`chunking lost track of the text of ${source} near offset ${previous.end}`);
    previous = { start: offset, end: offset + chunk.length };
    return { text: chunk, offset, end: previous.end };
  });
  const within = (inner: { offset: number; end: number }, outer: { offset: number; end: number }) =>
    outer.offset <= inner.offset && inner.end <= outer.end;
  const kept: typeof located = [];
  for (const chunk of located) {
    if (kept.length > 0 && within(chunk, kept[kept.length - 1]!)) continue;
    while (kept.length > 0 && within(kept[kept.length - 1]!, chunk)) kept.pop();
    kept.push(chunk);
  }
  return kept;
}

/** The text given to the embedder and the keyword index: the chunk with its title and heading path. */
export function embeddingInput(chunk: Pick<Chunk, 'title' | 'headingPath' | 'text'>): string {
  const context = [chunk.title, ...chunk.headingPath.filter((heading) => heading !== chunk.title)].filter(Boolean).join(' › ');
  return context ? `${context}\n\n${chunk.text}` : chunk.text;
}

function validate({ chunkSize, chunkOverlap }: ChunkingOptions): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new RangeError(`chunkOverlap must be an integer in [0, chunkSize), got ${chunkOverlap} with chunkSize ${chunkSize}`);
  }
}
