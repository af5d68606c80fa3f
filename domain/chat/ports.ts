// Ports the chat turn depends on. Adapters implement them in infra/; workers wire them.
import type { Citation, SafetyVerdict, ToolOutput } from './chat-request.js';
import type { ProviderKind } from '../routing/model-registration.js';

export interface Retriever {
  /** Whether the tenant has anything indexed (lets the planner skip retrieval). */
  hasDocuments(tenantId: string): Promise<boolean>;
  /** Best passages for the question, tenant filter always applied, numbered from 1. */
  search(tenantId: string, question: string, options: { signal?: AbortSignal }): Promise<Citation[]>;
}

export type SafetyStage = 'input' | 'untrusted' | 'output';

/** Screens text under the tenant's safety policy. */
export interface SafetyScreen {
  check(tenantId: string, text: string, stage: SafetyStage): Promise<SafetyVerdict>;
  /** A filter for the answer stream: releases only text that is safe to publish. */
  outputFilter(tenantId: string): Promise<OutputFilter>;
}

export interface OutputFilter {
  push(delta: string): FilteredOutput;
  end(): FilteredOutput;
}

export interface FilteredOutput {
  text: string;
  /** What was redacted (or blocked) in `text`: categories and reasons, never the matched text. */
  redactions: { category: string; detail: string }[];
  blocked: boolean;
}

export interface ToolRunner {
  names(tenantId: string): Promise<string[]>;
  run(tenantId: string, tool: string, question: string, options: { signal?: AbortSignal }): Promise<ToolOutput>;
}

export interface ModelEndpoint {
  model: string;
  baseUrl: string;
  provider?: ProviderKind;
}

export interface ModelCatalog {
  /** Models a tenant may use, the default first. */
  modelsFor(tenantId: string): Promise<ModelEndpoint[]>;
}
