// The one encoding of every tenant-scoped identifier: workflow ids (`chat-…`, `ingest-…`), Redis keys and
// cache keys are built here from their parts, never by concatenating raw ids. Each part is escaped so that
// it cannot contain a separator (`-`, `:`, `{`, `}`): every character outside [A-Za-z0-9_] becomes `%XX`
// (code unit below 0x100) or `%uXXXX`. The escape is injective (`u` is not a hex digit, and `%` itself is
// escaped), so an id splits back into exactly its parts and two different part lists never give one id —
// org `a` with request `b-x` and org `a-b` with request `x` no longer meet at `chat-a-b-x`.
// Parts made only of [A-Za-z0-9_] are unchanged, so ids of such orgs and requests kept their old form.
// Pure and deterministic: workflow code may use it.

const kindPattern = /^[a-z]+$/;

/** Escapes one part so that it holds no separator; identity on [A-Za-z0-9_]*. */
export function encodeIdPart(part: string): string {
  return part.replace(/[^A-Za-z0-9_]/g, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** `kind-part1-part2…`, each part escaped: the form of workflow ids. */
export function scopedId(kind: string, ...parts: string[]): string {
  checkKind(kind, parts);
  return [kind, ...parts.map(encodeIdPart)].join('-');
}

/**
 * `kind:{tenant}:part…`, each part escaped: the form of Redis keys. The tenant sits in a hash tag, so all of
 * one org's keys that a Lua script touches together share a Redis Cluster slot.
 */
export function scopedKey(kind: string, tenantId: string, ...parts: string[]): string {
  checkKind(kind, [tenantId]);
  return [`${kind}:{${encodeIdPart(tenantId)}}`, ...parts.map(encodeIdPart)].join(':');
}

function checkKind(kind: string, parts: string[]): void {
  if (!kindPattern.test(kind)) throw new Error(`id kind must be lower-case letters: ${JSON.stringify(kind)}`);
  if (parts.length === 0) throw new Error('a scoped id needs at least one part');
}
