// The answers this instance is relaying to clients: a graceful shutdown lets them finish (bounded) before the
// sockets close. Usage is settled by each turn's workflow, so nothing else waits on a run here.
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  /** Tracks a relay until it settles (it never rejects: its failures are reported to its client). */
  track(relay: Promise<void>): Promise<void> {
    const tracked = relay.then(() => undefined, () => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return relay;
  }

  /** Waits for the relays in progress, for at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.running), new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }
}
