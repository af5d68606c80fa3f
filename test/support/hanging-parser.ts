// A parser for the parse-isolation tests: a source whose name contains "never-returns" spins forever without
// yielding (the worst case: a busy loop, not a pending promise); anything else is parsed as usual.
import { parseDocument as realParseDocument } from '../../ingestion/parse-document.js';
import type { DocumentInput, DocumentLimits, ParsedDocument } from '../../ingestion/parsed-document.js';

export async function parseDocument(input: DocumentInput, limits: DocumentLimits): Promise<ParsedDocument> {
  if (input.source.includes('never-returns')) for (;;) { /* spins until the pool terminates the thread */ }
  return realParseDocument(input, limits);
}
