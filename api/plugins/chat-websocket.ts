import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import websocket from '@fastify/websocket';
import { ChatConnection, type ChatConnectionDependencies } from '../chat/chat-connection.js';
import { principalOf } from '../gateway/authenticate-hook.js';

export interface ChatWebSocketOptions extends Omit<ChatConnectionDependencies, 'logger'> {
  /** Runs before the upgrade: an unauthenticated client gets a 401 and never a socket. */
  authenticate: onRequestHookHandler;
}

/** Frames above this are dropped by the socket itself; smaller oversized frames get an error event. */
const hardFrameLimitBytes = 4 * 1024 * 1024;

export async function chatWebSocketPlugin(app: FastifyInstance, options: ChatWebSocketOptions): Promise<void> {
  await app.register(websocket, { options: { maxPayload: hardFrameLimitBytes } });
  const connections = new Set<ChatConnection>();
  app.addHook('onClose', async () => {
    for (const connection of connections) connection.close();
  });
  const { authenticate, ...dependencies } = options;
  app.get('/v1/chat/ws', { websocket: true, onRequest: authenticate }, (socket, request) => {
    const connection = new ChatConnection(socket, principalOf(request), { ...dependencies, logger: request.log });
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
}
