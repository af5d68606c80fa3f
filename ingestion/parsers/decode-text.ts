import { DocumentError } from '../parsed-document.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text (a byte-order mark is dropped), refusing binary content, with Unix line endings. */
export function decodeText(bytes: Uint8Array, source: string): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new DocumentError('corrupt-document', `${source} is not valid UTF-8 text`, { cause: error });
  }
  if (text.includes('\u0000')) throw new DocumentError('corrupt-document', `${source} looks binary (contains NUL bytes)`);
  return normalizeWhitespace(text);
}

/** Unix line endings, no trailing spaces on lines, at most one blank line in a row. */
export function normalizeWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
