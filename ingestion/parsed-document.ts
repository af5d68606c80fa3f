// What a parser makes of a document, what it is given, what one document may cost, and how bad input fails.
import { RagtimeError } from '../domain/errors.js';

/** A document turned into text. Markdown keeps its headings so chunks can carry a heading path. */
export interface ParsedDocument {
  title: string;
  text: string;
  format: 'markdown' | 'plain';
}

export interface DocumentInput {
  bytes: Uint8Array;
  /** File path or URL; its extension selects the parser unless contentType does. */
  source: string;
  /** The HTTP Content-Type; its charset parameter decodes text formats. */
  contentType?: string;
}

/** What one document may cost; each name is the setting that configures it. */
export interface DocumentLimits {
  /** INGESTION_MAX_EXTRACTED_BYTES: bytes an archive (.docx) may inflate to. */
  maxExtractedBytes: number;
  /** INGESTION_MAX_COMPRESSION_RATIO: inflated / compressed bytes an archive may declare. */
  maxCompressionRatio: number;
  /** INGESTION_MAX_TEXT_CHARACTERS */
  maxTextCharacters: number;
  /** INGESTION_MAX_CHUNKS */
  maxChunks: number;
  /** INGESTION_MAX_PDF_PAGES */
  maxPdfPages: number;
  /** INGESTION_MAX_NESTING_DEPTH: element (HTML) or value (JSON) nesting. */
  maxNestingDepth: number;
}

export const defaultDocumentLimits: DocumentLimits = {
  maxExtractedBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxTextCharacters: 8_000_000,
  maxChunks: 10_000,
  maxPdfPages: 2_000,
  maxNestingDepth: 512,
};

export type DocumentErrorCode = 'unsupported-format' | 'corrupt-document' | 'empty-document' | 'limit-exceeded' | 'parse-timeout';

/** Bad input: retrying cannot help, so the document fails with this reason and the job continues. */
export class DocumentError extends RagtimeError {
  declare readonly code: DocumentErrorCode;

  constructor(code: DocumentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { retryable: false, cause: options?.cause });
  }
}

/** A refusal that names the limit: "<source>: <what>, more than the limit of <n> (<SETTING>)". */
export function limitExceeded(source: string, what: string, limit: number | string, setting: string): DocumentError {
  return new DocumentError('limit-exceeded', `${source}: ${what}, more than the limit of ${limit} (${setting})`);
}
