// Which tool calls a turn makes, and with what arguments: the planner's (from the question) and a
// tool-calling model's (checked, de-duplicated and grounded in the user's words).
import { describe, expect, it } from 'vitest';
import { arithmeticExpression, planTurn } from '../../domain/chat/planner.js';
import { isGrounded, selectProposedCalls, toolChoiceMessages } from '../../domain/tools/model-tool-calls.js';
import { createCalculatorTool } from '../../domain/tools/calculator-tool.js';
import { createHttpFetchTool } from '../../infra/tools/http-fetch-tool.js';
import { createWebSearchTool } from '../../infra/tools/web-search-tool.js';
import { ToolRegistry } from '../../domain/tools/tool-registry.js';

const registry = new ToolRegistry([
  createCalculatorTool(),
  createHttpFetchTool({ allowedHosts: ['docs.example.com'] }),
  createWebSearchTool({ endpoint: 'http://127.0.0.1:1' }),
]);
const context = {
  retrievalAvailable: true,
  availableTools: registry.names(),
  history: [],
  accepts: (call: { tool: string; arguments: Record<string, unknown> }) => registry.accepts(call.tool, call.arguments),
};
const calculatorAccepts = (expression: string) => registry.accepts('calculator', { expression });

describe('the planner', () => {
  it.each([
    ['What is 37 * 41?', '37 * 41'],
    ['What is 37 * 41, and how long does the mast run?', '37 * 41'],
    ['Compute 12.5% of 880', '(12.5 / 100 * 880)'],
    ['what is the square root of 144', 'sqrt(144)'],
    ['How much is 1,200 times 3 divided by 4?', '1200 * 3 / 4'],
    ['Is (2 + 3) * 4 bigger than 19?', '(2 + 3) * 4'],
    ['calculate sqrt(2) * pi', 'sqrt(2) * pi'],
    ['what is 2^10 - 1', '2^10 - 1'],
  ])('finds the expression in %j', (question, expression) => {
    expect(arithmeticExpression(question, calculatorAccepts)).toBe(expression);
  });

  it.each([
    'I have 3 cats and 2 dogs',
    'What happened on 2024-05-01?',
    'Call me at 555-1234',
    'Read https://docs.example.com/v2/3-4 please',
  ])('finds no expression in %j', (question) => {
    expect(arithmeticExpression(question, calculatorAccepts)).toBeUndefined();
  });

  it('calls tools with their arguments, numbered, and only with URLs on the allow-list', () => {
    const plan = planTurn('What is 6 * 7? Also summarise https://docs.example.com/guide and https://evil.example.net/x, with the latest news.', context);
    expect(plan.tools).toEqual([
      { id: 'plan-1', tool: 'calculator', arguments: { expression: '6 * 7' } },
      { id: 'plan-2', tool: 'http_fetch', arguments: { url: 'https://docs.example.com/guide' } },
      { id: 'plan-3', tool: 'web_search', arguments: { query: 'What is 6 * 7? Also summarise https://docs.example.com/guide and https://evil.example.net/x, with the latest news' } },
    ]);
    expect(plan.availableTools).toEqual(['calculator', 'http_fetch', 'web_search']);
  });

  it('offers no tool the tenant may not use, and none for small talk', () => {
    expect(planTurn('What is 6 * 7 today?', { ...context, availableTools: ['web_search'] }).tools.map((call) => call.tool)).toEqual(['web_search']);
    expect(planTurn('Search the web for temporal news', context).tools).toEqual([{ id: 'plan-1', tool: 'web_search', arguments: { query: 'temporal news' } }]);
    expect(planTurn('thanks!', context)).toMatchObject({ tools: [], availableTools: [] });
  });
});

describe('calls a tool-calling model proposes', () => {
  const question = 'What is 37 * 41 and what is new about Temporal workflows today?';
  const options = {
    offered: ['calculator', 'web_search'],
    planned: [{ id: 'plan-1', tool: 'calculator', arguments: { expression: '37 * 41' } }],
    maxCalls: 2,
    accepts: context.accepts,
    trustedText: question,
  };

  it('keeps offered, acceptable, new and grounded calls, and says why the others were dropped', () => {
    const selection = selectProposedCalls([
      { tool: 'calculator', arguments: { expression: '37 * 41' } },
      { tool: 'http_fetch', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } },
      { tool: 'web_search', arguments: '{"query": "broken' },
      { tool: 'calculator', arguments: { expression: 'import("fs")' } },
      { tool: 'calculator', arguments: { expression: '2 + 3' } },
      { tool: 'web_search', arguments: { query: 'Temporal workflows new today' } },
      { tool: 'web_search', arguments: { query: 'temporal workflows news' } },
      { tool: 'calculator', arguments: { expression: '41 * 37' } },
    ], options);
    expect(selection.calls).toEqual([
      { id: 'model-1', tool: 'web_search', arguments: { query: 'Temporal workflows new today' } },
      { id: 'model-2', tool: 'web_search', arguments: { query: 'temporal workflows news' } },
    ]);
    expect(selection.dropped).toEqual([
      { tool: 'calculator', reason: 'already called' },
      { tool: 'http_fetch', reason: 'not a tool offered to this tenant' },
      { tool: 'web_search', reason: 'arguments are not a JSON object' },
      { tool: 'calculator', reason: 'arguments refused by the tool' },
      { tool: 'calculator', reason: 'arguments not taken from the user\'s words' },
      { tool: 'calculator', reason: 'more than 2 calls' },
    ]);
  });

  it('treats the same arguments in another key order as the same call', () => {
    const selection = selectProposedCalls([{ tool: 'web_search', arguments: { query: 'temporal', extra: 1 } }, { tool: 'web_search', arguments: { extra: 1, query: 'temporal' } }], {
      ...options, accepts: () => true, trustedText: 'temporal 1',
    });
    expect(selection.calls).toHaveLength(1);
    expect(selection.dropped).toEqual([{ tool: 'web_search', reason: 'already called' }]);
  });

  it('grounds URLs verbatim, numbers exactly and words by half; SQL statements are the guard\'s business', () => {
    const trusted = 'Please fetch https://docs.example.com/guide and add 12.50 to 7';
    expect(isGrounded({ url: 'https://docs.example.com/guide' }, trusted)).toBe(true);
    expect(isGrounded({ url: 'https://docs.example.com/other' }, trusted)).toBe(false);
    expect(isGrounded({ expression: '12.5 + 7' }, trusted)).toBe(true);
    expect(isGrounded({ expression: '12.5 + 8' }, trusted)).toBe(false);
    expect(isGrounded({ query: 'fetch docs guide' }, trusted)).toBe(true);
    expect(isGrounded({ query: 'system prompt metadata' }, trusted)).toBe(false);
    expect(isGrounded({ sql: 'SELECT total FROM app.orders WHERE id = $1', params: [7] }, trusted)).toBe(true);
    expect(isGrounded({ sql: 'SELECT 1', params: [9] }, trusted)).toBe(false);
  });

  it('shows one worked example per offered tool only when asked to', () => {
    const specifications = registry.names().map((name) => ({ ...registry.get(name)!, name }));
    const withExamples = toolChoiceMessages('What is 2 * 2?', [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], specifications, true);
    expect(withExamples.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(withExamples.filter((message) => message.toolCalls).map((message) => message.toolCalls![0]!.tool)).toEqual(['calculator', 'http_fetch', 'web_search']);
    expect(withExamples.at(-1)).toEqual({ role: 'user', content: 'What is 2 * 2?' });
    expect(toolChoiceMessages('What is 2 * 2?', [], specifications, false).map((message) => message.role)).toEqual(['system', 'user']);
  });
});
