// Budgets every client payload must fit before anything walks it: nesting depth (checked on the raw text,
// before JSON.parse, so no recursive code ever sees a deep value) and text that Postgres and Redis accept
// (no NUL, no lone UTF-16 surrogate). Both run in one linear pass without recursion.

/** Deepest nesting of objects and arrays any client payload may have. */
export const maxJsonDepth = 32;

/** The depth at which `text` (JSON) first exceeds `maxDepth`, or undefined when it stays within. */
export function jsonDepthExceeds(text: string, maxDepth = maxJsonDepth): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92) index += 1; // backslash: skip the escaped character
      else if (code === 34) inString = false;
    } else if (code === 34) {
      inString = true;
    } else if (code === 123 || code === 91) {
      depth += 1;
      if (depth > maxDepth) return depth;
    } else if (code === 125 || code === 93) {
      depth -= 1;
    }
  }
  return undefined;
}

export interface UnsafeText {
  /** Where the string is, as a JSON pointer-like path: `/messages/0/content`. */
  path: string;
  problem: 'NUL character' | 'lone UTF-16 surrogate';
}

/** Why a string cannot be stored as text, or undefined when it can. */
export function textProblem(text: string): UnsafeText['problem'] | undefined {
  if (text.includes('\u0000')) return 'NUL character';
  if (!text.isWellFormed()) return 'lone UTF-16 surrogate';
  return undefined;
}

/**
 * The first string (value or key) in a parsed payload that Postgres or Redis would refuse or mangle. Walks
 * with an explicit stack and stops below `maxDepth`, so it is safe on any value.
 */
export function findUnsafeText(value: unknown, maxDepth = maxJsonDepth): UnsafeText | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value);
      if (problem) return { path: item.path || '/', problem };
    } else if (typeof item.value === 'object' && item.value !== null && item.depth < maxDepth) {
      for (const [key, child] of Object.entries(item.value)) {
        const path = `${item.path}/${key}`;
        const keyProblem = textProblem(key);
        if (keyProblem) return { path, problem: keyProblem };
        stack.push({ value: child, path, depth: item.depth + 1 });
      }
    }
  }
  return undefined;
}

export function unsafeTextMessage(found: UnsafeText): string {
  return `${found.path}: text must not contain a ${found.problem}`;
}
