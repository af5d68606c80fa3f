// Runs of eight words, the unit by which the builders of the held-out sets decide that a line repeats text
// the detector was developed or trained on.

/** The words of a text, lowercased: what shingles are made of (joined, a key for exact repeats of short lines). */
export function shingleWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

export function wordShingles(text: string): Set<string> {
  const words = shingleWords(text);
  const result = new Set<string>();
  for (let start = 0; start + 8 <= words.length; start += 1) result.add(words.slice(start, start + 8).join(' '));
  return result;
}
