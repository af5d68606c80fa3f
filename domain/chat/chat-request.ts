import type { Usage } from './events.js';

export interface ChatTurnInput {
  tenantId: string;
  requestId: string;
  conversationId: string;
  userId?: string;
  question: string;
  /** Model the client asked for, if any; the router decides whether it may be used. */
  model?: string;
  maxTokens?: number;
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface Plan {
  mode: 'direct' | 'rag';
  useRetrieval: boolean;
  tools: string[];
  reason: string;
  history: HistoryMessage[];
}

export interface Citation {
  index: number;
  documentId: string;
  title: string;
  source: string;
  snippet: string;
  score: number;
}

export interface SafetyVerdict {
  action: 'allow' | 'redact' | 'block';
  /** Why, without quoting the text: shown in the Temporal UI. */
  reasons: string[];
  /** The text to use downstream when the verdict redacts. */
  text?: string;
  /** Categories the policy acted on. */
  categories?: string[];
}

export interface ToolOutput {
  tool: string;
  content: string;
  source: string;
}

export interface ModelChoice {
  model: string;
  baseUrl: string;
  /** Next models to try if this one fails, in order. */
  fallbacks: { model: string; baseUrl: string }[];
  reason: string;
}

export interface GenerationResult {
  text: string;
  usage: Usage;
  model: string;
  finishReason: string;
  resumedFromOffset: number;
}

export type ChatOutcome = 'completed' | 'blocked' | 'cancelled' | 'failed';

export interface ChatTurnResult {
  outcome: ChatOutcome;
  answer: string;
  model?: string;
  usage: Usage;
  citations: Citation[];
  /** Findings of the post-generation check that did not block the answer. */
  safetyNotes?: string[];
}

export type ChatStep = 'planning' | 'gathering' | 'routing' | 'generating' | 'checking' | 'persisting' | 'done';

export interface ChatTurnStatus {
  step: ChatStep;
  model?: string;
  outcome?: ChatOutcome;
}
