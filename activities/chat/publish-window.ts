// Publishes what the output filter releases, in order, one write at a time: text released while a write is
// in flight waits and goes out with the next write, so a fast model costs one Redis round trip per window
// rather than one per token. Each write is still a compare-and-append at the offset the stream is at, and
// the first text goes out at once (time to first token is unchanged).
import type { FilteredOutput } from '../../domain/chat/ports.js';

export class PublishWindow {
  private queue: FilteredOutput[] = [];
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private closed = false;

  constructor(private readonly write: (output: FilteredOutput) => Promise<void>) {}

  /** Queues an output; throws the failure of an earlier write, if any. */
  push(output: FilteredOutput): void {
    if (this.failure) throw this.failure.error;
    if (this.closed || (!output.text && output.redactions.length === 0)) return;
    this.queue.push(output);
    this.running ??= this.drain();
  }

  /** Resolves when everything queued is written; rejects with the first failed write. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }

  /** Drops what is still queued and waits for the write in flight, so nothing lands after the caller returns. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) await this.write(takeBatch(this.queue));
    } catch (error) {
      this.failure = { error };
      this.queue = [];
    } finally {
      this.running = undefined;
    }
  }
}

/**
 * The first queued output and the text-only outputs after it, as one: a redaction notice is published at
 * the offset where its text starts, so an output carrying redactions opens a batch and never joins one.
 */
function takeBatch(queue: FilteredOutput[]): FilteredOutput {
  const first = queue.shift()!;
  let text = first.text;
  let blocked = first.blocked;
  while (queue.length > 0 && queue[0]!.redactions.length === 0) {
    const next = queue.shift()!;
    text += next.text;
    blocked ||= next.blocked;
  }
  return { text, redactions: first.redactions, blocked };
}
