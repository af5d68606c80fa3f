// What a chat completion needs of its model (client tools, structured output, images, log probabilities,
// model-server sampling fields), and the refusal of a named model that lacks it: a 400 naming the capability
// before any work. The router applies the same rule when it picks the model and its fallbacks.
import type { RequiredCapability } from '../../domain/chat/model-request.js';
import { capabilityRefusal, missingCapabilities } from '../../domain/routing/capabilities.js';
import type { DeploymentEnvironment, ModelRegistration } from '../../domain/routing/model-registration.js';
import type { ModelRegistryReader } from '../../domain/routing/ports.js';
import { GatewayError } from '../gateway/gateway-error.js';
import { serverSamplingOf, type ChatCompletionRequest } from './chat-completion-request.js';
import type { TurnMessages } from './turn-messages.js';

export function requiredCapabilities(body: ChatCompletionRequest, turn: Pick<TurnMessages, 'hasImages' | 'hasToolMessages'>): RequiredCapability[] {
  const required: RequiredCapability[] = [];
  if ((body.tools?.length && body.tool_choice !== 'none') || turn.hasToolMessages) required.push('tools');
  if (body.response_format && body.response_format.type !== 'text') required.push('json_mode');
  if (turn.hasImages) required.push('vision');
  if (body.logprobs === true || (body.top_logprobs ?? 0) > 0) required.push('logprobs');
  required.push(...Object.keys(serverSamplingOf(body) ?? {}) as RequiredCapability[]);
  return required;
}

/** Which parameter to name when a capability is missing. */
const paramOf: Partial<Record<RequiredCapability, string>> = { tools: 'tools', json_mode: 'response_format', vision: 'messages', logprobs: 'logprobs' };

/** Looks a model's registration up in the registry the router reads (cached). */
export class ModelCapabilityCheck {
  constructor(private readonly registry: ModelRegistryReader, private readonly environment: DeploymentEnvironment) {}

  /** Refuses the request when the model's registration lacks a capability it needs; an unregistered model is the router's business. */
  async check(model: string, required: readonly RequiredCapability[]): Promise<void> {
    if (required.length === 0) return;
    const registration: ModelRegistration | undefined = (await this.registry.list(this.environment)).find((candidate) => candidate.model === model);
    if (!registration) return;
    const missing = missingCapabilities(registration, required);
    if (missing.length > 0) throw new GatewayError(400, 'bad_request', capabilityRefusal(model, missing), {}, paramOf[missing[0]!] ?? missing[0]!);
  }
}
