import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { ChatConnection, type ChatConnectionDependencies } from '../chat/chat-connection.js';

export interface ChatWebSocketOptions extends Omit<ChatConnectionDependencies, 'logger'> {
  defaultTenant: string;
}

/** Frames above this are dropped by the socket itself; smaller oversized frames get an error event. */
const hardFrameLimitBytes = 4 * 1024 * 1024;

export async function chatWebSocketPlugin(app: FastifyInstance, options: ChatWebSocketOptions): Promise<void> {
  await app.register(websocket, { options: { maxPayload: hardFrameLimitBytes } });
  const connections = new Set<ChatConnection>();
  app.addHook('onClose', async () => {
    for (const connection of connections) connection.close();
  });
  app.get('/v1/chat/ws', { websocket: true }, (socket, request) => {
    // Until the gateway's authentication lands, the tenant comes from a header.
    const header = request.headers['x-tenant-id'];
    const tenantId = typeof header === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(header) ? header : options.defaultTenant;
    const connection = new ChatConnection(socket, tenantId, { ...options, logger: request.log });
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
}
