// The client tool calls of one answer as generate streams them: each call's argument fragments pass through
// their own output filter (PII in an argument is redacted as in text) and are published in order with their
// call `index`. What was published survives a retry or a failover (heartbeat details): the next endpoint's
// calls are published only past what the client already has, so a resuming client gets each fragment once.
// A model cannot continue a half-written tool call, so the next endpoint writes it again; if it writes a
// different call than the one already sent, the answer cannot be made coherent and the turn fails.
import { ApplicationFailure } from '@temporalio/activity';
import type { FilteredOutput, OutputFilter } from '../../domain/chat/ports.js';
import type { ToolCallRequest } from '../../domain/chat/model-request.js';

/** One fragment to publish: `id` and `name` travel with a call's first fragment. */
export interface ToolCallFragment {
  index: number;
  id?: string;
  name?: string;
  arguments: string;
  /** Where in the call's arguments this fragment starts. */
  offset: number;
  redactions: FilteredOutput['redactions'];
  blocked: boolean;
}

interface EndpointCall {
  filter: OutputFilter;
  /** Released (filtered) arguments this endpoint produced. */
  released: string;
  id?: string;
  name?: string;
  /** Redactions of released text not published yet (they travel with the next fragment). */
  redactions: FilteredOutput['redactions'];
  blocked: boolean;
}

export class ToolCallStream {
  private readonly published = new Map<number, ToolCallRequest>();
  private current = new Map<number, EndpointCall>();

  constructor(saved: ToolCallRequest[] = [], private readonly newFilter: () => Promise<OutputFilter>) {
    saved.forEach((call, index) => this.published.set(index, structuredClone(call)));
  }

  /** A new endpoint (or attempt) starts its calls from nothing; what was published stays. */
  beginEndpoint(): void {
    this.current = new Map();
  }

  get any(): boolean {
    return this.published.size > 0 || this.current.size > 0;
  }

  /** The calls published so far, by index (heartbeat details and the activity's result). */
  snapshot(): ToolCallRequest[] {
    return [...this.published.entries()].sort(([a], [b]) => a - b).map(([, call]) => structuredClone(call));
  }

  async push(chunk: { index: number; id?: string; name?: string; arguments: string }): Promise<ToolCallFragment[]> {
    let call = this.current.get(chunk.index);
    if (!call) {
      call = { filter: await this.newFilter(), released: '', redactions: [], blocked: false };
      this.current.set(chunk.index, call);
    }
    if (chunk.id) call.id ??= chunk.id;
    if (chunk.name) call.name = (call.name ?? '') + chunk.name;
    return this.release(chunk.index, call, call.filter.push(chunk.arguments));
  }

  /** Releases what each call's filter still holds (the stream ended). */
  end(): ToolCallFragment[] {
    return [...this.current.entries()].flatMap(([index, call]) => this.release(index, call, call.filter.end(), true));
  }

  private release(index: number, call: EndpointCall, output: FilteredOutput, final = false): ToolCallFragment[] {
    call.released += output.text;
    call.redactions.push(...output.redactions);
    call.blocked ||= output.blocked;
    const sent = this.published.get(index);
    const sentArguments = sent?.function.arguments ?? '';
    if (sent && call.name !== undefined && call.name !== sent.function.name) throw diverged(index);
    const common = Math.min(call.released.length, sentArguments.length);
    if (call.released.slice(0, common) !== sentArguments.slice(0, common)) throw diverged(index);
    const fresh = call.released.slice(sentArguments.length);
    // The call's first fragment waits for its name; a call without arguments is announced when it ends.
    const header = !sent;
    if (header && (call.name === undefined || (!fresh && !final && !call.blocked))) return [];
    // Each fragment has its own offset (the event's dedupe key): one without new text waits for the next
    // (a block ends the answer, so nothing follows it).
    if (!header && !fresh && !call.blocked) return [];
    const target = sent ?? { id: call.id ?? `call_${index}`, type: 'function' as const, function: { name: call.name!, arguments: '' } };
    const fragment: ToolCallFragment = {
      index,
      ...(header ? { id: target.id, name: target.function.name } : {}),
      arguments: fresh,
      offset: sentArguments.length,
      redactions: call.redactions,
      blocked: call.blocked,
    };
    call.redactions = [];
    target.function.arguments += fresh;
    this.published.set(index, target);
    return [fragment];
  }
}

function diverged(index: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`tool call ${index} was interrupted and the model wrote a different call when it resumed`, 'tool_call_diverged');
}
