// A test client for the chat WebSocket that records every frame and waits for conditions.
import WebSocket from 'ws';
import { apiKeyFor } from './identities.js';

export interface ReceivedEvent {
  type: string;
  requestId?: string;
  seq?: number;
  data: Record<string, unknown>;
}

export class ChatSocket {
  readonly events: ReceivedEvent[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.events.push(JSON.parse(raw.toString()) as ReceivedEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Opens a socket as a user of org `tenant` (created on first use), or with the given API key. */
  static async open(url: string, tenant = 'public', apiKey?: string): Promise<ChatSocket> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${apiKey ?? (await apiKeyFor(tenant))}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ChatSocket(socket);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends exactly this: a string as a text frame, a Buffer as a binary frame. */
  sendRaw(frame: string | Buffer): void {
    this.socket.send(frame);
  }

  for(requestId: string): ReceivedEvent[] {
    return this.events.filter((event) => event.requestId === requestId);
  }

  async waitFor(description: string, predicate: (events: ReceivedEvent[]) => boolean, timeoutMs = 60_000): Promise<ReceivedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}; received ${JSON.stringify(this.events.map((event) => event.type))}`);
      if (this.socket.readyState !== WebSocket.OPEN) throw new Error(`socket closed while waiting for ${description}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.events;
  }

  async waitForEnd(requestId: string, timeoutMs = 90_000): Promise<ReceivedEvent[]> {
    await this.waitFor(`end of ${requestId}`, () => this.for(requestId).some((event) => event.type === 'answer.done' || event.type === 'error'), timeoutMs);
    return this.for(requestId);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close();
    await closed;
  }
}

/** The answer text rebuilt from delta events, checking each delta starts where the previous ended. */
export function answerOf(events: ReceivedEvent[]): string {
  let text = '';
  for (const event of events.filter((candidate) => candidate.type === 'answer.delta')) {
    if (event.data.offset !== text.length) throw new Error(`delta at offset ${String(event.data.offset)} after ${text.length} characters`);
    text += String(event.data.text);
  }
  return text;
}

export function seqsOf(events: ReceivedEvent[]): number[] {
  return events.filter((event) => event.seq !== undefined).map((event) => event.seq!);
}
