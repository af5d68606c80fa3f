// A small learned scorer for prompt injection, beside the hand-written rules: logistic regression over
// hashed character n-grams (3 to 5 characters) of the normalised text. Rules see the phrasings someone wrote
// down; n-grams also pick up the vocabulary of jailbreaks that no rule names ("unfiltered", "stay in
// character", "/ChatGPT", "policies outlined"), and survive small spelling changes. Features are binary and
// the vector is scaled to unit length, so a long text does not score higher for being long. A text scores the
// highest of itself and of its passages, so that an instruction buried in a long document is not diluted.
// The weights are trained by scripts/safety/train-injection-scorer.ts on the development set only
// (test/fixtures/safety/README.md) and committed as JSON.

export interface InjectionScorerModel {
  /** log2 of the number of hash buckets. */
  bits: number;
  /** Shortest and longest n-gram, in characters. */
  minGram: number;
  maxGram: number;
  bias: number;
  weights: ArrayLike<number>;
}

type FeatureSettings = Pick<InjectionScorerModel, 'bits' | 'minGram' | 'maxGram'>;

/** Texts are scored on at most this many characters from the start and as many from the end. */
const scoredEdge = 4000;
/** Passages are runs of whole sentences or lines of at most this many characters. */
const passageChars = 400;
const invisible = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/gu;

/** Compatibility forms folded, invisible characters dropped, lower case, blanks collapsed, padded with spaces. */
function normalize(text: string): string {
  const clipped = text.length > scoredEdge * 2 ? `${text.slice(0, scoredEdge)}\n${text.slice(-scoredEdge)}` : text;
  return ` ${clipped.normalize('NFKC').toLowerCase().replace(invisible, '').replace(/[^\S\n]+/g, ' ').replace(/ ?\n\s*/g, '\n')} `;
}

/** Bucket of every n-gram, `maxGram - minGram + 1` per start position (-1 past the end): FNV-1a, folded. */
function gramBuckets(text: string, settings: FeatureSettings): Int32Array {
  const sizes = settings.maxGram - settings.minGram + 1;
  const mask = (1 << settings.bits) - 1;
  const buckets = new Int32Array(text.length * sizes).fill(-1);
  for (let start = 0; start < text.length; start += 1) {
    let hash = 2166136261;
    for (let size = 1; size <= settings.maxGram && start + size <= text.length; size += 1) {
      hash = Math.imul(hash ^ text.charCodeAt(start + size - 1), 16777619);
      if (size >= settings.minGram) buckets[start * sizes + size - settings.minGram] = (hash >>> 0) & mask;
    }
  }
  return buckets;
}

/** Which bucket was last seen in which pass, so that each pass collects distinct buckets without a Set. */
let stamps = new Int32Array(0);
let pass = 0;

/** The distinct buckets of the n-grams lying within [from, to) of the normalised text. */
function distinctBuckets(buckets: Int32Array, settings: FeatureSettings, from: number, to: number): number[] {
  const sizes = settings.maxGram - settings.minGram + 1;
  if (stamps.length !== 1 << settings.bits || pass >= 0x7fffffff) {
    stamps = new Int32Array(1 << settings.bits);
    pass = 0;
  }
  const stamp = stamps;
  const mark = ++pass;
  const found: number[] = [];
  for (let start = from; start < to; start += 1) {
    for (let size = 0; size < sizes && start + settings.minGram + size <= to; size += 1) {
      const bucket = buckets[start * sizes + size]!;
      if (bucket < 0 || stamp[bucket] === mark) continue;
      stamp[bucket] = mark;
      found.push(bucket);
    }
  }
  return found;
}

/** The distinct n-gram buckets of a whole text: the features the scorer is trained on. */
export function featureBuckets(text: string, settings: FeatureSettings): number[] {
  const normalized = normalize(text);
  return distinctBuckets(gramBuckets(normalized, settings), settings, 0, normalized.length);
}

/** Logistic regression on binary features scaled to unit length. */
export function probabilityOf(buckets: readonly number[], model: InjectionScorerModel): number {
  if (buckets.length === 0) return 0;
  const scale = 1 / Math.sqrt(buckets.length);
  let logit = model.bias;
  for (const bucket of buckets) logit += model.weights[bucket]! * scale;
  return 1 / (1 + Math.exp(-logit));
}

/** [from, to) ranges of runs of whole sentences or lines, each overlapping the next by one sentence. */
function passageRanges(text: string): [number, number][] {
  if (text.length <= passageChars) return [];
  const ends: number[] = [];
  for (const match of text.matchAll(/[.!?]+(?=\s)|\n/g)) ends.push(match.index + match[0].length);
  ends.push(text.length);
  const ranges: [number, number][] = [];
  let first = 0;
  while (first < ends.length) {
    const from = first === 0 ? 0 : ends[first - 1]!;
    let last = first;
    while (last + 1 < ends.length && ends[last + 1]! - from <= passageChars) last += 1;
    ranges.push([from, ends[last]!]);
    if (last + 1 >= ends.length) break;
    first = Math.max(first + 1, last);
  }
  return ranges.length > 1 ? ranges : [];
}

/** Probability-like score in 0..1 that the text is an injection attempt: the highest of the text and its passages. */
export function injectionProbability(text: string, model: InjectionScorerModel): number {
  const normalized = normalize(text);
  const buckets = gramBuckets(normalized, model);
  let best = probabilityOf(distinctBuckets(buckets, model, 0, normalized.length), model);
  for (const [from, to] of passageRanges(normalized)) best = Math.max(best, probabilityOf(distinctBuckets(buckets, model, from, to), model));
  return best;
}
