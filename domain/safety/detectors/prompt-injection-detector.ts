import type { Detector, Finding } from '../safety-types.js';
import { normalizeForMatching, originalSpan } from '../normalized-text.js';
import { allMatches, trailingWordsStart } from '../text-scan.js';
import { injectionRules } from './injection-rules.js';
import { injectionProbability, type InjectionScorerModel } from './injection-scorer.js';
import trainedScorer from './injection-scorer-weights.json' with { type: 'json' };

export type ThresholdedScorer = InjectionScorerModel & { threshold: number };

export interface PromptInjectionDetectorOptions {
  /** Combined score of the rules from which a text counts as an injection attempt. */
  threshold?: number;
  /** The learned scorer consulted when no rule decides; `null` for rules only. Defaults to the trained weights. */
  scorer?: ThresholdedScorer | null;
}

// Instructions are sometimes smuggled in base64 so that word filters miss them: long base64 runs are decoded
// and, when they decode to readable text, checked with the same rules.
const base64Run = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,4096}={0,2}(?![A-Za-z0-9+/=])/g;
const sentenceEnd = /[.!?\n]/;
const longestRuleInWords = 12;

interface RuleMatch {
  name: string;
  weight: number;
  start: number;
  end: number;
}

function ruleMatches(text: string): RuleMatch[] {
  const normalized = normalizeForMatching(text);
  const matches: RuleMatch[] = [];
  for (const rule of injectionRules) {
    for (const match of allMatches(rule.pattern, normalized.text)) {
      const span = originalSpan(normalized, match.index, match.index + match[0].length);
      matches.push({ name: rule.name, weight: rule.weight, ...span });
    }
  }
  return matches;
}

function decodedBase64Matches(text: string): RuleMatch[] {
  const matches: RuleMatch[] = [];
  for (const run of allMatches(base64Run, text)) {
    const decoded = Buffer.from(run[0], 'base64').toString('utf8');
    if (!/^[\x20-\x7E\s]+$/.test(decoded)) continue;
    const inner = ruleMatches(decoded);
    if (inner.length === 0) continue;
    const weight = Math.max(...inner.map((match) => match.weight));
    matches.push({ name: `base64-encoded ${inner[0]!.name}`, weight, start: run.index, end: run.index + run[0].length });
  }
  return matches;
}

/** Score of independent evidence: each distinct rule counts once, at its strongest. */
function combinedScore(matches: RuleMatch[]): number {
  const strongest = new Map<string, number>();
  for (const match of matches) strongest.set(match.name, Math.max(strongest.get(match.name) ?? 0, match.weight));
  let miss = 1;
  for (const weight of strongest.values()) miss *= 1 - weight;
  return 1 - miss;
}

/** Widens a span to its sentence, so that redacting it removes the injected instruction, not two words of it. */
function sentenceAround(text: string, start: number, end: number): { start: number; end: number } {
  let from = start;
  while (from > 0 && start - from < 300 && !sentenceEnd.test(text[from - 1]!)) from -= 1;
  let to = end;
  while (to < text.length && to - end < 300 && !sentenceEnd.test(text[to - 1] ?? '')) to += 1;
  while (from < start && /\s/.test(text[from]!)) from += 1;
  return { start: from, end: to };
}

/**
 * The scorer's probability rescaled so that its threshold maps to 0.5 (the policies' default minimum
 * confidence) and certainty to 1.
 */
function scorerConfidence(probability: number, threshold: number): number {
  return Number((0.5 + (0.5 * (probability - threshold)) / Math.max(1e-9, 1 - threshold)).toFixed(3));
}

export function createPromptInjectionDetector(options: PromptInjectionDetectorOptions = {}): Detector {
  const threshold = options.threshold ?? 0.5;
  const scorer = options.scorer === undefined ? (trainedScorer as ThresholdedScorer) : options.scorer;
  return {
    name: 'prompt_injection',
    categories: ['prompt_injection'],
    detect(text: string): Finding[] {
      const matches = [...ruleMatches(text), ...decodedBase64Matches(text)];
      const score = combinedScore(matches);
      if (score < threshold) {
        // No rule decides: the learned scorer judges the text as a whole, and a finding covers all of it.
        const probability = scorer ? injectionProbability(text, scorer) : 0;
        if (!scorer || probability < scorer.threshold) return [];
        return [{ category: 'prompt_injection', start: 0, end: text.length, confidence: scorerConfidence(probability, scorer.threshold), detail: 'learned scorer (character and word n-grams)' }];
      }
      return matches.map((match) => ({
        category: 'prompt_injection',
        ...sentenceAround(text, match.start, match.end),
        confidence: Number(score.toFixed(3)),
        detail: match.name,
      }));
    },
    pendingFrom: (text) => trailingWordsStart(text, longestRuleInWords),
  };
}
