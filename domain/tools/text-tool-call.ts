// A tool call a model wrote as its whole answer instead of in the server's tool-call field. Qwen2.5 (through
// llama.cpp --jinja) answers a tools request with `{"name": "calculator", "arguments": {…}}` but leaves out
// the `<tool_call>` tags its template asks for, so the server returns it as text and parses no call.
// Read as a call only when tools were offered and the whole answer — at most wrapped in one ```json fence —
// is one such object, or an array of them, each naming an offered tool with arguments its schema accepts.
// Text that merely contains JSON, a tool not offered, or arguments the schema refuses: no call, the text
// stays the answer.
import type { ToolSpecification } from '../chat/ports.js';
import type { ProposedToolCall } from './model-tool-calls.js';

const fenced = /^```(?:json)?[ \t]*\n([\s\S]*?)\n?```$/;

/** The calls a whole answer spells out as JSON, or undefined when it is not wholly such calls. */
export function toolCallsInText(text: string, tools: readonly Pick<ToolSpecification, 'name' | 'parameters'>[]): ProposedToolCall[] | undefined {
  if (tools.length === 0) return undefined;
  const trimmed = text.trim();
  const body = fenced.exec(trimmed)?.[1]?.trim() ?? trimmed;
  if (!body.startsWith('{') && !body.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) return undefined;
  const calls: ProposedToolCall[] = [];
  for (const item of items) {
    const call = callOf(item, tools);
    if (!call) return undefined;
    calls.push(call);
  }
  return calls;
}

function callOf(item: unknown, tools: readonly Pick<ToolSpecification, 'name' | 'parameters'>[]): ProposedToolCall | undefined {
  if (!isRecord(item)) return undefined;
  const keys = Object.keys(item);
  if (keys.length !== 2 || typeof item.name !== 'string' || !('arguments' in item)) return undefined;
  const tool = tools.find((candidate) => candidate.name === item.name);
  if (!tool) return undefined;
  const args = typeof item.arguments === 'string' ? parseObject(item.arguments) : item.arguments;
  if (!isRecord(args) || !fitsSchema(args, tool.parameters)) return undefined;
  return { tool: tool.name, arguments: args };
}

function parseObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The checks of the arguments' JSON Schema a text call must pass: required keys, no undeclared ones when closed, declared types. */
function fitsSchema(args: Record<string, unknown>, schema: Record<string, unknown>): boolean {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (!required.every((key) => typeof key === 'string' && Object.hasOwn(args, key))) return false;
  return Object.entries(args).every(([key, value]) => {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property === undefined) return schema.additionalProperties !== false;
    return !isRecord(property) || typeof property.type !== 'string' || hasType(value, property.type);
  });
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return isRecord(value);
    case 'null': return value === null;
    default: return true;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
