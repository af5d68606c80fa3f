// Text as its author wrote it. The encoding is taken, in order, from a byte-order mark, the declared charset
// (the HTTP Content-Type's, then for HTML its <meta> — html-encoding-sniffer implements the HTML Standard's
// sniffing), strict UTF-8, and last chardet's detection; TextDecoder (ICU) decodes, iconv-lite what ICU lacks.
import chardet from 'chardet';
import sniffHtmlEncoding from 'html-encoding-sniffer';
import iconv from 'iconv-lite';
import { DocumentError } from '../parsed-document.js';

export interface DecodeOptions {
  /** The HTTP Content-Type, whose charset parameter declares the encoding. */
  contentType?: string;
  /** Look for a <meta charset> (or http-equiv) declaration in the first 1024 bytes. */
  html?: boolean;
}

const undetermined = 'undetermined';
/** chardet's confidence (0-100) below which a guess is not trusted. */
const minimumConfidence = 10;

/** Decodes text, refusing binary content; Unix line endings; the byte-order mark is dropped. */
export function decodeText(bytes: Uint8Array, source: string, options: DecodeOptions = {}): string {
  const declared = sniffHtmlEncoding(bytes, {
    transportLayerEncodingLabel: charsetOf(options.contentType),
    defaultEncoding: undetermined,
    maxPrescanBytes: options.html ? 1024 : 0,
  });
  let text: string | undefined;
  if (declared !== undetermined && declared !== 'UTF-8') text = decodeAs(bytes, declared, source);
  text ??= strictUtf8(bytes);
  if (text === undefined) {
    if (bytes.includes(0)) throw binary(source);
    const guess = chardet.analyse(bytes)[0];
    if (!guess || guess.confidence < minimumConfidence) {
      throw new DocumentError('corrupt-document', `${source} is not valid UTF-8 text and its encoding cannot be detected (declare it with a charset)`);
    }
    text = decodeAs(bytes, guess.name, source);
  }
  if (text.includes('\u0000') || controlShare(text) > 0.05) throw binary(source);
  return normalizeWhitespace(text.replace(/^\uFEFF/, ''));
}

/** Unix line endings, no trailing spaces on lines, at most one blank line in a row. */
export function normalizeWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function decodeAs(bytes: Uint8Array, encoding: string, source: string): string {
  try {
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    // ICU does not know it (e.g. UTF-32): iconv-lite may.
  }
  if (iconv.encodingExists(encoding)) return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
  throw new DocumentError('corrupt-document', `${source} is in an encoding that cannot be decoded: ${encoding}`);
}

function controlShare(text: string): number {
  const sample = text.slice(0, 65_536);
  if (sample.length === 0) return 0;
  const controls = sample.match(/[\u0001-\u0008\u000B\u000E-\u001F\u007F]/g)?.length ?? 0;
  return controls / sample.length;
}

function binary(source: string): DocumentError {
  return new DocumentError('corrupt-document', `${source} looks binary (contains NUL bytes or control characters)`);
}
