// The onRequest hook of every authenticated route (the WebSocket's too, so a bad credential gets a 401
// before the upgrade). It leaves the caller on request.principal.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/gateway/principal.js';
import type { Authenticator } from './authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The credential the principal came from, for connections that re-check it (the WebSocket). */
    credential: { token: string; expiresAt?: number } | null;
  }
}

export function authenticateHook(authenticator: Authenticator) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const { principal, token, expiresAt } = await authenticator.credential(request.headers);
    request.principal = principal;
    request.credential = { token, ...(expiresAt !== undefined ? { expiresAt } : {}) };
  };
}

/** The principal of a route behind authenticateHook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route is not behind the authenticate hook');
  return request.principal;
}
