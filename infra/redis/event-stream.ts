// Per-request event streams in Redis. Publishing is atomic (one Lua script): every event gets the next
// `seq` as its stream id (`seq-0`), a retried publish with the same dedupe key is a no-op, and answer deltas
// are compare-and-append on the emitted text offset, so a stale attempt can never interleave its text.
// A stream Redis lost (restarted without its data) is restored by the generator that holds the text: its
// deltas go back under their original seqs and the seq counter continues above them, so a client resuming
// from any seq it saw receives every character once.
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
local floor = tonumber(ARGV[7])
if seq <= floor then
  seq = floor + 1
  redis.call('HSET', KEYS[2], 'seq', seq)
end
redis.call('XADD', KEYS[1], seq .. '-0', 'type', ARGV[1], 'data', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'dedupe:' .. ARGV[3], seq) end
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, seq}
`;

// ARGV: total offset, high-water seq, ttl, then (seq, data) pairs. Deltas missing from the stream go back in
// seq order among the events it still holds (a snapshot kept a prefix, or an event was published after the
// loss); the offset and the seq counter move to at least the generator's own.
const restoreScript = `
local entries, present = {}, {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local seq = tonumber(string.match(entry[1], '^(%d+)'))
  present[seq] = true
  table.insert(entries, {seq, entry[2]})
end
local restored = 0
for i = 4, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  if not present[seq] then
    table.insert(entries, {seq, {'type', 'answer.delta', 'data', ARGV[i + 1]}})
    restored = restored + 1
  end
end
local last = 0
if restored > 0 then
  table.sort(entries, function(a, b) return a[1] < b[1] end)
  redis.call('DEL', KEYS[1])
  for _, entry in ipairs(entries) do
    redis.call('XADD', KEYS[1], entry[1] .. '-0', unpack(entry[2]))
  end
end
if #entries > 0 then last = entries[#entries][1] end
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
redis.call('HSET', KEYS[2], 'offset', ARGV[1], 'seq', math.max(current, tonumber(ARGV[2]), last))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return restored
`;

type PublishReply = [status: number, value: number];

/** One answer delta as the stream holds it. */
export interface PublishedDelta {
  seq: number;
  offset: number;
  text: string;
}

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
    redis.defineCommand('ragtimeRestore', { numberOfKeys: 2, lua: restoreScript });
  }

  /**
   * Publishes a non-delta event once; returns its seq (the original one when it was already published). Its seq
   * is above `minSeq`: a publisher that saw seqs up to there never reuses one after Redis lost the stream.
   */
  async publish(workflowId: string, event: OutgoingEvent, minSeq = 0): Promise<number> {
    const [, seq] = await this.run(workflowId, event.type, event.data, event.dedupeKey, '', '', minSeq);
    return seq;
  }

  /** Appends answer text at `offset` (seq above `minSeq`); fails with StreamOffsetConflict if the stream is elsewhere. */
  async appendDelta(workflowId: string, offset: number, text: string, minSeq = 0): Promise<number> {
    const next = offset + text.length;
    const [status, value] = await this.run(workflowId, 'answer.delta', { text, offset }, '', String(offset), String(next), minSeq);
    if (status === -1) throw new StreamOffsetConflict(offset, value);
    return value;
  }

  /** The answer text already delivered to the stream, rebuilt from its delta events. */
  async emittedText(workflowId: string): Promise<string> {
    return (await this.deltas(workflowId)).map((delta) => delta.text).join('');
  }

  /** The answer deltas in the stream, in order. */
  async deltas(workflowId: string): Promise<PublishedDelta[]> {
    return (await this.range(workflowId, 0))
      .filter((event) => event.type === 'answer.delta')
      .map((event) => ({ seq: event.seq, offset: event.data.offset, text: event.data.text }));
  }

  /**
   * Puts back deltas the stream lost, under their original seqs, and moves the stream's offset to the end of
   * `text` and its seq counter to at least `highWater`; returns how many deltas went back.
   */
  async restore(workflowId: string, deltas: PublishedDelta[], textLength: number, highWater: number): Promise<number> {
    const tagged = hashTagged(workflowId);
    const pairs = deltas.flatMap((delta) => [String(delta.seq), JSON.stringify({ text: delta.text, offset: delta.offset })]);
    const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<number>>).ragtimeRestore!;
    return command.call(this.redis, eventStreamKey(tagged), `${eventStreamKey(tagged)}:meta`, String(textLength), String(highWater), this.ttlSeconds, ...pairs);
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

  private async run(workflowId: string, type: ChatEventType, data: ChatEvent['data'], dedupeKey: string, expectedOffset: string, newOffset: string, minSeq: number): Promise<PublishReply> {
    const tagged = hashTagged(workflowId);
    const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<PublishReply>>).ragtimePublish!;
    return command.call(this.redis, eventStreamKey(tagged), `${eventStreamKey(tagged)}:meta`, type, JSON.stringify(data), dedupeKey, expectedOffset, newOffset, this.ttlSeconds, minSeq);
  }
}

/** Both keys of one request share a Redis Cluster hash slot. */
function hashTagged(workflowId: string): string {
  return `{${workflowId}}`;
}

function toEvent([id, fields]: [string, string[]]): ChatEvent {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1]!;
  // The stream holds only what publish and appendDelta wrote: each type with its own data.
  return { seq: Number(id.split('-')[0]), type: record.type, data: JSON.parse(record.data ?? '{}') } as ChatEvent;
}
