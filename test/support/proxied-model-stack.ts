// A Ragtime stack (chat worker + API, staging registry) whose one model is the real llama.cpp behind a recording
// proxy (recording-model-proxy.ts): the Responses suites drive it with the official clients and assert the
// requests the model server actually received.
import { withDefaults } from '../../domain/routing/model-registration.js';
import { RecordingModelProxy } from './recording-model-proxy.js';
import { routingHarness } from './routing-stack.js';
import { services } from './services.js';
import { startApi, startConfiguredWorker, uniqueTaskQueue, type TestApi } from './stack.js';

export interface ProxiedModelStack {
  /** What the model server received. */
  upstream: RecordingModelProxy;
  api: TestApi;
  /** Base URL of Ragtime's OpenAI-compatible API (…/v1). */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startProxiedModelStack(name: string, model: string): Promise<ProxiedModelStack> {
  const taskQueue = uniqueTaskQueue(name);
  const upstream = new RecordingModelProxy(services().modelBaseUrl);
  const harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging', CHAT_TASK_QUEUE: taskQueue });
  try {
    await harness.registry.register(withDefaults({ model, endpoint: await upstream.start(), environment: 'staging' }));
  } catch (error) {
    await upstream.close();
    await harness.close();
    throw error;
  }
  const [worker, api] = await Promise.allSettled([
    startConfiguredWorker(harness.config),
    startApi(taskQueue, { REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX, MODEL_ENVIRONMENT: 'staging' }),
  ]);
  const close = async () => {
    if (api.status === 'fulfilled') await api.value.close();
    if (worker.status === 'fulfilled') await worker.value.stop();
    await upstream.close();
    await harness.close();
  };
  if (worker.status === 'rejected' || api.status === 'rejected') {
    await close();
    throw worker.status === 'rejected' ? worker.reason : (api as PromiseRejectedResult).reason;
  }
  return { upstream, api: api.value, baseUrl: `${api.value.url}/v1`, close };
}
