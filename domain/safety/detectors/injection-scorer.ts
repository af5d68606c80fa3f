// A small learned scorer for prompt injection, beside the hand-written rules: logistic regression over
// hashed character n-grams (3 to 5 characters) and word unigrams and bigrams of the normalised text. Rules
// see the phrasings someone wrote down; character n-grams also pick up the vocabulary of jailbreaks that no
// rule names ("unfiltered", "stay in character", "/ChatGPT") and survive small spelling changes; word pairs
// add the phrase-level signal ("ignore all", "new instructions", "the user") that character grams blur.
// Features are binary and each family is scaled to unit length, so a long text does not score higher for
// being long. A text scores the highest of itself and of its passages, so that an instruction buried in a
// long document is not diluted. The weights are trained by scripts/safety/train-injection-scorer.ts on the
// development data only (test/fixtures/safety/README.md) and committed as JSON.

export interface InjectionScorerModel {
  /** log2 of the number of hash buckets of the character n-grams. */
  bits: number;
  /** Shortest and longest character n-gram. */
  minGram: number;
  maxGram: number;
  /** log2 of the number of hash buckets of the word unigrams and bigrams. */
  wordBits: number;
  bias: number;
  /** One weight per character n-gram bucket, then one per word bucket. */
  weights: ArrayLike<number>;
  wordWeights: ArrayLike<number>;
}

export type FeatureSettings = Pick<InjectionScorerModel, 'bits' | 'minGram' | 'maxGram' | 'wordBits'>;

/** The distinct buckets of a text's two feature families; each family is scaled to unit length on its own. */
export interface TextFeatures {
  chars: number[];
  words: number[];
}

/** Texts are scored on at most this many characters from the start and as many from the end. */
const scoredEdge = 4000;
/** Passages are runs of whole sentences or lines of at most this many characters. */
const passageChars = 400;
const invisible = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/gu;
const wordPattern = /[\p{L}\p{N}_]+/gu;

/** Compatibility forms folded, invisible characters dropped, lower case, blanks collapsed, padded with spaces. */
function normalize(text: string): string {
  const clipped = text.length > scoredEdge * 2 ? `${text.slice(0, scoredEdge)}\n${text.slice(-scoredEdge)}` : text;
  return ` ${clipped.normalize('NFKC').toLowerCase().replace(invisible, '').replace(/[^\S\n]+/g, ' ').replace(/ ?\n\s*/g, '\n')} `;
}

const fnvOffset = 2166136261;
const fnvPrime = 16777619;

function fnv(hash: number, text: string): number {
  let next = hash;
  for (let index = 0; index < text.length; index += 1) next = Math.imul(next ^ text.charCodeAt(index), fnvPrime);
  return next;
}

/** Bucket of every character n-gram, `maxGram - minGram + 1` per start position (-1 past the end): FNV-1a, folded. */
function gramBuckets(text: string, settings: FeatureSettings): Int32Array {
  const sizes = settings.maxGram - settings.minGram + 1;
  const mask = (1 << settings.bits) - 1;
  const buckets = new Int32Array(text.length * sizes).fill(-1);
  for (let start = 0; start < text.length; start += 1) {
    let hash = fnvOffset;
    for (let size = 1; size <= settings.maxGram && start + size <= text.length; size += 1) {
      hash = Math.imul(hash ^ text.charCodeAt(start + size - 1), fnvPrime);
      if (size >= settings.minGram) buckets[start * sizes + size - settings.minGram] = (hash >>> 0) & mask;
    }
  }
  return buckets;
}

/** Each word with its span, the bucket of the word alone and of the word with the one before it (-1 for the first). */
interface WordBuckets { starts: number[]; ends: number[]; unigrams: number[]; bigrams: number[] }

function wordBuckets(text: string, settings: FeatureSettings): WordBuckets {
  const mask = (1 << settings.wordBits) - 1;
  const result: WordBuckets = { starts: [], ends: [], unigrams: [], bigrams: [] };
  let previous = '';
  for (const match of text.matchAll(wordPattern)) {
    result.starts.push(match.index);
    result.ends.push(match.index + match[0].length);
    result.unigrams.push((fnv(fnvOffset, match[0]) >>> 0) & mask);
    result.bigrams.push(previous ? (fnv(fnvOffset, `${previous} ${match[0]}`) >>> 0) & mask : -1);
    previous = match[0];
  }
  return result;
}

/** Marks which bucket was last seen in which pass, so that each pass collects distinct buckets without a Set. */
class DistinctBuckets {
  private stamps = new Int32Array(0);
  private pass = 0;

  begin(bits: number): (bucket: number, found: number[]) => void {
    if (this.stamps.length !== 1 << bits || this.pass >= 0x7fffffff) {
      this.stamps = new Int32Array(1 << bits);
      this.pass = 0;
    }
    const stamps = this.stamps;
    const mark = ++this.pass;
    return (bucket, found) => {
      if (bucket < 0 || stamps[bucket] === mark) return;
      stamps[bucket] = mark;
      found.push(bucket);
    };
  }
}

const charSeen = new DistinctBuckets();
const wordSeen = new DistinctBuckets();

/** The distinct features of the part [from, to) of a normalised text. */
function featuresWithin(grams: Int32Array, words: WordBuckets, settings: FeatureSettings, from: number, to: number): TextFeatures {
  const sizes = settings.maxGram - settings.minGram + 1;
  const chars: number[] = [];
  const addChar = charSeen.begin(settings.bits);
  for (let start = from; start < to; start += 1) {
    for (let size = 0; size < sizes && start + settings.minGram + size <= to; size += 1) addChar(grams[start * sizes + size]!, chars);
  }
  const found: number[] = [];
  const addWord = wordSeen.begin(settings.wordBits);
  for (let index = 0; index < words.starts.length; index += 1) {
    if (words.starts[index]! < from || words.ends[index]! > to) continue;
    addWord(words.unigrams[index]!, found);
    if (index > 0 && words.starts[index - 1]! >= from) addWord(words.bigrams[index]!, found);
  }
  return { chars, words: found };
}

/** The features of a whole text: what the scorer is trained on. */
export function textFeatures(text: string, settings: FeatureSettings): TextFeatures {
  const normalized = normalize(text);
  return featuresWithin(gramBuckets(normalized, settings), wordBuckets(normalized, settings), settings, 0, normalized.length);
}

/** Logistic regression on binary features, each family scaled to unit length. */
export function probabilityOf(features: TextFeatures, model: InjectionScorerModel): number {
  let logit = model.bias;
  if (features.chars.length > 0) {
    const scale = 1 / Math.sqrt(features.chars.length);
    for (const bucket of features.chars) logit += model.weights[bucket]! * scale;
  }
  if (features.words.length > 0) {
    const scale = 1 / Math.sqrt(features.words.length);
    for (const bucket of features.words) logit += model.wordWeights[bucket]! * scale;
  }
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
  const grams = gramBuckets(normalized, model);
  const words = wordBuckets(normalized, model);
  let best = probabilityOf(featuresWithin(grams, words, model, 0, normalized.length), model);
  for (const [from, to] of passageRanges(normalized)) best = Math.max(best, probabilityOf(featuresWithin(grams, words, model, from, to), model));
  return best;
}
