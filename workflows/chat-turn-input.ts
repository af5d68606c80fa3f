// The chat turn's input checks, run before anything else: a request the edge should have refused fails the
// workflow at once as bad_request (non-retryable), naming every problem.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ChatTurnInput } from '../domain/chat/chat-request.js';
import { isIdentifier, maxContextCharacters, maxQuestionCharacters } from '../domain/limits.js';
import { fusionStrategies } from '../domain/routing/fusion.js';

/** Bounds of a stateless client's own history (the OpenAI-compatible API); its characters: maxContextCharacters. */
const maxHistoryMessages = 255;

export function validate(input: ChatTurnInput): void {
  const problems: string[] = [];
  for (const name of ['tenantId', 'requestId', 'conversationId'] as const) {
    if (!isIdentifier(input[name])) problems.push(`${name} must be 1-64 letters, digits, _ or -`);
  }
  if (typeof input.question !== 'string' || input.question.trim() === '') problems.push('question must be a non-empty string');
  else if (input.question.length > maxQuestionCharacters) problems.push(`question must be at most ${maxQuestionCharacters} characters`);
  if (input.maxTokens !== undefined && (!Number.isInteger(input.maxTokens) || input.maxTokens < 1)) problems.push('maxTokens must be a positive integer');
  problems.push(...clientContextProblems(input));
  if (input.fusion && !fusionStrategies.includes(input.fusion.strategy)) problems.push(`fusion.strategy must be one of ${fusionStrategies.join(', ')}`);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'bad_request');
}

/** A stateless client's history, instructions and sampling settings, checked before anything runs. */
function clientContextProblems(input: ChatTurnInput): string[] {
  const problems: string[] = [];
  for (const [name, messages] of [['history', input.history], ['continuation', input.continuation]] as const) {
    if (messages === undefined) continue;
    if (!Array.isArray(messages) || messages.length > maxHistoryMessages) problems.push(`${name} must be a list of at most ${maxHistoryMessages} messages`);
    else if (messages.some((message) => !['user', 'assistant', 'tool'].includes(message.role) || typeof message.content !== 'string')) problems.push(`${name} messages need a role (user, assistant or tool) and a text content`);
  }
  if (input.instructions !== undefined && typeof input.instructions !== 'string') problems.push('instructions must be a string');
  const contextLength = (input.history ?? []).reduce((sum, message) => sum + (typeof message.content === 'string' ? message.content.length : 0), 0) + (input.instructions?.length ?? 0);
  if (contextLength > maxContextCharacters) problems.push(`history and instructions must be at most ${maxContextCharacters} characters`);
  const { temperature, topP, stop } = input.sampling ?? {};
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) problems.push('sampling.temperature must be between 0 and 2');
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) problems.push('sampling.topP must be between 0 and 1');
  if (stop !== undefined && (!Array.isArray(stop) || stop.length > 4 || stop.some((each) => typeof each !== 'string'))) problems.push('sampling.stop must be at most 4 strings');
  const { seed, frequencyPenalty, presencePenalty, topLogprobs } = input.sampling ?? {};
  if (seed !== undefined && !Number.isInteger(seed)) problems.push('sampling.seed must be an integer');
  for (const [name, value] of [['frequencyPenalty', frequencyPenalty], ['presencePenalty', presencePenalty]] as const) {
    if (value !== undefined && !(value >= -2 && value <= 2)) problems.push(`sampling.${name} must be between -2 and 2`);
  }
  if (topLogprobs !== undefined && !(Number.isInteger(topLogprobs) && topLogprobs >= 0 && topLogprobs <= 20)) problems.push('sampling.topLogprobs must be an integer from 0 to 20');
  return problems;
}
