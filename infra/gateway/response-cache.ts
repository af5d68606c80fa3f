// Cached answers for identical requests, per tenant: the key hashes the org with the canonical request, so
// one org's entry can never answer another's request.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenUsage } from '../../domain/gateway/pricing.js';
import type { ToolCallRequest } from '../../domain/chat/model-request.js';
import { scopedKey } from '../../domain/tenancy/scoped-id.js';

export interface CachedAnswer {
  model: string;
  answer: string;
  finishReason: string;
  /** What the original answer cost to produce: a hit reports it to the client and is charged nothing. */
  usage: TokenUsage;
  /** The client tool calls the answer made. */
  toolCalls?: ToolCallRequest[];
}

export class ResponseCache {
  constructor(private readonly redis: Redis, private readonly ttlSeconds: number) {}

  get enabled(): boolean {
    return this.ttlSeconds > 0;
  }

  key(orgId: string, request: unknown): string {
    return scopedKey('cache', orgId, createHash('sha256').update(canonicalJson(request)).digest('hex'));
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as CachedAnswer) : undefined;
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    await this.redis.set(key, JSON.stringify(answer), 'EX', this.ttlSeconds);
  }
}

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
