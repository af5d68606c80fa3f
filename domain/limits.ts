// The size limits a request must stay within, named once: the edge's schemas, the workflow's own checks and
// the tools read them from here, so a limit cannot drift between the layer that refuses and the one that trusts.

/** Characters of the question a client asks. */
export const maxQuestionCharacters = 16_000;
/** Characters of the earlier turns and instructions carried into the prompt. */
export const maxContextCharacters = 64_000;
/** Tokens an answer may be asked to produce. */
export const maxOutputTokens = 2048;
/** Characters of a URL a client or tool may name. */
export const maxUrlLength = 2048;
/** Client-chosen identifiers (request ids, conversation ids): 1–64 letters, digits, `_` or `-`. */
export const identifierPattern = '^[A-Za-z0-9_-]{1,64}$';
const identifierExpression = new RegExp(identifierPattern);

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && identifierExpression.test(value);
}
