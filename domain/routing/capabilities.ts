// Whether a registered model can serve what a request needs (issue 21): the router keeps only such models,
// for the first choice and for every fallback, and the API refuses a named model that cannot with a 400
// naming the capability.
import type { RequiredCapability } from '../chat/model-request.js';
import type { ModelRegistration } from './model-registration.js';

/** The capabilities among `required` the registration lacks, in the order asked. */
export function missingCapabilities(registration: Pick<ModelRegistration, 'capabilities'>, required: readonly RequiredCapability[] = []): RequiredCapability[] {
  const { tools, jsonMode, vision, logprobs, samplingParams } = registration.capabilities;
  return required.filter((capability) => {
    switch (capability) {
      case 'tools': return !tools;
      case 'json_mode': return !jsonMode;
      case 'vision': return !(vision ?? false);
      case 'logprobs': return !(logprobs ?? false);
      default: return !(samplingParams ?? []).includes(capability);
    }
  });
}

const descriptions: Record<string, string> = {
  tools: 'tool calling (tools)',
  json_mode: 'structured output (response_format)',
  vision: 'image input (vision)',
  logprobs: 'log probabilities (logprobs)',
};

/** "The model 'm' does not support image input (vision)." — names every missing capability. */
export function capabilityRefusal(model: string, missing: readonly RequiredCapability[]): string {
  const names = missing.map((capability) => descriptions[capability] ?? `the sampling parameter ${capability}`);
  return `The model '${model}' does not support ${names.join(', ')}; choose a model that does, or leave it out.`;
}
