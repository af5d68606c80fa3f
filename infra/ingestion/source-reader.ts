// Reads ingestion sources: local files and folders, and http(s) URLs. URLs may only reach public addresses
// (plus operator-trusted networks), never cloud metadata endpoints; sizes are capped; every failure says
// whether a retry can help.
import { lookup } from 'node:dns/promises';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { checkAddress } from '../../domain/tools/network-address-policy.js';

export interface SourceReaderOptions {
  maxBytes: number;
  timeoutMs: number;
  /** CIDRs URL sources may resolve to besides public addresses. */
  trustedNetworks: readonly string[];
}

export class SourceError extends Error {
  constructor(readonly code: 'not-found' | 'forbidden-source' | 'too-large' | 'fetch-failed', message: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The files a source stands for: a URL or a file itself, a folder's files (recursively, no dot files) in path order. */
export async function listSource(source: string): Promise<{ kind: 'url' | 'file' | 'folder'; files: string[] }> {
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

export class SourceReader {
  constructor(private readonly options: SourceReaderOptions) {}

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
    const url = new URL(source);
    await this.checkHost(url);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = timeout.aborted ? `timed out after ${this.options.timeoutMs} ms` : (error as Error).message;
      throw new SourceError('fetch-failed', `${source}: ${reason}`, true, { cause: error });
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new SourceError('fetch-failed', `${source}: redirected (${response.status}) to ${response.headers.get('location') ?? 'nowhere'}; ingest the target URL instead`, false);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new SourceError(response.status === 404 || response.status === 410 ? 'not-found' : 'fetch-failed', `${source}: HTTP ${response.status}`, retryable);
    }
    const bytes = await this.readCapped(response, source);
    const contentType = response.headers.get('content-type') ?? undefined;
    return { bytes, ...(contentType ? { contentType } : {}) };
  }

  private async checkHost(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then(
      (found) => found.map((entry) => entry.address),
      (error: NodeJS.ErrnoException) => { throw new SourceError('fetch-failed', `${url.href}: cannot resolve ${host} (${error.code ?? error.message})`, error.code !== 'ENOTFOUND'); },
    );
    for (const address of addresses) {
      const decision = checkAddress(address, this.options.trustedNetworks);
      if (!decision.allowed) throw new SourceError('forbidden-source', `${url.href}: ${decision.reason} (allow a network with INGESTION_TRUSTED_NETWORKS)`, false);
    }
  }

  private async readCapped(response: Response, source: string): Promise<Uint8Array> {
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.options.maxBytes) {
      await response.body?.cancel();
      throw new SourceError('too-large', `${source}: ${declared} bytes, more than the limit of ${this.options.maxBytes}`, false);
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const part of response.body ?? []) {
      size += part.byteLength;
      if (size > this.options.maxBytes) throw new SourceError('too-large', `${source}: more than the limit of ${this.options.maxBytes} bytes`, false);
      parts.push(part);
    }
    return new Uint8Array(Buffer.concat(parts));
  }
}
