// The tool port: what the planner and tool-calling models see (name, description, JSON-schema parameters)
// and how a tool runs. Tool output is untrusted text: run it through the `untrusted` safety stage before
// it reaches a prompt, and cite its source like a retrieved document.
import { z } from 'zod';
import { RagtimeError } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

/** Every tool Ragtime has; a deployment offers those it has configuration for. */
export const toolNames = ['calculator', 'web_search', 'http_fetch', 'sql_query'] as const;

export interface ToolContext {
  signal: AbortSignal;
  tenant: string;
}

export interface ToolSource {
  tool: string;
  title: string;
  url?: string;
}

export interface ToolResult {
  content: string;
  source: ToolSource;
}

export interface Tool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema (draft 2020-12) of the arguments object. */
  readonly parameters: JsonSchema;
  /** Validates `args` against `parameters` and runs; throws ToolError. */
  run(args: unknown, context: ToolContext): Promise<ToolResult>;
  /** The checks `run` makes before any I/O, as a yes/no: lets a planner drop calls that would be refused. */
  accepts?(args: unknown): boolean;
  /** Requests this tool serves, with the arguments a call should carry: shown to tool-calling models as worked examples. */
  readonly examples?: readonly ToolExample[];
}

export interface ToolExample {
  request: string;
  arguments: Record<string, unknown>;
}

export type ToolErrorCode = 'invalid_arguments' | 'refused' | 'limit_exceeded' | 'upstream_failed' | 'timeout';

/**
 * Why a tool failed. `retryable` tells the activity whether Temporal should try again (a timeout or an
 * unreachable upstream) or give up (bad arguments, a refused address or statement). The code is the tool's
 * own word for the failure; the run-tools activity reports it to the workflow as `tool_<code>`.
 */
export class ToolError extends RagtimeError {
  declare readonly code: ToolErrorCode;

  constructor(readonly tool: string, code: ToolErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(code, `${tool}: ${message}`, { retryable, cause: options?.cause });
  }
}

/** Parses tool arguments with a zod schema, turning failures into a non-retryable ToolError. */
export function parseArguments<Schema extends z.ZodType>(tool: string, schema: Schema, args: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    throw new ToolError(tool, 'invalid_arguments', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; '), false);
  }
  return parsed.data;
}

/** The JSON Schema of a zod arguments schema, as tool-calling APIs expect it. */
export function parametersOf(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(schema) as JsonSchema;
  return parameters;
}
