// The answer generate has published, as generate holds it: the text, each delta's seq and offset, and the
// highest seq it saw. The Redis stream is the client's copy; when Redis loses it (a restart without its data)
// this log puts the deltas back under their original seqs, and every later event gets a seq above the
// high-water mark, so a client resuming from any seq it saw receives every character exactly once. The log
// travels in generate's heartbeat details, so a retry on another worker can restore the stream too.
import { StreamOffsetConflict } from '../../domain/chat/errors.js';
import type { EventLog, PublishedDelta } from '../../domain/chat/ports.js';
import type { OutgoingEvent } from '../../domain/chat/events.js';

/** The log as heartbeat details carry it: deltas as flat [seq, offset, seq, offset, …] pairs. */
export interface AnswerLogSnapshot {
  text: string;
  deltas: number[];
  highWater: number;
}

export class AnswerLog {
  private constructor(
    private readonly events: EventLog,
    private readonly workflowId: string,
    private answer: string,
    private readonly deltas: PublishedDelta[],
    private highWater: number,
  ) {}

  /**
   * The stream's own deltas, unless the saved log holds more of the answer than the stream does (Redis lost
   * it): then the stream is restored from the saved log. `restored` counts the deltas put back.
   */
  static async open(events: EventLog, workflowId: string, saved?: AnswerLogSnapshot): Promise<{ log: AnswerLog; restored: number }> {
    const inStream = await events.deltas(workflowId);
    const streamed = inStream.map((delta) => delta.text).join('');
    const highWater = Math.max(saved?.highWater ?? 0, inStream.at(-1)?.seq ?? 0);
    if (saved && saved.text.length > streamed.length && saved.text.startsWith(streamed)) {
      const log = new AnswerLog(events, workflowId, saved.text, unpack(saved), highWater);
      return { log, restored: await log.restore() };
    }
    return { log: new AnswerLog(events, workflowId, streamed, inStream, highWater), restored: 0 };
  }

  get text(): string {
    return this.answer;
  }

  /** Appends a delta; a stream that lost part of the answer (its offset behind ours) is restored first. */
  async append(piece: string): Promise<void> {
    const offset = this.answer.length;
    let seq: number;
    try {
      seq = await this.events.appendDelta(this.workflowId, offset, piece, this.highWater);
    } catch (error) {
      if (!(error instanceof StreamOffsetConflict) || error.actual >= offset) throw error;
      await this.restore();
      seq = await this.events.appendDelta(this.workflowId, offset, piece, this.highWater);
    }
    this.deltas.push({ seq, offset, text: piece });
    this.answer += piece;
    this.highWater = Math.max(this.highWater, seq);
  }

  /** Publishes a non-delta event above the high-water mark. */
  async publish(event: OutgoingEvent): Promise<void> {
    this.highWater = Math.max(this.highWater, await this.events.publish(this.workflowId, event, this.highWater));
  }

  snapshot(): AnswerLogSnapshot {
    return { text: this.answer, deltas: this.deltas.flatMap((delta) => [delta.seq, delta.offset]), highWater: this.highWater };
  }

  private restore(): Promise<number> {
    return this.events.restore(this.workflowId, this.deltas, this.answer.length, this.highWater);
  }
}

function unpack(saved: AnswerLogSnapshot): PublishedDelta[] {
  const deltas: PublishedDelta[] = [];
  for (let index = 0; index + 1 < saved.deltas.length; index += 2) {
    const offset = saved.deltas[index + 1]!;
    const end = index + 3 < saved.deltas.length ? saved.deltas[index + 3]! : saved.text.length;
    deltas.push({ seq: saved.deltas[index]!, offset, text: saved.text.slice(offset, end) });
  }
  return deltas;
}
