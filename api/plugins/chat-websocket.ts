import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import websocket from '@fastify/websocket';
import { ChatConnection, type ChatConnectionDependencies } from '../chat/chat-connection.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import type { CredentialWatch } from '../gateway/credential-watch.js';

export interface ChatWebSocketOptions extends Omit<ChatConnectionDependencies, 'logger' | 'credential'> {
  /** Runs before the upgrade: an unauthenticated client gets a 401 and never a socket. */
  authenticate: onRequestHookHandler;
  /** Re-checks each socket's credential while it is open (revoked, deleted, suspended, expired). */
  credentials: CredentialWatch;
}

/** Close code of a socket whose credential stopped holding (4000-4999: application codes; 4401 as in HTTP 401). */
export const credentialCloseCode = 4401;

/** Frames above this are dropped by the socket itself; smaller oversized frames get an error event. */
const hardFrameLimitBytes = 4 * 1024 * 1024;

export async function chatWebSocketPlugin(app: FastifyInstance, options: ChatWebSocketOptions): Promise<void> {
  // The web client offers `ragtime` plus its key as `ragtime.bearer.<key>`: only `ragtime` is ever selected,
  // so the key is not echoed in the handshake response.
  await app.register(websocket, { options: { maxPayload: hardFrameLimitBytes, handleProtocols: (protocols) => (protocols.has('ragtime') ? 'ragtime' : false) } });
  const connections = new Set<ChatConnection>();
  app.addHook('onClose', async () => {
    for (const connection of connections) connection.close();
  });
  const { authenticate, credentials, ...dependencies } = options;
  app.get('/v1/chat/ws', { websocket: true, onRequest: authenticate }, (socket, request) => {
    const principal = principalOf(request);
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
    socket.on('close', () => {
      lease.release();
      connections.delete(connection);
    });
  });
}
