// Runs of eight words, the unit by which the builders of the held-out sets decide that a line repeats text
// the detector was developed or trained on.
export function wordShingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const result = new Set<string>();
  for (let start = 0; start + 8 <= words.length; start += 1) result.add(words.slice(start, start + 8).join(' '));
  return result;
}
