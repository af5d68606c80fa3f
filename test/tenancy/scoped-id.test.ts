// The scoped-id encoding is injective: two different (kind, parts) never give the same workflow id or
// Redis key, including parts crafted from the separators and the escape character itself.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chatWorkflowId, fusionWorkflowId, legacyChatWorkflowId } from '../../domain/chat/ids.js';
import { encodeIdPart, scopedId, scopedKey } from '../../domain/tenancy/scoped-id.js';
import { ingestJobWorkflowId } from '../../ingestion/ingestion-job.js';

// Few characters, separators and escapes among them, so generated pairs collide often under concatenation.
const tricky = fc.string({ unit: fc.constantFrom('a', 'b', '-', ':', '{', '}', '%', 'u', '2', 'D', '_', 'é', '\ud800'), maxLength: 8 });
const part = fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
const kind = fc.constantFrom('chat', 'ingest', 'cache', 'ratelimit');
const idOf = fc.record({ kind, parts: fc.array(part, { minLength: 1, maxLength: 4 }) });

/** Undoes the escape of one part; with it every id splits back into its parts (a left inverse: injective). */
function decodePart(encoded: string): string {
  return encoded.replace(/%u([0-9A-F]{4})|%([0-9A-F]{2})/g, (_, wide: string | undefined, narrow: string | undefined) => String.fromCharCode(parseInt(wide ?? narrow!, 16)));
}

describe('scoped ids', () => {
  it('split back into exactly their kind and parts (property)', () => {
    fc.assert(fc.property(idOf, ({ kind: idKind, parts }) => {
      const [decodedKind, ...decoded] = scopedId(idKind, ...parts).split('-');
      expect([decodedKind, ...decoded.map(decodePart)]).toEqual([idKind, ...parts]);
      const key = scopedKey(idKind, parts[0]!, ...parts.slice(1));
      const [prefix, ...rest] = key.split(':');
      expect(prefix).toBe(idKind);
      expect([decodePart(rest[0]!.slice(1, -1)), ...rest.slice(1).map(decodePart)]).toEqual(parts);
    }), { numRuns: 5_000 });
  });

  it('never give two different part lists the same id or key (property)', () => {
    fc.assert(fc.property(idOf, idOf, (one, other) => {
      fc.pre(JSON.stringify(one) !== JSON.stringify(other));
      expect(scopedId(one.kind, ...one.parts)).not.toBe(scopedId(other.kind, ...other.parts));
      expect(scopedKey(one.kind, one.parts[0]!, ...one.parts.slice(1))).not.toBe(scopedKey(other.kind, other.parts[0]!, ...other.parts.slice(1)));
    }), { numRuns: 5_000 });
  });

  it('give each (org, request) pair its own chat and ingestion id where concatenation collided (property)', () => {
    const pair = fc.tuple(tricky.filter((value) => value.length > 0), tricky.filter((value) => value.length > 0));
    let oldCollisions = 0;
    fc.assert(fc.property(pair, pair, ([org, request], [otherOrg, otherRequest]) => {
      fc.pre(org !== otherOrg || request !== otherRequest);
      if (legacyChatWorkflowId(org, request) === legacyChatWorkflowId(otherOrg, otherRequest)) oldCollisions += 1;
      expect(chatWorkflowId(org, request)).not.toBe(chatWorkflowId(otherOrg, otherRequest));
      expect(ingestJobWorkflowId(org, request)).not.toBe(ingestJobWorkflowId(otherOrg, otherRequest));
      expect(fusionWorkflowId(chatWorkflowId(org, request))).not.toBe(chatWorkflowId(otherOrg, otherRequest));
    }), { numRuns: 5_000, examples: [[['a', 'b-x'], ['a-b', 'x']], [['dev', 'x-secret1'], ['dev-x', 'secret1']]] });
    // The generator does reach the pairs the old scheme confused.
    expect(oldCollisions).toBeGreaterThan(0);
  });

  it('escape the org a-b and keep plain parts readable and unchanged', () => {
    expect(chatWorkflowId('a', 'b-x')).toBe('chat-a-b%2Dx');
    expect(chatWorkflowId('a-b', 'x')).toBe('chat-a%2Db-x');
    expect(chatWorkflowId('dev', 'r_1')).toBe(legacyChatWorkflowId('dev', 'r_1'));
    expect(encodeIdPart('%u0041')).toBe('%25u0041');
    expect(encodeIdPart('\u20ac')).toBe('%u20AC');
    expect(scopedKey('ratelimit', 'a-b', 'user', 'x:y', 'tokens')).toBe('ratelimit:{a%2Db}:user:x%3Ay:tokens');
  });

  it('refuse a kind that could carry a separator', () => {
    expect(() => scopedId('chat-a', 'b')).toThrow(/kind/);
    expect(() => scopedId('chat')).toThrow(/at least one part/);
  });
});
