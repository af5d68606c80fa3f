// Timeouts and caps at the edge, from infra/config.ts (the defaults here are the same as there).
import type { Config } from '../../infra/config.js';

export interface EdgeLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  wsIdleTimeoutMs: number;
  wsPingIntervalMs: number;
  wsMaxSocketsPerKey: number;
  wsMaxSocketsPerOrg: number;
}

export const defaultEdgeLimits: EdgeLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  wsIdleTimeoutMs: 120_000,
  wsPingIntervalMs: 30_000,
  wsMaxSocketsPerKey: 16,
  wsMaxSocketsPerOrg: 256,
};

export function edgeLimitsOf(config: Config): EdgeLimits {
  return {
    headersTimeoutMs: config.API_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.API_REQUEST_TIMEOUT_MS,
    wsIdleTimeoutMs: config.WS_IDLE_TIMEOUT_MS,
    wsPingIntervalMs: config.WS_PING_INTERVAL_MS,
    wsMaxSocketsPerKey: config.WS_MAX_SOCKETS_PER_KEY,
    wsMaxSocketsPerOrg: config.WS_MAX_SOCKETS_PER_ORG,
  };
}
