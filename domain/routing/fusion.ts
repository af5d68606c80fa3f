// Fuses several models' answers to one request into one answer, with a confidence in [0, 1]:
//   first    the answer that finished first; no corroboration, so confidence is at most 0.5
//   voting   the answer that agrees most with the others (mean similarity); confidence = that agreement
//   ranking  provider weight, length and cost; confidence = the winner's share of the top two scores
//   merging  sentences of all answers, near-duplicates folded together and attributed to every model
//            that said them; confidence = mean share of models supporting each sentence
// Pure and deterministic: it runs inside the fusion workflow, so the decision is part of its history.
import { sentencesOf, textSimilarity } from './text-similarity.js';

export const fusionStrategies = ['first', 'voting', 'ranking', 'merging'] as const;
export type FusionStrategy = (typeof fusionStrategies)[number];

export interface CandidateAnswer {
  model: string;
  text: string;
  latencyMs: number;
  costUsd: number;
  /** Provider weight from the registry. */
  weight: number;
  finishReason: string;
}

export interface FusionDecision {
  strategy: FusionStrategy;
  text: string;
  /** The model whose answer was chosen; absent when merging. */
  winner?: string;
  confidence: number;
  scores: { model: string; score: number }[];
  /** For merging: which models said each sentence. */
  attribution?: { sentence: string; models: string[] }[];
  reason: string;
}

export const rankingWeights = { weight: 0.5, length: 0.3, cost: 0.2 };
/** Sentences at least this similar are the same statement when merging. */
export const sameSentenceSimilarity = 0.6;

export function fuseAnswers(strategy: FusionStrategy, candidates: CandidateAnswer[]): FusionDecision {
  const answers = candidates.filter((candidate) => candidate.text.trim().length > 0);
  if (answers.length === 0) throw new Error('no candidate produced an answer');
  switch (strategy) {
    case 'first': return first(answers);
    case 'voting': return voting(answers);
    case 'ranking': return ranking(answers);
    case 'merging': return merging(answers);
  }
}

function first(answers: CandidateAnswer[]): FusionDecision {
  const winner = [...answers].sort((a, b) => a.latencyMs - b.latencyMs)[0]!;
  const completeness = winner.finishReason === 'stop' ? 1 : 0.5;
  return {
    strategy: 'first',
    text: winner.text,
    winner: winner.model,
    confidence: round(0.5 * completeness),
    scores: answers.map((answer) => ({ model: answer.model, score: answer.latencyMs })),
    reason: `${winner.model} answered first (${winner.latencyMs} ms)`,
  };
}

function voting(answers: CandidateAnswer[]): FusionDecision {
  const scores = answers.map((answer, index) => {
    const others = answers.filter((_, other) => other !== index);
    const agreement = others.length === 0 ? 0.5 : others.reduce((sum, other) => sum + textSimilarity(answer.text, other.text), 0) / others.length;
    return { model: answer.model, score: round(agreement), latencyMs: answer.latencyMs };
  });
  const best = [...scores].sort((a, b) => b.score - a.score || a.latencyMs - b.latencyMs)[0]!;
  return {
    strategy: 'voting',
    text: answers.find((answer) => answer.model === best.model)!.text,
    winner: best.model,
    confidence: best.score,
    scores: scores.map(({ model, score }) => ({ model, score })),
    reason: `${best.model} agrees most with the other answers (mean similarity ${best.score})`,
  };
}

function ranking(answers: CandidateAnswer[]): FusionDecision {
  const maxWeight = Math.max(...answers.map((answer) => answer.weight)) || 1;
  const maxLength = Math.max(...answers.map((answer) => answer.text.length)) || 1;
  const maxCost = Math.max(...answers.map((answer) => answer.costUsd));
  const scores = answers.map((answer) => {
    const length = (answer.text.length / maxLength) * (answer.finishReason === 'length' ? 0.5 : 1);
    const cost = maxCost > 0 ? answer.costUsd / maxCost : 0;
    const score = rankingWeights.weight * (answer.weight / maxWeight) + rankingWeights.length * length + rankingWeights.cost * (1 - cost);
    return { model: answer.model, score: round(score) };
  });
  const [best, second] = [...scores].sort((a, b) => b.score - a.score);
  const confidence = second ? best!.score / (best!.score + second.score || 1) : best!.score;
  return {
    strategy: 'ranking',
    text: answers.find((answer) => answer.model === best!.model)!.text,
    winner: best!.model,
    confidence: round(confidence),
    scores,
    reason: `${best!.model} ranks highest on provider weight, length and cost (${best!.score})`,
  };
}

function merging(answers: CandidateAnswer[]): FusionDecision {
  // Statements in the order of the best-weighted answer, then what only the others said.
  const ordered = [...answers].sort((a, b) => b.weight - a.weight || a.latencyMs - b.latencyMs);
  const statements: { sentence: string; models: string[] }[] = [];
  for (const answer of ordered) {
    for (const sentence of sentencesOf(answer.text)) {
      const same = statements.find((statement) => textSimilarity(statement.sentence, sentence) >= sameSentenceSimilarity);
      if (!same) statements.push({ sentence, models: [answer.model] });
      else if (!same.models.includes(answer.model)) same.models.push(answer.model);
    }
  }
  const support = statements.reduce((sum, statement) => sum + statement.models.length / answers.length, 0) / statements.length;
  return {
    strategy: 'merging',
    text: statements.map((statement) => statement.sentence).join(' '),
    confidence: round(support),
    scores: answers.map((answer) => ({
      model: answer.model,
      score: statements.filter((statement) => statement.models.includes(answer.model)).length,
    })),
    attribution: statements,
    reason: `${statements.length} statements from ${answers.length} answers`,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
