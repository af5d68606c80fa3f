// The chat WebSocket (GET /v1/chat/ws): authenticated and capped before the upgrade, then one ChatConnection per
// socket, kept alive by pings and closed when its credential stops holding.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import websocket from '@fastify/websocket';
import type { Principal } from '../../domain/gateway/principal.js';
import { SocketLeases, type SocketScope } from '../../infra/gateway/socket-leases.js';
import { ChatConnection, type ChatConnectionDependencies } from '../chat/chat-connection.js';
import { keepAlive } from '../chat/socket-keepalive.js';
import type { EdgeLimits } from '../edge/edge-limits.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import type { CredentialWatch } from '../gateway/credential-watch.js';

export interface ChatWebSocketOptions extends Omit<ChatConnectionDependencies, 'logger' | 'credential'> {
  /** Runs before the upgrade: an unauthenticated client gets a 401 and never a socket. */
  authenticate: onRequestAsyncHookHandler;
  /** Re-checks each socket's credential while it is open (revoked, deleted, suspended, expired). */
  credentials: CredentialWatch;
  limits: EdgeLimits;
  /** Where the open-socket leases are counted (across instances). */
  redis: Redis;
}

/** Close code of a socket whose credential stopped holding (4000-4999: application codes; 4401 as in HTTP 401). */
export const credentialCloseCode = 4401;

/** Frames above this are dropped by the socket itself; smaller oversized frames get an error event. */
const hardFrameLimitBytes = 4 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    socketLease: { id: string; scopes: SocketScope[] } | null;
  }
}

export async function chatWebSocketPlugin(app: FastifyInstance, options: ChatWebSocketOptions): Promise<void> {
  // The web client offers `ragtime` plus its key as `ragtime.bearer.<key>`: only `ragtime` is ever selected,
  // so the key is not echoed in the handshake response.
  await app.register(websocket, { options: { maxPayload: hardFrameLimitBytes, handleProtocols: (protocols) => (protocols.has('ragtime') ? 'ragtime' : false) } });
  app.decorateRequest('socketLease', null);
  const connections = new Set<ChatConnection>();
  app.addHook('onClose', async () => {
    for (const connection of connections) connection.close();
  });
  const { authenticate, credentials, limits, redis: _redis, ...dependencies } = options;
  const leases = new SocketLeases(options.redis, limits.wsPingIntervalMs * 3);
  const scopesOf = (principal: Principal): SocketScope[] => [
    { name: `key:${principal.orgId}:${principal.keyId ?? `user:${principal.userId}`}`, limit: limits.wsMaxSocketsPerKey },
    { name: `org:${principal.orgId}`, limit: limits.wsMaxSocketsPerOrg },
  ];

  // Before the upgrade: a client over its open-socket cap gets a 429 and never a socket.
  const admitSocket = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const socketLease = { id: randomUUID(), scopes: scopesOf(principal) };
    let result;
    try {
      result = await leases.acquire(socketLease.id, socketLease.scopes);
    } catch (error) {
      // Like the rate limiter's default: Redis trouble must not take the chat down; the cap resumes with it.
      request.log.error({ err: error }, 'socket cap unavailable; admitting the socket');
      return;
    }
    if (!result.ok) {
      const which = result.refusedBy === socketLease.scopes[0] ? 'this API key' : 'this organization';
      throw Object.assign(new Error(`Too many open chat sockets for ${which} (at most ${result.refusedBy.limit}); close one and retry.`), { statusCode: 429, code: 'too_many_sockets' });
    }
    request.socketLease = socketLease;
  };

  // Not in /openapi.json: the upgrade and its protocol are described in the README.
  app.route({
    method: 'GET',
    url: '/v1/chat/ws',
    schema: { hide: true },
    onRequest: authenticate,
    preHandler: admitSocket,
    // A plain GET (no upgrade) is told what the route wants.
    handler: (_request, reply) => reply.code(426).header('upgrade', 'websocket')
      .send({ error: { message: 'This route speaks WebSocket: send an upgrade request.', type: 'invalid_request_error', code: 'upgrade_required', param: null } }),
    wsHandler: (socket, request) => {
      const principal = principalOf(request);
      const socketLease = request.socketLease;
      const lease = credentials.watch({
        principal,
        token: request.credential!.token,
        ...(request.credential!.expiresAt !== undefined ? { expiresAt: request.credential!.expiresAt } : {}),
        revoke: (reason) => {
          request.log.info({ reason }, 'closing a chat socket: its credential no longer holds');
          connection.refuse(reason, reason === 'credential_expired' ? 'The token expired.' : 'The credential was revoked.');
          socket.close(credentialCloseCode, reason);
        },
      });
      const connection = new ChatConnection(socket, principal, { ...dependencies, logger: request.log, credential: lease });
      connections.add(connection);
      keepAlive(socket, {
        idleTimeoutMs: limits.wsIdleTimeoutMs,
        pingIntervalMs: limits.wsPingIntervalMs,
        onTick: () => {
          if (socketLease) leases.renew(socketLease.id, socketLease.scopes).catch((error: unknown) => request.log.warn({ err: error }, 'socket lease renewal failed'));
        },
      });
      socket.on('close', () => {
        lease.release();
        connections.delete(connection);
        if (socketLease) leases.release(socketLease.id, socketLease.scopes).catch((error: unknown) => request.log.warn({ err: error }, 'socket lease release failed'));
      });
    },
  });
}
