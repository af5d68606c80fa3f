// The publish window: text released while a write is in flight goes out with the next write, in order; a
// redaction notice opens its own write; a failed write surfaces on the next push and on flush; close waits
// for the write in flight and drops the rest.
import { describe, expect, it } from 'vitest';
import type { FilteredOutput } from '../../domain/chat/ports.js';
import { PublishWindow } from '../../activities/chat/publish-window.js';

const text = (value: string): FilteredOutput => ({ text: value, redactions: [], blocked: false });

function recorder() {
  const writes: FilteredOutput[] = [];
  const pending: (() => void)[] = [];
  const write = (output: FilteredOutput) => new Promise<void>((resolve) => {
    writes.push(output);
    pending.push(resolve);
  });
  const release = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { writes, write, release };
}

describe('PublishWindow', () => {
  it('writes the first text at once and coalesces what arrives while it is in flight', async () => {
    const { writes, write, release } = recorder();
    const window = new PublishWindow(write);
    window.push(text('a'));
    expect(writes.map((output) => output.text)).toEqual(['a']);
    window.push(text('b'));
    window.push(text('c'));
    window.push(text(''));
    await release();
    expect(writes.map((output) => output.text)).toEqual(['a', 'bc']);
    const flushed = window.flush();
    await release();
    await flushed;
    expect(writes).toHaveLength(2);
  });

  it('publishes a redaction at the start of its own write, never inside another', async () => {
    const { writes, write, release } = recorder();
    const window = new PublishWindow(write);
    const redaction = { category: 'email', detail: 'email address' };
    window.push(text('one '));
    window.push(text('two '));
    window.push({ text: '[email] ', redactions: [redaction], blocked: false });
    window.push(text('three'));
    window.push({ text: '', redactions: [redaction], blocked: true });
    for (let round = 0; round < 4; round += 1) await release();
    await window.flush();
    expect(writes).toEqual([
      text('one '),
      text('two '),
      { text: '[email] three', redactions: [redaction], blocked: false },
      { text: '', redactions: [redaction], blocked: true },
    ]);
  });

  it('surfaces a failed write on the next push and on flush, and writes nothing after it', async () => {
    let calls = 0;
    const window = new PublishWindow(async () => {
      calls += 1;
      throw new Error('redis down');
    });
    window.push(text('a'));
    await expect(window.flush()).rejects.toThrow('redis down');
    expect(() => window.push(text('b'))).toThrow('redis down');
    expect(calls).toBe(1);
  });

  it('close waits for the write in flight and drops what is queued', async () => {
    const { writes, write, release } = recorder();
    const window = new PublishWindow(write);
    window.push(text('a'));
    window.push(text('b'));
    let closed = false;
    const closing = window.close().then(() => { closed = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    await release();
    await closing;
    expect(closed).toBe(true);
    window.push(text('c'));
    expect(writes.map((output) => output.text)).toEqual(['a']);
  });
});
