// A Ragtime stack whose model is the recording upstream (test/support/recording-model-server.ts), registered
// with the tools and JSON-mode capabilities (not vision, not logprobs; top_k and min_p allowed), for the suites
// that drive /v1/chat/completions with the official clients and assert what the model server received.
// Ragtime's own tools are off (TOOLS_DEFAULT_ENABLED=none) so the only tools the model sees are the client's.
import { randomUUID } from 'node:crypto';
import { withDefaults, type ModelRegistration } from '../../domain/routing/model-registration.js';
import { startRecordingModelServer, type RecordingModelServer } from './recording-model-server.js';
import { routingHarness, startConfiguredWorker, type RoutingHarness } from './routing-stack.js';
import { startApi, type TestApi } from './stack.js';
import { apiKeyFor } from './identities.js';

export const recordingModel = 'recorder-tools-json';

export interface ModelStack {
  harness: RoutingHarness;
  api: TestApi;
  /** Base URL of Ragtime's OpenAI-compatible API (…/v1). */
  baseUrl: string;
  apiKey: string;
  org: string;
  close(): Promise<void>;
}

export interface RecordingStack extends ModelStack {
  recorder: RecordingModelServer;
}

export async function startRecordingStack(name: string): Promise<RecordingStack> {
  const recorder = await startRecordingModelServer(recordingModel);
  let stack: ModelStack;
  try {
    stack = await startModelStack(name, withDefaults({
      model: recordingModel, endpoint: recorder.baseUrl, environment: 'staging', contextLength: 8192,
      capabilities: { tools: true, jsonMode: true, vision: false, logprobs: false, samplingParams: ['top_k', 'min_p'] },
    }));
  } catch (error) {
    await recorder.close();
    throw error;
  }
  return {
    ...stack,
    recorder,
    async close() {
      await stack.close();
      await recorder.close();
    },
  };
}

/** Ragtime (worker + API, Ragtime's own tools off) whose one model is `registration`, in the staging registry. */
export async function startModelStack(name: string, registration: ModelRegistration): Promise<ModelStack> {
  const taskQueue = `chat-test-${name}-${randomUUID().slice(0, 8)}`;
  const settings = { MODEL_ENVIRONMENT: 'staging', CHAT_TASK_QUEUE: taskQueue, TOOLS_DEFAULT_ENABLED: 'none', LLM_MODEL: registration.model, LLM_BASE_URL: registration.endpoint };
  const harness = await routingHarness(settings);
  await harness.registry.register(registration);
  const worker = await startConfiguredWorker(harness.config);
  const api = await startApi(taskQueue, { ...settings, REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX });
  const org = `${name}-${randomUUID().slice(0, 6)}`;
  return {
    harness, api, org,
    baseUrl: `${api.url}/v1`,
    apiKey: await apiKeyFor(org),
    async close() {
      await api.close();
      await worker.stop();
      await harness.close();
    },
  };
}

/** The last request the recording model server received. */
export function lastGeneration(recorder: RecordingModelServer): Record<string, unknown> {
  const body = recorder.requests.at(-1);
  if (!body) throw new Error('the model server received no request');
  return body;
}
