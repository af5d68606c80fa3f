import type { HistoryMessage, Plan, ToolCall } from './chat-request.js';

export interface PlannerContext {
  /** Whether the tenant has an index to retrieve from. */
  retrievalAvailable: boolean;
  /** Tools enabled for the tenant. */
  availableTools: string[];
  history: HistoryMessage[];
  /** The tools' own argument checks (an expression that parses, a URL on the allow-list); all pass when absent. */
  accepts?: (call: Pick<ToolCall, 'tool' | 'arguments'>) => boolean;
}

const smallTalk = /^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening)|bye|goodbye)\b[\s!.?]*$/i;
const webIntent = /\b(latest|today|news|current(ly)?|this week|search the web|look (it )?up online)\b/i;
const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const maxFetches = 2;
const maxQueryLength = 400;

/**
 * Decides, without a model call, what the turn needs: small talk goes straight to the model, questions go
 * through retrieval when the tenant has documents, and tools are called, with their arguments, when the
 * question clearly asks for them: an arithmetic expression it contains, a web search for recent facts, an
 * allow-listed URL it names. Only the user's own question is read here, never retrieved text, so nothing a
 * document says can add a tool call.
 */
export function planTurn(question: string, context: PlannerContext): Plan {
  if (smallTalk.test(question)) {
    return { mode: 'direct', useRetrieval: false, tools: [], availableTools: [], reason: 'small talk', history: context.history };
  }
  const tools = numbered(pickToolCalls(question, context));
  const availableTools = context.availableTools;
  if (!context.retrievalAvailable) {
    return { mode: 'direct', useRetrieval: false, tools, availableTools, reason: 'no documents indexed for tenant', history: context.history };
  }
  return { mode: 'rag', useRetrieval: true, tools, availableTools, reason: 'question answered from documents', history: context.history };
}

function pickToolCalls(question: string, context: PlannerContext): Omit<ToolCall, 'id'>[] {
  const enabled = new Set(context.availableTools);
  const accepts = context.accepts ?? (() => true);
  const calls: Omit<ToolCall, 'id'>[] = [];
  const offer = (call: Omit<ToolCall, 'id'>) => {
    if (enabled.has(call.tool) && accepts(call)) calls.push(call);
  };

  const expression = enabled.has('calculator') ? arithmeticExpression(question, (candidate) => accepts({ tool: 'calculator', arguments: { expression: candidate } })) : undefined;
  if (expression) offer({ tool: 'calculator', arguments: { expression } });

  const urls = [...new Set((question.match(urlPattern) ?? []).map((url) => url.replace(/[.,;:!?)\]]+$/, '')))];
  for (const url of urls.slice(0, maxFetches)) offer({ tool: 'http_fetch', arguments: { url } });

  if (webIntent.test(question)) offer({ tool: 'web_search', arguments: { query: searchQuery(question) } });
  return calls;
}

function numbered(calls: Omit<ToolCall, 'id'>[]): ToolCall[] {
  return calls.map((call, index) => ({ id: `plan-${index + 1}`, ...call }));
}

// Words people write for operators, rewritten to the calculator's syntax before looking for an expression.
const number = String.raw`(\d+(?:\.\d+)?)`;
const wordRewrites: [RegExp, string][] = [
  [urlPattern, ' '], // nor are the digits of a URL
  [/\b\d{4}-\d{2}-\d{2}\b/g, ' '], // dates are not subtractions
  [/\b\d{3}-\d{3,4}(-\d{4})?\b/g, ' '], // nor are phone numbers
  [/(\d),(?=\d{3}\b)/g, '$1'], // thousands separators
  [new RegExp(String.raw`\bsquare root of\s+${number}`, 'gi'), 'sqrt($1)'],
  [new RegExp(String.raw`${number}\s*(?:%|percent)\s+of\s+${number}`, 'gi'), '($1 / 100 * $2)'],
  [new RegExp(String.raw`${number}\s*(?:times|multiplied by|x|×)\s*(?=\d)`, 'gi'), '$1 * '],
  [new RegExp(String.raw`${number}\s*(?:divided by|over|÷)\s*(?=\d)`, 'gi'), '$1 / '],
  [new RegExp(String.raw`${number}\s*plus\s*(?=\d)`, 'gi'), '$1 + '],
  [new RegExp(String.raw`${number}\s*minus\s*(?=\d)`, 'gi'), '$1 - '],
  [new RegExp(String.raw`${number}\s*(?:to the power of|raised to)\s*(?=\d)`, 'gi'), '$1 ^ '],
  [new RegExp(String.raw`${number}\s+squared\b`, 'gi'), '$1^2'],
  [new RegExp(String.raw`${number}\s+cubed\b`, 'gi'), '$1^3'],
];
const functionNames = 'sqrt|cbrt|abs|exp|log|log10|log2|round|floor|ceil|min|max|sin|cos|tan|pi|e';
/** Runs of numbers, operators, parentheses and function names: the candidates for an expression. */
const mathRun = new RegExp(String.raw`(?:\d+(?:\.\d+)?|\.\d+|[-+*/^%!(),]|[ \t]+|\b(?:${functionNames})\b)+`, 'gi');
const hasOperation = new RegExp(String.raw`\d\s*[-+*/^%!]\s*[\d(.]|\)\s*[-+*/^%]|\b(?:${functionNames.replace('|pi|e', '')})\s*\(`, 'i');

/** The longest arithmetic expression in the question that the calculator accepts, if any. */
export function arithmeticExpression(question: string, accepts: (expression: string) => boolean = () => true): string | undefined {
  let text = question;
  for (const [pattern, replacement] of wordRewrites) text = text.replace(pattern, replacement);
  const candidates = (text.match(mathRun) ?? [])
    .map((run) => balanced(run.trim().replace(/^[,)\s]+|[,(\s+\-*/^%]+$/g, '').trim()))
    .filter((candidate) => /\d/.test(candidate) && hasOperation.test(candidate))
    .sort((a, b) => b.length - a.length);
  return candidates.find((candidate) => accepts(candidate));
}

/** Drops a parenthesis the sentence opened or closed around the expression: "(see 2 + 3)". */
function balanced(candidate: string): string {
  let text = candidate;
  const count = (character: string) => text.split(character).length - 1;
  while (text.endsWith(')') && count(')') > count('(')) text = text.slice(0, -1).trim();
  while (text.startsWith('(') && count('(') > count(')')) text = text.slice(1).trim();
  return text;
}

/** The question as a search query: without a leading request to search, at most 400 characters. */
function searchQuery(question: string): string {
  const query = question
    .replace(/^\s*(please\s+)?(can you\s+)?(search( the web)?|look up|google)( online)?( for)?\s*/i, '')
    .replace(/\s+/g, ' ')
    .replace(/[?!.\s]+$/, '')
    .trim();
  return (query || question.trim()).slice(0, maxQueryLength);
}
