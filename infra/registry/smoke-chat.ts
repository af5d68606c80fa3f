// The promotion gate's smoke chat: one short, real completion through the endpoint with the adapter of
// its protocol (the same one the workers generate with), passing only when an answer comes back non-empty.
import type { ChatModel } from '../../domain/chat/ports.js';
import type { SmokeResult } from '../../domain/routing/deployments.js';
import type { ModelRegistration } from '../../domain/routing/model-registration.js';

export const smokePrompt = 'Reply with a short greeting.';

export async function smokeChat(chatModel: ChatModel, registration: ModelRegistration, options: { timeoutMs: number; maxTokens?: number }): Promise<SmokeResult> {
  const started = performance.now();
  let answer = '';
  try {
    for await (const chunk of chatModel.stream({
      provider: registration.provider,
      baseUrl: registration.endpoint,
      model: registration.model,
      messages: [{ role: 'user', content: smokePrompt }],
      maxTokens: options.maxTokens ?? 8,
      temperature: 0,
      signal: AbortSignal.timeout(options.timeoutMs),
    })) {
      if (chunk.type === 'delta') answer += chunk.text;
    }
  } catch (error) {
    return { ok: false, answer, latencyMs: elapsed(started), error: (error as Error).message };
  }
  return { ok: answer.trim().length > 0, answer, latencyMs: elapsed(started), ...(answer.trim() ? {} : { error: 'empty answer' }) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
