// Tool calls chosen by a model that supports OpenAI tool calling. The model sees the user's question and the
// conversation, never retrieved documents or earlier tool output: text from outside cannot add a call (an
// injected "call http_fetch on …" in a document has no way in). What it proposes is checked like any other
// call: the tool must be offered to the tenant, its arguments must pass the tool's own checks, and calls
// the planner already made are not repeated.
import type { HistoryMessage, ToolCall } from '../chat/chat-request.js';
import type { ToolSpecification } from '../chat/ports.js';

/** A message of the tool-choice conversation; an assistant message may carry tool calls instead of text. */
export interface ToolChoiceMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  toolCalls?: { tool: string; arguments: Record<string, unknown> }[];
}

export interface ToolChoiceRequest {
  baseUrl: string;
  model: string;
  messages: ToolChoiceMessage[];
  tools: ToolSpecification[];
  signal?: AbortSignal;
}

/** A call as the model wrote it: `arguments` is whatever its JSON parsed to (or the raw text when it did not parse). */
export interface ProposedToolCall {
  tool: string;
  arguments: unknown;
}

/** The port: one non-streaming chat completion with `tools` and `tool_choice: "auto"`. */
export interface ToolCallingModel {
  proposeToolCalls(request: ToolChoiceRequest): Promise<ProposedToolCall[]>;
}

const instructions = [
  'You decide which tools, if any, help answer the user\'s last message.',
  'Call a tool only when the message asks for something it does (a calculation, a web search, fetching a URL, a database query); otherwise reply with a short plain answer and no call.',
  'Use only arguments taken from the user\'s own words.',
].join(' ');

/** The conversation sent to the model: instructions, optionally one worked example per tool, history, the question. */
export function toolChoiceMessages(question: string, history: readonly HistoryMessage[], tools: readonly ToolSpecification[], withExamples: boolean): ToolChoiceMessage[] {
  const examples = withExamples
    ? tools.flatMap((tool) => (tool.examples ?? []).slice(0, 1).flatMap((example): ToolChoiceMessage[] => [
      { role: 'user', content: example.request },
      { role: 'assistant', content: '', toolCalls: [{ tool: tool.name, arguments: example.arguments }] },
    ]))
    : [];
  return [
    { role: 'system', content: instructions },
    ...examples,
    // The conversation's words only: a client's own tool round trips are not Ragtime's tools' business.
    ...history.flatMap((message): ToolChoiceMessage[] => (message.role === 'tool' ? [] : [{ role: message.role, content: message.content }])),
    { role: 'user', content: question },
  ];
}

export interface ToolCallSelection {
  calls: ToolCall[];
  /** Proposals that were dropped, and why (recorded in the workflow history). */
  dropped: { tool: string; reason: string }[];
}

/**
 * Keeps the proposals that name an offered tool with acceptable, new arguments taken from the user's own
 * words (`trustedText`: the question and the conversation), at most `maxCalls`.
 */
export function selectProposedCalls(
  proposed: readonly ProposedToolCall[],
  options: {
    offered: readonly string[];
    planned: readonly ToolCall[];
    maxCalls: number;
    accepts: (call: Pick<ToolCall, 'tool' | 'arguments'>) => boolean;
    trustedText: string;
  },
): ToolCallSelection {
  const offered = new Set(options.offered);
  const seen = new Set(options.planned.map(callKey));
  const calls: ToolCall[] = [];
  const dropped: ToolCallSelection['dropped'] = [];
  for (const proposal of proposed) {
    const args = proposal.arguments;
    if (!offered.has(proposal.tool)) dropped.push({ tool: proposal.tool, reason: 'not a tool offered to this tenant' });
    else if (!isRecord(args)) dropped.push({ tool: proposal.tool, reason: 'arguments are not a JSON object' });
    else if (!options.accepts({ tool: proposal.tool, arguments: args })) dropped.push({ tool: proposal.tool, reason: 'arguments refused by the tool' });
    else if (!isGrounded(args, options.trustedText)) dropped.push({ tool: proposal.tool, reason: 'arguments not taken from the user\'s words' });
    else if (seen.has(callKey({ tool: proposal.tool, arguments: args }))) dropped.push({ tool: proposal.tool, reason: 'already called' });
    else if (calls.length >= options.maxCalls) dropped.push({ tool: proposal.tool, reason: `more than ${options.maxCalls} calls` });
    else {
      seen.add(callKey({ tool: proposal.tool, arguments: args }));
      calls.push({ id: `model-${calls.length + 1}`, tool: proposal.tool, arguments: args });
    }
  }
  return { calls, dropped };
}

/**
 * Whether the arguments come from the user's words: every URL appears there verbatim, every number appears
 * there, and at least half the words of each text argument do. Small models copy a worked example's
 * arguments into an unrelated turn; this drops such calls. `sql` arguments are exempt: a model writes the
 * statement itself, the SQL guard checks it, and its values travel as parameters, which are checked here.
 */
export function isGrounded(args: Record<string, unknown>, trustedText: string): boolean {
  const trusted = trustedText.toLowerCase();
  const trustedWords = new Set(words(trusted));
  const trustedNumbers = new Set(numbers(trusted));
  const check = (value: unknown, key: string): boolean => {
    if (Array.isArray(value)) return value.every((item) => check(item, key));
    if (isRecord(value)) return Object.entries(value).every(([name, item]) => check(item, name));
    if (typeof value === 'number') return trustedNumbers.has(String(value));
    if (typeof value !== 'string' || key === 'sql') return true;
    const text = value.toLowerCase().trim();
    if (/^https?:\/\//.test(text)) return trusted.includes(text);
    if (!numbers(text).every((number) => trustedNumbers.has(number))) return false;
    const valueWords = words(text);
    return valueWords.length === 0 || valueWords.filter((word) => trustedWords.has(word)).length * 2 >= valueWords.length;
  };
  return Object.entries(args).every(([key, value]) => check(value, key));
}

function words(text: string): string[] {
  return text.match(/\p{L}{3,}/gu) ?? [];
}

function numbers(text: string): string[] {
  return (text.match(/\d+(?:\.\d+)?/g) ?? []).map((number) => String(Number(number)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Same tool and same arguments, whatever the key order. */
function callKey(call: Pick<ToolCall, 'tool' | 'arguments'>): string {
  return `${call.tool}:${canonicalJson(call.arguments)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
