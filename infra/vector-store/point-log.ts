// The embedded store's durable form: an append-only JSON-lines log of operations. Every write appends
// whole lines under a cross-process lock and is fsynced; readers follow the log's growth, so a worker
// and an API process sharing the directory see each other's writes. Opening a log with many superseded
// records rewrites it with only the live points.
import { mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import type { ChunkPayload } from '../../ingestion/ports.js';

/** A point as logged: vectors as base64 of little-endian Float32 (dense, sparse values) and Uint32 (sparse indices). */
export interface LoggedPoint {
  id: string;
  dense: string;
  sparseIndices: string;
  sparseValues: string;
  /**
   * The keywordVectorVersion the sparse vector (term frequencies) was made with. Absent in logs written before
   * versions were logged, whose sparse values may even be finished BM25 weights: such points are re-keyed.
   */
  keywordVersion?: number;
  payload: ChunkPayload;
}

export type LogRecord =
  | { op: 'upsert'; points: LoggedPoint[] }
  | { op: 'delete'; tenant: string; ids: string[] }
  | { op: 'delete-document'; tenant: string; documentId: string };

const readBlockBytes = 8 * 1024 * 1024;

export class PointLog {
  private offset = 0;
  private inode = -1;

  constructor(readonly path: string) {}

  async append(records: readonly LogRecord[]): Promise<void> {
    await this.withLock(async () => {
      const handle = await open(this.path, 'a');
      try {
        await handle.write(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /**
   * Hands over the records appended since the last read, one by one, and returns how many there were.
   * When the log was replaced (rewritten by another process), `reader.reset` is called first and the
   * records are the whole log.
   */
  async readNew(reader: { reset(): void; record(record: LogRecord): void }): Promise<number> {
    const status = await stat(this.path).catch(() => undefined);
    if (!status) return 0;
    if (status.ino !== this.inode || status.size < this.offset) {
      this.inode = status.ino;
      this.offset = 0;
      reader.reset();
    }
    if (status.size === this.offset) return 0;
    const handle = await open(this.path, 'r');
    try {
      let count = 0;
      // Read in blocks: the whole log can be larger than the longest string V8 can hold.
      let pending = Buffer.alloc(0);
      let position = this.offset;
      while (position < status.size) {
        const block = Buffer.alloc(Math.min(readBlockBytes, status.size - position));
        const { bytesRead } = await handle.read(block, 0, block.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        pending = pending.length > 0 ? Buffer.concat([pending, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
        let lineStart = 0;
        for (let newline = pending.indexOf(0x0a); newline >= 0; newline = pending.indexOf(0x0a, lineStart)) {
          if (newline > lineStart) {
            reader.record(JSON.parse(pending.toString('utf8', lineStart, newline)) as LogRecord);
            count += 1;
          }
          lineStart = newline + 1;
        }
        this.offset += lineStart;
        pending = pending.subarray(lineStart);
      }
      // A line still being written by another process (no newline yet) is left for the next read.
      return count;
    } finally {
      await handle.close();
    }
  }

  /** Makes the next readNew return the whole log again. */
  rewind(): void {
    this.offset = 0;
    this.inode = -1;
  }

  /** Replaces the log with the given records (the live points), atomically. */
  async rewrite(records: readonly LogRecord[]): Promise<void> {
    await this.withLock(async () => {
      const temporary = `${this.path}.rewrite`;
      await writeFile(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''), { flush: true });
      await rename(temporary, this.path);
    });
  }

  private async withLock<T>(action: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    const release = await lockfile.lock(dirname(this.path), { lockfilePath: `${this.path}.lock`, retries: { retries: 50, minTimeout: 10, maxTimeout: 200 }, stale: 30_000 });
    try {
      return await action();
    } finally {
      await release();
    }
  }
}
