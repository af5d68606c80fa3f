// Token-bucket rate limiting, as pure functions over explicit state and time. The Redis limiter runs the same
// arithmetic in one Lua script; the local fallback limiter runs these functions.
import { scopedKey } from '../tenancy/scoped-id.js';

export interface Limits {
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrentStreams: number;
}

export interface BucketState {
  level: number;
  updatedAtMs: number;
}

/** A bucket of `capacity` that refills evenly over a minute, observed at `nowMs`. */
export function refill(state: BucketState | undefined, capacity: number, nowMs: number): BucketState {
  if (!state) return { level: capacity, updatedAtMs: nowMs };
  const elapsed = Math.max(0, nowMs - state.updatedAtMs);
  return { level: Math.min(capacity, state.level + (elapsed * capacity) / 60_000), updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

/** Milliseconds until a bucket at `level` holds `needed`. */
export function waitMs(level: number, needed: number, capacity: number): number {
  return level >= needed ? 0 : Math.ceil(((needed - level) * 60_000) / capacity);
}

/** Charging real usage may drive a token bucket into debt, but never below one minute's worth. */
export function charge(level: number, tokens: number, capacity: number): number {
  return Math.max(-capacity, level - tokens);
}

export type LimitName = 'requests' | 'tokens' | 'concurrent_streams';
export type LimitScope = 'org' | 'user';

export interface LimitSnapshot {
  limit: number;
  remaining: number;
  resetMs: number;
}

export type AdmitDecision =
  | { allowed: true; requests: LimitSnapshot; tokens: LimitSnapshot }
  | { allowed: false; scope: LimitScope; limit: LimitName; retryAfterMs: number; requests: LimitSnapshot; tokens: LimitSnapshot };

export interface AdmitRequest {
  orgId: string;
  userId: string;
  orgLimits: Limits;
  userLimits: Limits;
  /** Identifies the stream slot this request holds until it is released. */
  leaseId: string;
  leaseMs: number;
}

/** Where counters live; a user's buckets sit inside their org's. */
export function limiterKeys(orgId: string, userId: string) {
  const org = (counter: string) => scopedKey('ratelimit', orgId, counter);
  const user = (counter: string) => scopedKey('ratelimit', orgId, 'user', userId, counter);
  return {
    orgRequests: org('requests'), orgTokens: org('tokens'), orgStreams: org('streams'),
    userRequests: user('requests'), userTokens: user('tokens'), userStreams: user('streams'),
  };
}

/** The port the gate depends on. */
export interface RateLimiter {
  /** Takes one request and one stream slot for both user and org, or nothing at all. */
  admit(request: AdmitRequest): Promise<AdmitDecision>;
  /** Charges real token usage to both buckets once an answer has ended, and frees the stream slot. */
  settle(request: { orgId: string; userId: string; orgLimits: Limits; userLimits: Limits; leaseId: string; tokens: number }): Promise<void>;
}

/** Synchronous state the admission arithmetic reads and writes (the local limiter's maps). */
export interface LimiterState {
  bucket(key: string): BucketState | undefined;
  setBucket(key: string, state: BucketState): void;
  /** Live leases of a stream set at `nowMs` (expired ones dropped). */
  leases(key: string, nowMs: number): Map<string, number>;
}

const limitOrder: { scope: LimitScope; limit: LimitName }[] = [
  { scope: 'org', limit: 'requests' }, { scope: 'user', limit: 'requests' },
  { scope: 'org', limit: 'tokens' }, { scope: 'user', limit: 'tokens' },
  { scope: 'org', limit: 'concurrent_streams' }, { scope: 'user', limit: 'concurrent_streams' },
];

/** Retry-After for a full set of stream slots: slots free when answers end, which nobody can predict. */
export const streamRetryMs = 1_000;

/**
 * The admission rule, all or nothing: a request needs one request token in the user's and the org's
 * bucket, a token bucket that is not in debt (tokens are charged with real usage when the answer ends) and
 * a free stream slot in both. The Redis Lua script implements exactly this.
 */
export function evaluateAdmission(state: LimiterState, request: AdmitRequest, nowMs: number): AdmitDecision {
  const keys = limiterKeys(request.orgId, request.userId);
  const orgRequests = refill(state.bucket(keys.orgRequests), request.orgLimits.requestsPerMinute, nowMs);
  const userRequests = refill(state.bucket(keys.userRequests), request.userLimits.requestsPerMinute, nowMs);
  const orgTokens = refill(state.bucket(keys.orgTokens), request.orgLimits.tokensPerMinute, nowMs);
  const userTokens = refill(state.bucket(keys.userTokens), request.userLimits.tokensPerMinute, nowMs);
  const orgLeases = state.leases(keys.orgStreams, nowMs);
  const userLeases = state.leases(keys.userStreams, nowMs);
  const slotFree = (leases: Map<string, number>, limit: number) => leases.has(request.leaseId) || leases.size < limit;
  const waits = [
    waitMs(orgRequests.level, 1, request.orgLimits.requestsPerMinute),
    waitMs(userRequests.level, 1, request.userLimits.requestsPerMinute),
    waitMs(orgTokens.level, 1, request.orgLimits.tokensPerMinute),
    waitMs(userTokens.level, 1, request.userLimits.tokensPerMinute),
    slotFree(orgLeases, request.orgLimits.concurrentStreams) ? 0 : streamRetryMs,
    slotFree(userLeases, request.userLimits.concurrentStreams) ? 0 : streamRetryMs,
  ];
  const failing = waits.findIndex((wait) => wait > 0);
  const snapshot = (org: BucketState, user: BucketState, taken: number) => tighter(
    { limit: request.orgLimits, level: org.level - taken },
    { limit: request.userLimits, level: user.level - taken },
  );
  if (failing >= 0) {
    return {
      allowed: false,
      ...limitOrder[failing]!,
      retryAfterMs: Math.max(...waits),
      requests: snapshot(orgRequests, userRequests, 0).requests,
      tokens: snapshot(orgTokens, userTokens, 0).tokens,
    };
  }
  state.setBucket(keys.orgRequests, { level: orgRequests.level - 1, updatedAtMs: orgRequests.updatedAtMs });
  state.setBucket(keys.userRequests, { level: userRequests.level - 1, updatedAtMs: userRequests.updatedAtMs });
  state.setBucket(keys.orgTokens, orgTokens);
  state.setBucket(keys.userTokens, userTokens);
  orgLeases.set(request.leaseId, nowMs + request.leaseMs);
  userLeases.set(request.leaseId, nowMs + request.leaseMs);
  return { allowed: true, requests: snapshot(orgRequests, userRequests, 1).requests, tokens: snapshot(orgTokens, userTokens, 0).tokens };
}

function tighter(org: { limit: Limits; level: number }, user: { limit: Limits; level: number }) {
  const pick = (name: 'requestsPerMinute' | 'tokensPerMinute'): LimitSnapshot => {
    const [chosen] = [org, user].sort((a, b) => a.level / a.limit[name] - b.level / b.limit[name]);
    const capacity = chosen!.limit[name];
    return { limit: capacity, remaining: Math.max(0, Math.floor(chosen!.level)), resetMs: waitMs(chosen!.level, capacity, capacity) };
  };
  return { requests: pick('requestsPerMinute'), tokens: pick('tokensPerMinute') };
}
