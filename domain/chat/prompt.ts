import type { Citation, HistoryMessage, ToolOutput } from './chat-request.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptParts {
  question: string;
  history: HistoryMessage[];
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
    system += '\nAnswer from the numbered sources below and cite them as [n] right after the sentence that uses them.'
      + ' Do not write a list of sources or references: the reader already has them. If the sources do not contain the answer, say so.';
    system += `\n\nSources:\n${sources.join('\n')}`;
  }
  if (parts.retrievalSkipped) system += `\n(Document search was unavailable: ${parts.retrievalSkipped}.)`;
  if (parts.instructions) system += `\n\nInstructions from the client:\n${parts.instructions}`;
  return [
    { role: 'system', content: system },
    ...parts.history.map((message) => ({ role: message.role, content: message.content })),
    { role: 'user', content: parts.question },
  ];
}
