// The Responses API's streamed event sequence, from a chat turn's deltas: response.created and
// response.in_progress, then per output item output_item.added, its content (output_text.delta or
// function_call_arguments.delta, each closed by its .done) and output_item.done, and last
// response.completed / response.incomplete / response.failed carrying the whole Response. Every event has
// a sequence_number; an item is opened at its first delta, so a turn that only calls tools has no empty message.
import type { TokenUsage } from '../../../domain/gateway/pricing.js';
import {
  functionCallIdOf, messageOutput, responseObject,
  type FunctionCallOutput, type MessageOutput, type OutputItem, type ResponseContext, type ResponseState,
} from './response-object.js';

export type EmitEvent = (event: { type: string; sequence_number: number } & Record<string, unknown>) => void;

/** One fragment of a streamed tool call, as chat completions stream them (the first one names the call). */
export interface ToolCallFragment {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export class ResponsesStreamWriter {
  private sequence = 0;
  private readonly state: ResponseState = { status: 'in_progress', output: [] };
  private message?: { item: MessageOutput; outputIndex: number };
  private readonly calls = new Map<number, { item: FunctionCallOutput; outputIndex: number }>();
  private closed = false;

  constructor(private readonly context: ResponseContext, private readonly emit: EmitEvent) {}

  start(): void {
    const response = responseObject(this.context, this.state);
    this.send('response.created', { response });
    this.send('response.in_progress', { response });
  }

  text(delta: string): void {
    if (delta === '') return;
    const { item, outputIndex } = this.openMessage();
    item.content[0]!.text += delta;
    this.send('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta, logprobs: [] });
  }

  toolCall(fragment: ToolCallFragment): void {
    let call = this.calls.get(fragment.index);
    if (!call) {
      const item: FunctionCallOutput = {
        type: 'function_call', id: functionCallIdOf(this.context.requestId, fragment.index), call_id: fragment.id ?? `call_${this.context.requestId}_${fragment.index}`,
        name: fragment.name ?? '', arguments: '', status: 'in_progress',
      };
      call = { item, outputIndex: this.state.output.length };
      this.calls.set(fragment.index, call);
      this.state.output.push(item);
      this.send('response.output_item.added', { output_index: call.outputIndex, item: { ...item } });
    }
    if (fragment.arguments) {
      call.item.arguments += fragment.arguments;
      this.send('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.outputIndex, delta: fragment.arguments });
    }
  }

  /** The turn ended: items are closed, then the whole Response is sent. `content_filter` means it was blocked. */
  finish(usage: TokenUsage, incompleteReason?: ResponseState['incompleteReason']): void {
    if (this.closed) return;
    if (this.state.output.length === 0 && incompleteReason !== 'content_filter') this.openMessage();
    this.closeItems(incompleteReason ? 'incomplete' : 'completed');
    this.state.usage = usage;
    this.state.status = incompleteReason ? 'incomplete' : 'completed';
    if (incompleteReason) this.state.incompleteReason = incompleteReason;
    this.send(incompleteReason ? 'response.incomplete' : 'response.completed', { response: responseObject(this.context, this.state) });
  }

  fail(error: { code: string; message: string }): void {
    if (this.closed) return;
    this.closeItems('incomplete');
    this.state.status = 'failed';
    this.state.error = error;
    this.send('response.failed', { response: responseObject(this.context, this.state) });
  }

  /** The output so far. */
  get output(): OutputItem[] {
    return this.state.output;
  }

  /** Whether the model called a tool (the answer then ended for the client to run it, not at a cap). */
  get calledTools(): boolean {
    return this.calls.size > 0;
  }

  private openMessage(): { item: MessageOutput; outputIndex: number } {
    if (this.message) return this.message;
    const item = messageOutput(this.context.requestId, '', 'in_progress');
    this.message = { item, outputIndex: this.state.output.length };
    this.state.output.push(item);
    this.send('response.output_item.added', { output_index: this.message.outputIndex, item: { ...item, content: [] } });
    this.send('response.content_part.added', { item_id: item.id, output_index: this.message.outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
    return this.message;
  }

  private closeItems(status: 'completed' | 'incomplete'): void {
    this.closed = true;
    for (const [outputIndex, item] of this.state.output.entries()) {
      item.status = status;
      if (item.type === 'message') {
        const part = item.content[0]!;
        this.send('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text: part.text, logprobs: [] });
        this.send('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } });
      } else {
        this.send('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments });
      }
      this.send('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) });
    }
  }

  private send(type: string, payload: Record<string, unknown>): void {
    this.emit({ type, sequence_number: this.sequence++, ...payload });
  }
}
