// The embedded store's durable form: an append-only JSON-lines log of operations. Every write appends
// whole lines under a cross-process lock and is fsynced; readers follow the log's growth, so a worker
// and an API process sharing the directory see each other's writes. Opening a log with many superseded
// records rewrites it with only the live points.
import { mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import type { ChunkPayload, SparseVector } from '../../ingestion/ports.js';

export type LogRecord =
  | { op: 'upsert'; points: { id: string; dense: string; sparse: SparseVector; payload: ChunkPayload }[] }
  | { op: 'delete'; tenant: string; ids: string[] }
  | { op: 'delete-document'; tenant: string; documentId: string };

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
   * Records appended since the last read. `reset` is true when the log was replaced (rewritten by another
   * process), in which case the records are the whole log and the reader must start from empty.
   */
  async readNew(): Promise<{ reset: boolean; records: LogRecord[] }> {
    const status = await stat(this.path).catch(() => undefined);
    if (!status) return { reset: false, records: [] };
    const reset = status.ino !== this.inode || status.size < this.offset;
    if (reset) {
      this.inode = status.ino;
      this.offset = 0;
    }
    if (status.size === this.offset) return { reset, records: [] };
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(status.size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      // A line still being written by another process is left for the next read.
      const complete = buffer.lastIndexOf(0x0a) + 1;
      this.offset += complete;
      const records = buffer.subarray(0, complete).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogRecord);
      return { reset, records };
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
