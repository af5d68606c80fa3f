// How generate publishes client tool calls (activities/chat/tool-call-stream.ts): in order, each call's first
// fragment with its id and name, offsets contiguous; after a retry or failover only what the client does not
// have yet; a resumed call that differs from what was sent fails the turn instead of corrupting it.
import { describe, expect, it } from 'vitest';
import type { OutputFilter } from '../../domain/chat/ports.js';
import { ToolCallStream, type ToolCallFragment } from '../../activities/chat/tool-call-stream.js';

/** Holds text back until a space, like the output filter holds a word that may still be forming. */
function wordFilter(): OutputFilter {
  let held = '';
  return {
    push(delta) {
      held += delta;
      const cut = held.lastIndexOf(' ') + 1;
      const text = held.slice(0, cut);
      held = held.slice(cut);
      return { text, redactions: [], blocked: false };
    },
    end() {
      const text = held;
      held = '';
      return { text, redactions: [], blocked: false };
    },
  };
}

async function feed(stream: ToolCallStream, pieces: { index: number; id?: string; name?: string; arguments: string }[]): Promise<ToolCallFragment[]> {
  const out: ToolCallFragment[] = [];
  for (const piece of pieces) out.push(...await stream.push(piece));
  return [...out, ...stream.end()];
}

const call = (index: number, id: string, name: string, args: string) => [
  { index, id, name, arguments: '' },
  ...args.match(/.{1,5}/gs)!.map((piece) => ({ index, arguments: piece })),
];

describe('client tool calls in the answer stream', () => {
  it('publishes each call in order: id and name first, then argument text at contiguous offsets', async () => {
    const stream = new ToolCallStream([], async () => wordFilter());
    const fragments = await feed(stream, [...call(0, 'call_a', 'get_weather', '{"city": "Paris"}'), ...call(1, 'call_b', 'get_time', '{"zone": "CET"}')]);
    expect(fragments[0]).toMatchObject({ index: 0, id: 'call_a', name: 'get_weather', offset: 0 });
    for (const index of [0, 1]) {
      const own = fragments.filter((fragment) => fragment.index === index);
      expect(own.filter((fragment) => fragment.id !== undefined)).toHaveLength(1);
      let offset = 0;
      for (const fragment of own) {
        expect(fragment.offset).toBe(offset);
        offset += fragment.arguments.length;
      }
    }
    expect(stream.snapshot()).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"zone": "CET"}' } },
    ]);
  });

  it('after a retry publishes only past what was sent, keeping the first id', async () => {
    const first = new ToolCallStream([], async () => wordFilter());
    for (const piece of call(0, 'call_a', 'get_weather', '{"city": "Paris", "unit": "celsius"}').slice(0, 4)) await first.push(piece);
    const sent = first.snapshot();
    expect(sent[0]!.function.arguments).toBe('{"city": ');

    const retry = new ToolCallStream(sent, async () => wordFilter());
    retry.beginEndpoint();
    const fragments = await feed(retry, call(0, 'call_other', 'get_weather', '{"city": "Paris", "unit": "celsius"}'));
    expect(fragments.every((fragment) => fragment.id === undefined)).toBe(true);
    expect(fragments[0]!.offset).toBe('{"city": '.length);
    expect(sent[0]!.function.arguments + fragments.map((fragment) => fragment.arguments).join('')).toBe('{"city": "Paris", "unit": "celsius"}');
    expect(retry.snapshot()[0]).toMatchObject({ id: 'call_a', function: { arguments: '{"city": "Paris", "unit": "celsius"}' } });
  });

  it('fails the turn when the resumed call differs from the one the client already has', async () => {
    const retry = new ToolCallStream([{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": ' } }], async () => wordFilter());
    await expect(feed(retry, call(0, 'call_x', 'get_weather', '{"town": "Lyon"}'))).rejects.toMatchObject({ type: 'tool_call_diverged', nonRetryable: true });
    const renamed = new ToolCallStream([{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }], async () => wordFilter());
    await expect(feed(renamed, call(0, 'call_x', 'send_mail', '{}'))).rejects.toMatchObject({ type: 'tool_call_diverged' });
  });
});
