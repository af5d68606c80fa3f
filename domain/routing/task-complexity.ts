// A cheap estimate of how demanding a question is, so simple ones go to cheap models and hard ones to
// the best model. No model call: it must cost nothing next to generation.

export type Complexity = 'simple' | 'complex';

const demandingWords = /\b(explain|why|compare|contrast|analy[sz]e|prove|derive|design|implement|code|debug|step[- ]by[- ]step|trade-?offs?|evaluate|summari[sz]e)\b/i;

export interface ComplexityInput {
  question: string;
  /** Retrieved passages and tool outputs the answer must use. */
  sourceCount?: number;
  maxTokens?: number;
}

export function estimateComplexity(input: ComplexityInput): { complexity: Complexity; score: number } {
  let score = 0;
  const words = input.question.trim().split(/\s+/).length;
  if (words > 40) score += 2;
  else if (words > 15) score += 1;
  if (demandingWords.test(input.question)) score += 2;
  if ((input.question.match(/\?/g) ?? []).length > 1) score += 1;
  if (/```|\bfunction\b|=>|;\s*$/m.test(input.question)) score += 2;
  if ((input.sourceCount ?? 0) > 2) score += 1;
  if ((input.maxTokens ?? 0) > 512) score += 1;
  return { complexity: score >= 3 ? 'complex' : 'simple', score };
}

/** Rough token count for prices and budgets (about four characters per token). */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
