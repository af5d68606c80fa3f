// Ports the chat turn depends on. Adapters implement them in infra/; workers wire them.
import type { Citation, SafetyVerdict, ToolOutput } from './chat-request.js';

export interface Retriever {
  /** Whether the tenant has anything indexed (lets the planner skip retrieval). */
  hasDocuments(tenantId: string): Promise<boolean>;
  /** Best passages for the question, tenant filter always applied, numbered from 1. */
  search(tenantId: string, question: string, options: { signal?: AbortSignal }): Promise<Citation[]>;
}

export interface SafetyFilter {
  check(tenantId: string, text: string, stage: 'input' | 'output'): Promise<SafetyVerdict>;
}

export interface ToolRunner {
  names(tenantId: string): Promise<string[]>;
  run(tenantId: string, tool: string, question: string, options: { signal?: AbortSignal }): Promise<ToolOutput>;
}

export interface ModelEndpoint {
  model: string;
  baseUrl: string;
}

export interface ModelCatalog {
  /** Models a tenant may use, the default first. */
  modelsFor(tenantId: string): Promise<ModelEndpoint[]>;
}
