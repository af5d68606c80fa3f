// Reads ingestion sources: local files and folders, and http(s) URLs. URLs may only reach public addresses
// (plus operator-trusted networks), never cloud metadata endpoints: fetched like the http_fetch tool does
// (infra/tools/pinned-http-get.ts), connecting to the address that was checked and checking every redirect hop again;
// sizes are capped; every failure says whether a retry can help, and a source that is not even a valid URL
// fails as itself (invalid-source), never the job around it.
import type { IncomingMessage } from 'node:http';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SourceError } from '../../ingestion/ingestion-errors.js';
import type * as ports from '../../ingestion/ports.js';
import { pinnedGet, PinnedGetError, type ResolveHost } from '../tools/pinned-http-get.js';

export interface SourceReaderOptions {
  maxBytes: number;
  timeoutMs: number;
  /** CIDRs URL sources may resolve to besides public addresses. */
  trustedNetworks: readonly string[];
  maxRedirects?: number;
  /** Name resolution; defaults to the operating system resolver. */
  resolveHost?: ResolveHost;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The SourceReader port over the local file system and http(s). */
export class SourceReader implements ports.SourceReader {
  constructor(private readonly options: SourceReaderOptions) {}

  async list(source: string): Promise<{ kind: 'url' | 'file' | 'folder'; files: string[] }> {
    if (isUrl(source)) return { kind: 'url', files: [source] };
    const info = await stat(source).catch(() => undefined);
    if (!info?.isDirectory()) return { kind: 'file', files: [source] };
    const entries = await readdir(source, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) => !path.relative(source, file).split(path.sep).some((part) => part.startsWith('.')))
      .sort();
    return { kind: 'folder', files };
  }

  async read(source: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array; contentType?: string }> {
    return isUrl(source) ? this.fetchUrl(source, signal) : this.readFile(source);
  }

  private async readFile(file: string): Promise<{ bytes: Uint8Array }> {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new SourceError('not-found', `${file}: no such file`, false);
      throw new SourceError('fetch-failed', `${file}: ${error.message}`, error.code !== 'EACCES', { cause: error });
    });
    if (!info.isFile()) throw new SourceError('not-found', `${file}: not a regular file`, false);
    if (info.size > this.options.maxBytes) throw new SourceError('too-large', `${file}: ${info.size} bytes, more than the limit of ${this.options.maxBytes}`, false);
    return { bytes: new Uint8Array(await readFile(file)) };
  }

  private async fetchUrl(source: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array; contentType?: string }> {
    let url: URL;
    try {
      url = new URL(source);
    } catch (error) {
      throw new SourceError('invalid-source', `${source}: not a valid URL`, false, { cause: error });
    }
    try {
      const { value } = await pinnedGet(url, {
        trustedNetworks: this.options.trustedNetworks,
        resolveHost: this.options.resolveHost,
        maxRedirects: this.options.maxRedirects ?? 5,
        timeoutMs: this.options.timeoutMs,
        signal,
        headers: { 'user-agent': 'ragtime-ingestion/1', accept: '*/*' },
        read: (_url, response) => this.readResponse(response, source),
      });
      return value;
    } catch (error) {
      if (!(error instanceof PinnedGetError)) throw error;
      if (error.kind === 'forbidden') throw new SourceError('forbidden-source', `${source}: ${error.message} (allow a network with INGESTION_TRUSTED_NETWORKS)`, false, { cause: error });
      const reason = error.kind === 'timeout' ? `timed out after ${this.options.timeoutMs} ms` : error.message;
      throw new SourceError('fetch-failed', `${source}: ${reason}`, error.retryable, { cause: error });
    }
  }

  private async readResponse(response: IncomingMessage, source: string): Promise<{ bytes: Uint8Array; contentType?: string }> {
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.resume();
      const retryable = status === 408 || status === 429 || status >= 500;
      throw new SourceError(status === 404 || status === 410 ? 'not-found' : 'fetch-failed', `${source}: HTTP ${status}`, retryable);
    }
    const bytes = await this.readCapped(response, source);
    const contentType = response.headers['content-type'];
    return { bytes, ...(contentType ? { contentType } : {}) };
  }

  private async readCapped(response: IncomingMessage, source: string): Promise<Uint8Array> {
    const declared = Number(response.headers['content-length']);
    if (declared > this.options.maxBytes) {
      response.destroy();
      throw new SourceError('too-large', `${source}: ${declared} bytes, more than the limit of ${this.options.maxBytes}`, false);
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const part of response as AsyncIterable<Buffer>) {
      size += part.byteLength;
      if (size > this.options.maxBytes) {
        response.destroy();
        throw new SourceError('too-large', `${source}: more than the limit of ${this.options.maxBytes} bytes`, false);
      }
      parts.push(part);
    }
    return new Uint8Array(Buffer.concat(parts));
  }
}
