import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingTokenStart } from '../text-scan.js';
import { secretFormats } from './secret-formats.js';

// Secrets without a recognisable prefix are caught by their randomness: a token of 20+ characters mixing
// upper case, lower case and digits whose Shannon entropy is at least 3.7 bits per character. English words,
// identifiers (no digits), hex digests and UUIDs (one letter case) fall below one of these bars; generated
// keys (base62/base64, ~5.9–6 bits of alphabet) are well above.
const entropyToken = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{20,512}(?![A-Za-z0-9+/_=-])/g;
const minimumEntropy = 3.7;
const privateKeyHeader = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
const privateKeyFooter = /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/;

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

function looksRandom(token: string): boolean {
  return /[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token) && shannonEntropy(token) >= minimumEntropy;
}

export function createSecretDetector(): Detector {
  return {
    name: 'secret',
    categories: ['secret'],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const format of secretFormats) {
        for (const match of allMatches(format.pattern, text)) {
          const value = match[format.group]!;
          const start = match.index + (format.group === 0 ? 0 : match[0].lastIndexOf(value));
          findings.push({ category: 'secret', start, end: start + value.length, confidence: format.confidence, detail: format.name });
        }
      }
      for (const match of allMatches(entropyToken, text)) {
        const end = match.index + match[0].length;
        if (!looksRandom(match[0]) || findings.some((finding) => finding.start < end && match.index < finding.end)) continue;
        findings.push({ category: 'secret', start: match.index, end, confidence: 0.7, detail: 'high-entropy token' });
      }
      return findings;
    },
    pendingFrom(text: string): number {
      const tokenStart = trailingTokenStart(text);
      const headers = allMatches(privateKeyHeader, text);
      const lastHeader = headers[headers.length - 1];
      if (lastHeader && !privateKeyFooter.test(text.slice(lastHeader.index))) return Math.min(lastHeader.index, tokenStart);
      return tokenStart;
    },
  };
}
