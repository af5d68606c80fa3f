// Whether a chat model served by llama.cpp (--jinja, the model's own or a given chat template) answers an
// OpenAI request with `tools` with parsed `tool_calls`: asked through the product's own tool-calling client
// and prompt (OpenAIToolCallingModel, toolChoiceMessages, selectProposedCalls), with and without the worked
// examples. Used by bench/answer-quality.ts to say which candidate chat models can call tools.
import { createCalculatorTool } from '../../domain/tools/calculator-tool.js';
import { createWebSearchTool } from '../../infra/tools/web-search-tool.js';
import { selectProposedCalls, toolChoiceMessages } from '../../domain/tools/model-tool-calls.js';
import type { ToolSpecification } from '../../domain/chat/ports.js';
import { OpenAIToolCallingModel } from '../../infra/tools/openai-tool-calling-model.js';

const specification = ({ name, description, parameters, examples }: ToolSpecification): ToolSpecification => ({ name, description, parameters, ...(examples ? { examples } : {}) });
const calculator = specification(createCalculatorTool());
const webSearch = specification(createWebSearchTool({ endpoint: 'http://127.0.0.1:1' }));

/** Questions a tool serves (with the call expected) and one no tool serves (no call should be kept). */
const cases: { question: string; tools: ToolSpecification[]; expected?: { tool: string; includes: string[] } }[] = [
  { question: 'What is 37 * 41?', tools: [calculator, webSearch], expected: { tool: 'calculator', includes: ['37', '41'] } },
  { question: 'Search the web for the latest Orbitra firmware release notes.', tools: [calculator, webSearch], expected: { tool: 'web_search', includes: ['orbitra'] } },
  { question: 'Who wrote the novel Moby-Dick?', tools: [calculator] },
];

export interface ToolCallScore {
  /** Requests whose response carried at least one parsed tool call. */
  parsed: number;
  /** Questions a tool serves that got the expected call with the question's arguments (kept by selection). */
  correct: number;
  serveable: number;
  /** Calls kept for the question no tool serves. */
  spurious: number;
}

export async function checkToolCalls(baseUrl: string, model: string, withExamples: boolean): Promise<ToolCallScore> {
  const client = new OpenAIToolCallingModel();
  const score: ToolCallScore = { parsed: 0, correct: 0, serveable: cases.filter((item) => item.expected).length, spurious: 0 };
  for (const item of cases) {
    const proposed = await client.proposeToolCalls({ baseUrl, model, messages: toolChoiceMessages(item.question, [], item.tools, withExamples), tools: item.tools })
      .catch(() => []);
    if (proposed.length > 0) score.parsed += 1;
    const { calls } = selectProposedCalls(proposed, { offered: item.tools.map((tool) => tool.name), planned: [], maxCalls: 3, accepts: () => true, trustedText: item.question });
    if (!item.expected) {
      score.spurious += calls.length;
      continue;
    }
    const { tool, includes } = item.expected;
    if (calls.some((call) => call.tool === tool && includes.every((word) => JSON.stringify(call.arguments).toLowerCase().includes(word)))) score.correct += 1;
  }
  return score;
}
