// Per-request event streams in Redis. Publishing is atomic (one Lua script): every event gets the next
// `seq` as its stream id (`seq-0`), a retried publish with the same dedupe key is a no-op, and answer deltas
// are compare-and-append on the emitted text offset, so a stale attempt can never interleave its text.
import type { Redis } from 'ioredis';
import type { ChatEvent, ChatEventType, OutgoingEvent } from '../../domain/chat/events.js';
import { eventStreamKey } from '../../domain/chat/ids.js';

const publishScript = `
if ARGV[3] ~= '' then
  local existing = redis.call('HGET', KEYS[2], 'dedupe:' .. ARGV[3])
  if existing then return {0, tonumber(existing)} end
end
if ARGV[4] ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[2], 'offset') or '0')
  if current ~= tonumber(ARGV[4]) then return {-1, current} end
  redis.call('HSET', KEYS[2], 'offset', ARGV[5])
end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('XADD', KEYS[1], seq .. '-0', 'type', ARGV[1], 'data', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'dedupe:' .. ARGV[3], seq) end
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, seq}
`;

type PublishReply = [status: number, value: number];

/** Thrown when another attempt has already moved the stream past the offset this one expected. */
export class StreamOffsetConflict extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`answer stream is at offset ${actual}, this attempt expected ${expected}`);
    this.name = 'StreamOffsetConflict';
  }
}

export class EventStream {
  constructor(private readonly redis: Redis, private readonly ttlSeconds: number) {
    redis.defineCommand('ragtimePublish', { numberOfKeys: 2, lua: publishScript });
  }

  /** Publishes a non-delta event once; returns its seq (the original one when it was already published). */
  async publish(workflowId: string, event: OutgoingEvent): Promise<number> {
    const [, seq] = await this.run(workflowId, event.type, event.data, event.dedupeKey, '', '');
    return seq;
  }

  /** Appends answer text at `offset`; fails with StreamOffsetConflict if the stream is elsewhere. */
  async appendDelta(workflowId: string, offset: number, text: string, extra: Record<string, unknown> = {}): Promise<number> {
    const next = offset + text.length;
    const [status, value] = await this.run(workflowId, 'answer.delta', { ...extra, text, offset }, '', String(offset), String(next));
    if (status === -1) throw new StreamOffsetConflict(offset, value);
    return value;
  }

  /** The answer text already delivered to the stream, rebuilt from its delta events. */
  async emittedText(workflowId: string): Promise<string> {
    const events = await this.range(workflowId, 0);
    return events
      .filter((event) => event.type === 'answer.delta')
      .map((event) => String(event.data.text ?? ''))
      .join('');
  }

  /** Events with seq > afterSeq, waiting up to blockMs for the first one (0 = don't wait). */
  async read(workflowId: string, afterSeq: number, blockMs: number, connection: Redis = this.redis): Promise<ChatEvent[]> {
    const key = eventStreamKey(hashTagged(workflowId));
    const reply = blockMs > 0
      ? await connection.xread('COUNT', 512, 'BLOCK', blockMs, 'STREAMS', key, `${afterSeq}-0`)
      : await connection.xread('COUNT', 512, 'STREAMS', key, `${afterSeq}-0`);
    if (!reply) return [];
    return reply.flatMap(([, entries]) => entries.map(toEvent));
  }

  async range(workflowId: string, afterSeq: number): Promise<ChatEvent[]> {
    const entries = await this.redis.xrange(eventStreamKey(hashTagged(workflowId)), `(${afterSeq}-0`, '+');
    return entries.map(toEvent);
  }

  private async run(workflowId: string, type: ChatEventType, data: Record<string, unknown>, dedupeKey: string, expectedOffset: string, newOffset: string): Promise<PublishReply> {
    const tagged = hashTagged(workflowId);
    const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<PublishReply>>).ragtimePublish!;
    return command.call(this.redis, eventStreamKey(tagged), `${eventStreamKey(tagged)}:meta`, type, JSON.stringify(data), dedupeKey, expectedOffset, newOffset, this.ttlSeconds);
  }
}

/** Both keys of one request share a Redis Cluster hash slot. */
function hashTagged(workflowId: string): string {
  return `{${workflowId}}`;
}

function toEvent([id, fields]: [string, string[]]): ChatEvent {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1]!;
  return { seq: Number(id.split('-')[0]), type: record.type as ChatEventType, data: JSON.parse(record.data ?? '{}') };
}
