import type { Citation, HistoryMessage, ToolOutput } from './chat-request.js';
import type { ContentPart, ToolCallRequest } from './model-request.js';

/**
 * One message to the model. `content` is always its text; `parts` (a user message with images) is what an
 * OpenAI-compatible server receives instead; an assistant message may carry tool calls and a `tool` message
 * answers one. Histories recorded before client tools hold only role and content.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  parts?: ContentPart[];
  toolCalls?: ToolCallRequest[];
  toolCallId?: string;
}

export interface PromptParts {
  question: string;
  /** The question's text and images in order, when it has images. */
  questionParts?: ContentPart[];
  history: HistoryMessage[];
  /** Assistant tool calls and the client's tool results after the question (a tool round trip). */
  continuation?: HistoryMessage[];
  citations: Citation[];
  toolOutputs: ToolOutput[];
  /** Set when retrieval was wanted but did not finish in time. */
  retrievalSkipped?: string;
  /** The client's own system instructions (OpenAI-compatible requests). */
  instructions?: string;
}

const basePrompt = 'You are Ragtime, a concise and accurate assistant.';

/**
 * Builds the model's messages. Sources are numbered so the answer's [n] markers refer to the citations the
 * client received; tool outputs are numbered after the documents.
 */
export function buildMessages(parts: PromptParts): ChatMessage[] {
  const sources = [
    ...parts.citations.map((citation) => `[${citation.index}] ${citation.title}: ${citation.snippet}`),
    ...parts.toolOutputs.map((output, offset) => `[${parts.citations.length + offset + 1}] ${output.tool}: ${output.content}`),
  ];
  let system = basePrompt;
  if (sources.length > 0) {
    system += '\nAnswer from the numbered sources below. End each sentence that uses a source with its number in brackets,'
      + ` for example [1]; only the numbers 1 to ${sources.length} exist.`
      + ' Do not write a list of sources or references: the reader already has them. If the sources do not contain the answer, say so.';
    system += `\n\nSources:\n${sources.join('\n')}`;
  }
  if (parts.retrievalSkipped) system += `\n(Document search was unavailable: ${parts.retrievalSkipped}.)`;
  if (parts.instructions) system += `\n\nInstructions from the client:\n${parts.instructions}`;
  return [
    { role: 'system', content: system },
    ...parts.history.map(messageOf),
    { role: 'user', content: parts.question, ...(parts.questionParts ? { parts: parts.questionParts } : {}) },
    ...(parts.continuation ?? []).map(messageOf),
  ];
}

/** A history message as the model reads it; only what it carries (older histories: role and content). */
function messageOf(message: HistoryMessage): ChatMessage {
  return {
    role: message.role,
    content: message.content,
    ...(message.parts ? { parts: message.parts } : {}),
    ...(message.toolCalls ? { toolCalls: message.toolCalls } : {}),
    ...(message.toolCallId !== undefined ? { toolCallId: message.toolCallId } : {}),
  };
}
