// Ports the chat turn depends on. Adapters implement them in infra/; workers wire them.
import type { Citation, SafetyVerdict, ToolCall, ToolOutput } from './chat-request.js';
import type { ProviderKind } from '../routing/model-registration.js';
import type { ModelAccess } from '../routing/model-access.js';

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

/** A tool as a tool-calling model sees it (the OpenAI `function` object). */
export interface ToolSpecification {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** Requests the tool serves, with the arguments a call should carry. */
  examples?: readonly { request: string; arguments: Record<string, unknown> }[];
}

/** The tools of a tenant. Failures are ToolErrors, whose `retryable` tells the activity whether to retry. */
export interface ToolRunner {
  /** Tools the tenant may use: configured on this deployment and enabled for the tenant. */
  available(tenantId: string): Promise<ToolSpecification[]>;
  /** Whether a call passes the tool's own checks without running it (arguments, URL on the allow-list). */
  accepts(call: Pick<ToolCall, 'tool' | 'arguments'>): boolean;
  run(tenantId: string, call: ToolCall, options: { signal?: AbortSignal }): Promise<ToolOutput>;
}

export interface ModelEndpoint {
  model: string;
  baseUrl: string;
  provider?: ProviderKind;
}

/** The models the API offers: the registry the workers route with, seen through a tier (see model-access.ts). */
export interface ModelCatalog {
  /** Ready models the tier may use, in the registry's order. */
  modelsFor(tier: string): Promise<ModelEndpoint[]>;
  /** Whether the tier may request the model now (a disabled one only through a ready fallback). */
  access(model: string, tier: string): Promise<ModelAccess>;
}
