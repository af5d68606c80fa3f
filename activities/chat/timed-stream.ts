// Wraps a model stream with deadlines: no first token within `firstTokenMs`, or no token for `stallMs`
// after that, aborts the upstream request and tells why. Also measures time to first token and time per
// token for the latency averages the router uses.
import type { ChatStreamChunk } from '../../domain/chat/ports.js';
import type { LatencySample } from '../../domain/routing/ports.js';

export interface StreamDeadlines {
  firstTokenMs: number;
  stallMs: number;
}

export interface TimedStream {
  chunks: AsyncIterable<ChatStreamChunk>;
  /** Set when a deadline aborted the stream. */
  readonly timedOut: string | undefined;
  /** Measurements of a stream that produced at least one token. */
  timing(): LatencySample | undefined;
}

export function streamWithDeadlines(open: (signal: AbortSignal) => AsyncIterable<ChatStreamChunk>, deadlines?: StreamDeadlines): TimedStream {
  const controller = new AbortController();
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let lastTokenAt = 0;
  let tokens = 0;
  let timedOut: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, why: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = why;
      controller.abort(new Error(why));
    }, ms);
  };

  async function* chunks(): AsyncGenerator<ChatStreamChunk> {
    if (deadlines) arm(deadlines.firstTokenMs, `no first token within ${deadlines.firstTokenMs} ms`);
    try {
      for await (const chunk of open(controller.signal)) {
        if (chunk.type === 'delta') {
          const now = performance.now();
          firstTokenAt ??= now;
          lastTokenAt = now;
          tokens += 1;
          if (deadlines) arm(deadlines.stallMs, `stalled: no token for ${deadlines.stallMs} ms`);
        }
        yield chunk;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    chunks: chunks(),
    get timedOut() {
      return timedOut;
    },
    timing() {
      if (firstTokenAt === undefined) return undefined;
      return { ttftMs: firstTokenAt - startedAt, ...(tokens > 1 ? { msPerToken: (lastTokenAt - firstTokenAt) / (tokens - 1) } : {}) };
    },
  };
}
