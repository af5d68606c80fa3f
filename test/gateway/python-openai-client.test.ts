// The official `openai` Python client (2.x, from the .venv) against Ragtime whose model is the recording
// upstream: the script in python/ drives it as a Python application would, and this test checks what the
// client saw and what the model server received.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/processes.js';
import { lastGeneration, recordingModel, startRecordingStack, type RecordingStack } from '../support/recording-stack.js';

const run = promisify(execFile);

describe('the openai Python client against Ragtime', () => {
  let stack: RecordingStack;

  beforeAll(async () => {
    stack = await startRecordingStack('python-openai');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('gets tool calls (plain and streamed), a tool round trip, structured output and OpenAI error shapes', { timeout: 120_000 }, async () => {
    const python = path.join(projectRoot, '.venv', 'bin', 'python');
    const { stdout } = await run(python, [path.join(import.meta.dirname, 'python', 'openai_client_check.py'), stack.baseUrl, stack.apiKey, recordingModel], { timeout: 110_000 });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen.client_version).toMatch(/^2\./);
    expect(seen.tool_call).toMatchObject({ finish_reason: 'tool_calls', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } });
    expect(seen.streamed).toEqual({ finish_reasons: ['tool_calls'], calls: [{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }] });
    expect(seen.streamed_usage).toBe(10);
    expect(seen.round_trip).toBe('The tool answered: 18 degrees');
    expect(seen.structured).toEqual({ name: 'Ada', age: 36 });
    expect(seen.single_part).toBe('Hello from the recording model.');
    expect(seen.image).toMatchObject({ status: 400, code: 'bad_request', param: 'messages', message: expect.stringMatching(/vision/) });
    expect(seen.unknown_route).toEqual({ status: 404, code: 'not_found', type: 'invalid_request_error' });

    // What the model server received from the structured request (the last but one: the single part came after).
    const structured = stack.recorder.requests.find((body) => body.response_format !== undefined)!;
    expect(structured).toMatchObject({ seed: 7, max_tokens: 40, response_format: { type: 'json_schema', json_schema: { name: 'person' } } });
    expect((lastGeneration(stack.recorder).messages as { content: unknown }[]).at(-1)!.content).toBe('hi');
  });
});
