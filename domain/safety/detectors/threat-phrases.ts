// Threats and incitement to self-harm need no bad word, so a word list cannot see them; they are matched as
// phrases, written by hand from the common forms ("I'm going to kill you", "kill yourself", "go and die",
// "all <group> should be exterminated"). Each phrase is a sequence of slots, each slot a list of
// alternatives ("" = the slot may be left out, `anyWord` = one word of 3–20 letters). The phrases are compiled
// into a trie of words, which answers two questions: where a phrase occurs (detection), and where the end of a
// growing text is still the beginning of a phrase (how much the streaming filter must hold back).

export const anyWord = '<word>';
type Slot = readonly string[];

const subjects: Slot = [
  "i'm going to", 'i am going to', "i'm gonna", 'i am gonna', 'i gonna', 'i will', 'i shall', "i'll",
  "we're going to", 'we are going to', "we're gonna", 'we are gonna', 'we will', "we'll",
];
const harms: Slot = ['kill', 'murder', 'hurt', 'rape', 'shoot', 'stab', 'strangle', 'beat', 'find and kill', 'bomb', 'burn'];

const phrases: readonly (readonly Slot[])[] = [
  [subjects, ['', 'fucking'], harms, ['you', 'u', 'him', 'her', 'them', 'your']],
  [['kill', 'hang', 'shoot'], ['yourself', 'urself']],
  [['kys']],
  [['go'], ['', 'and'], ['die']],
  [['you', 'u'], ['should', 'deserve to', 'ought to'], ['die', 'be killed', 'be shot']],
  [['all', 'every', 'those'], [anyWord], ['should', 'must', 'deserve to'], ['die', 'be killed', 'be exterminated', 'be wiped out', 'be gassed', 'be shot']],
];

interface TrieNode {
  children: Map<string, TrieNode>;
  terminal: boolean;
}

const newNode = (): TrieNode => ({ children: new Map(), terminal: false });

function compile(): { root: TrieNode; longest: number } {
  const root = newNode();
  let longest = 0;
  const add = (slots: readonly Slot[], words: string[]) => {
    if (slots.length === 0) {
      let node = root;
      for (const word of words) {
        if (!node.children.has(word)) node.children.set(word, newNode());
        node = node.children.get(word)!;
      }
      node.terminal = true;
      longest = Math.max(longest, words.length);
      return;
    }
    for (const alternative of slots[0]!) add(slots.slice(1), alternative === '' ? words : [...words, ...alternative.split(' ')]);
  };
  for (const phrase of phrases) add(phrase, []);
  return { root, longest };
}

const { root, longest: longestPhraseInWords } = compile();
const wordPattern = /[\p{L}\p{N}'’-]+/gu;
const wildcardWord = /^[\p{L}-]{3,20}$/u;

interface Word {
  text: string;
  start: number;
  end: number;
}

function wordsOf(text: string, from = 0): Word[] {
  wordPattern.lastIndex = from;
  const words: Word[] = [];
  for (let match = wordPattern.exec(text); match !== null; match = wordPattern.exec(text)) {
    words.push({ text: match[0].toLowerCase().replace(/’/g, "'"), start: match.index, end: match.index + match[0].length });
  }
  return words;
}

function step(node: TrieNode, word: string): TrieNode | undefined {
  return node.children.get(word) ?? (wildcardWord.test(word) ? node.children.get(anyWord) : undefined);
}

/** Words of a phrase are separated by whitespace only: "kill, yourself" or "kill-yourself" are not the phrase. */
const separatedBySpace = (text: string, left: Word, right: Word) => /^\s+$/u.test(text.slice(left.end, right.start));

/** Spans of the threat phrases in `text`, longest at each position, not overlapping. */
export function findThreatPhrases(text: string): { start: number; end: number }[] {
  const words = wordsOf(text);
  const spans: { start: number; end: number }[] = [];
  for (let first = 0; first < words.length; ) {
    let node: TrieNode | undefined = root;
    let matchedUpTo = -1;
    for (let index = first; node && index < words.length; index += 1) {
      if (index > first && !separatedBySpace(text, words[index - 1]!, words[index]!)) break;
      node = step(node, words[index]!.text);
      if (node?.terminal) matchedUpTo = index;
    }
    if (matchedUpTo < 0) {
      first += 1;
      continue;
    }
    spans.push({ start: words[first]!.start, end: words[matchedUpTo]!.end });
    first = matchedUpTo + 1;
  }
  return spans;
}

/**
 * The start of the earliest trailing run of words that more text could still turn into a phrase (or into a
 * longer one): "… I am going to" or "… go an" are held back, "… going to the shop " is not.
 * `text.length` when nothing at the end can begin a phrase.
 */
export function threatPhrasePendingFrom(text: string): number {
  const words = wordsOf(text, Math.max(0, text.length - longestPhraseInWords * 24));
  const last = words[words.length - 1];
  if (!last || !/^\s*$/u.test(text.slice(last.end))) return text.length;
  const lastIsPartial = last.end === text.length;
  for (let first = Math.max(0, words.length - longestPhraseInWords); first < words.length; first += 1) {
    let node: TrieNode | undefined = root;
    let index = first;
    for (; node && index < words.length - 1; index += 1) {
      if (index > first && !separatedBySpace(text, words[index - 1]!, words[index]!)) node = undefined;
      else node = step(node, words[index]!.text);
    }
    if (!node || (index > first && !separatedBySpace(text, words[index - 1]!, words[index]!))) continue;
    const word = last.text;
    const next = step(node, word);
    const growsFromNext = next !== undefined && (next.children.size > 0 || lastIsPartial);
    const completesPartial = lastIsPartial && [...node.children.keys()].some((key) => key !== anyWord && key.startsWith(word));
    const partialWildcard = lastIsPartial && node.children.has(anyWord) && /^[\p{L}-]{1,20}$/u.test(word);
    if (growsFromNext || completesPartial || partialWildcard) return words[first]!.start;
  }
  return text.length;
}
