// The chat WebSocket that survives drops: it reconnects with exponential backoff and resumes every unfinished
// request from the last event it saw, so an answer continues in place with no gap and no repeat (events
// at or below a request's last seq are ignored).
export interface ChatEvent { type: string; requestId?: string; seq?: number; data: Record<string, unknown> }

export interface ChatSocketHandlers {
  event(event: ChatEvent): void;
  /** 'lost' with the delay before the next attempt, 'reconnected' with the requests resumed. */
  connection(state: { kind: 'connected' } | { kind: 'lost'; retryInMs: number } | { kind: 'reconnected'; resumed: number }): void;
}

const terminal = new Set(['answer.done', 'error']);
const maxBackoffMs = 5_000;

export class ChatSocket {
  private socket: WebSocket | undefined;
  private readonly lastSeq = new Map<string, number>();
  private readonly open = new Set<string>();
  private readonly queue: string[] = [];
  private attempts = 0;
  private everConnected = false;
  private stopped = false;

  constructor(private readonly key: string, private readonly handlers: ChatSocketHandlers) {
    this.connect();
  }

  chat(message: { requestId: string; conversationId: string; message: string; model?: string; maxTokens?: number; fusion?: { strategy: string } }): void {
    this.open.add(message.requestId);
    this.lastSeq.set(message.requestId, 0);
    this.send({ type: 'chat', ...message });
  }

  cancel(requestId: string): void {
    this.send({ type: 'cancel', requestId });
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
  }

  private send(message: Record<string, unknown>): void {
    const frame = JSON.stringify(message);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
    else this.queue.push(frame);
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/chat/ws`;
    const socket = new WebSocket(url, ['ragtime', `ragtime.bearer.${this.key}`]);
    this.socket = socket;
    socket.addEventListener('open', () => {
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.attempts = 0;
      // Unfinished requests first, then what was typed while offline.
      for (const requestId of this.open) socket.send(JSON.stringify({ type: 'resume', requestId, lastEventId: this.lastSeq.get(requestId) ?? 0 }));
      for (const frame of this.queue.splice(0)) socket.send(frame);
      this.handlers.connection(reconnect ? { kind: 'reconnected', resumed: this.open.size } : { kind: 'connected' });
    });
    socket.addEventListener('message', (message) => this.onMessage(String(message.data)));
    socket.addEventListener('close', () => {
      if (this.socket !== socket || this.stopped) return;
      const retryInMs = Math.min(maxBackoffMs, 250 * 2 ** this.attempts) * (0.8 + Math.random() * 0.4);
      this.attempts += 1;
      this.handlers.connection({ kind: 'lost', retryInMs });
      setTimeout(() => this.connect(), retryInMs);
    });
  }

  private onMessage(raw: string): void {
    let event: ChatEvent;
    try {
      event = JSON.parse(raw) as ChatEvent;
    } catch {
      return;
    }
    const { requestId, seq } = event;
    if (requestId && seq !== undefined) {
      if (seq <= (this.lastSeq.get(requestId) ?? 0)) return;
      this.lastSeq.set(requestId, seq);
    }
    if (requestId && terminal.has(event.type)) this.open.delete(requestId);
    this.handlers.event(event);
  }
}
