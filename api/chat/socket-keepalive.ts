// Keep-alive for one WebSocket: the server pings it every `pingIntervalMs`; a frame or a pong is activity. A
// socket without activity for `idleTimeoutMs` is told why (an `error` event, code idle_timeout) and closed, so
// a vanished client does not hold a socket and its lease forever, while a quiet live one (its pongs) stays.
import type { WebSocket } from 'ws';

export const idleCloseCode = 4408;

export interface KeepAliveOptions {
  idleTimeoutMs: number;
  pingIntervalMs: number;
  /** Called with every ping while the socket stays open (renews its lease). */
  onTick?: () => void;
}

export function keepAlive(socket: WebSocket, options: KeepAliveOptions): void {
  let lastActivity = Date.now();
  const active = () => { lastActivity = Date.now(); };
  socket.on('message', active);
  socket.on('pong', active);
  const tick = Math.max(10, Math.min(options.pingIntervalMs, options.idleTimeoutMs / 2));
  let lastPing = 0;
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    const now = Date.now();
    if (now - lastActivity >= options.idleTimeoutMs) {
      socket.send(JSON.stringify({ type: 'error', data: { code: 'idle_timeout', message: `no frame or pong for ${options.idleTimeoutMs} ms; the connection is closed` } }));
      socket.close(idleCloseCode, 'idle_timeout');
      return;
    }
    if (now - lastPing >= options.pingIntervalMs) {
      lastPing = now;
      socket.ping();
      options.onTick?.();
    }
  }, tick);
  timer.unref();
  socket.on('close', () => clearInterval(timer));
}
