// API keys: `rt_<16-character id>_<43-character secret>`. The id finds the row; only a SHA-256 of the
// secret is stored (the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const keyPattern = /^rt_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  id: string;
  /** The whole key, to show once. */
  key: string;
  secretSha256: Buffer;
}

export function generateApiKey(): NewApiKey {
  const id = Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `rt_${id}_${secret}`, secretSha256: sha256(secret) };
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = keyPattern.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('rt_');
}

export function secretMatches(secret: string, storedSha256: Buffer): boolean {
  const actual = sha256(secret);
  return actual.length === storedSha256.length && timingSafeEqual(actual, storedSha256);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
