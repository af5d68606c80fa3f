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
  contentType?: string;
}

/** Bad input: retrying cannot help, so the document fails with this reason and the job continues. */
export class DocumentError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: 'unsupported-format' | 'corrupt-document' | 'empty-document',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DocumentError';
  }
}
