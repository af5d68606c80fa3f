// Client tool calls a model streams as the whole answer's JSON instead of in the server's tool-call field
// (Qwen2.5 through llama.cpp, which leaves out the <tool_call> tags). Text is held back while the answer so far
// could still be such JSON (it starts with `{`, `[` or a ``` fence); at the finish, a held answer that
// toolCallsInText reads as calls of offered tools goes out as tool-call chunks with finish reason
// `tool_calls`, anything else as the text it was. An answer that starts otherwise streams as before, and once
// the server sends a parsed tool call of its own nothing is read from the text.
import { randomUUID } from 'node:crypto';
import type { ChatStreamChunk } from '../../domain/chat/ports.js';
import type { ClientTool, TokenLogprob } from '../../domain/chat/model-request.js';
import { toolCallsInText } from '../../domain/tools/text-tool-call.js';

export async function* readTextToolCalls(chunks: AsyncIterable<ChatStreamChunk>, tools: readonly ClientTool[]): AsyncGenerator<ChatStreamChunk> {
  const offered = tools.map((tool) => ({ name: tool.function.name, parameters: tool.function.parameters ?? {} }));
  let holding = true;
  let held = '';
  let heldLogprobs: TokenLogprob[] = [];
  const release = (): ChatStreamChunk[] => {
    holding = false;
    if (!held) return [];
    const chunk: ChatStreamChunk = { type: 'delta', text: held, ...(heldLogprobs.length ? { logprobs: heldLogprobs } : {}) };
    held = '';
    heldLogprobs = [];
    return [chunk];
  };
  for await (const chunk of chunks) {
    if (!holding) {
      yield chunk;
      continue;
    }
    if (chunk.type === 'delta') {
      held += chunk.text;
      if (chunk.logprobs) heldLogprobs = [...heldLogprobs, ...chunk.logprobs];
      if (!couldBeCall(held)) yield* release();
    } else if (chunk.type === 'tool_call') {
      yield* release();
      yield chunk;
    } else if (chunk.type === 'finish') {
      const calls = held ? toolCallsInText(held, offered) : undefined;
      if (!calls) {
        yield* release();
        yield chunk;
        continue;
      }
      holding = false;
      held = '';
      for (const [index, call] of calls.entries()) {
        yield { type: 'tool_call', index, id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`, name: call.tool, arguments: JSON.stringify(call.arguments) };
      }
      yield { type: 'finish', reason: 'tool_calls' };
    } else {
      yield chunk;
    }
  }
  yield* release();
}

/** Whether text could still become a whole-answer call: blank so far, or opening a JSON value or a ``` fence. */
function couldBeCall(text: string): boolean {
  const start = text.trimStart();
  if (start === '' || start.startsWith('{') || start.startsWith('[')) return true;
  return start.length < 3 ? '```'.startsWith(start) : start.startsWith('```');
}
