import { ModelError } from '../../domain/chat/errors.js';
import { isRetryableStatus } from '../../domain/errors.js';

export interface ModelPost {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
  /** Names the server in errors: "model server", "Anthropic API". */
  server: string;
  fetch?: typeof fetch;
}

/**
 * POSTs a JSON request to a model server. An unreachable server or an error status becomes a ModelError
 * that says whether retrying can help; an abort by the caller is rethrown as it is.
 */
export async function postToModel(post: ModelPost): Promise<Response> {
  let response: Response;
  try {
    response = await (post.fetch ?? fetch)(post.url, { method: 'POST', headers: post.headers, body: JSON.stringify(post.body), signal: post.signal });
  } catch (error) {
    if (post.signal?.aborted) throw error;
    throw new ModelError(`${post.server} unreachable at ${new URL(post.url).origin}: ${(error as Error).message}`, true);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    throw new ModelError(`${post.server} answered ${response.status}: ${detail}`, isRetryableStatus(response.status), response.status);
  }
  return response;
}
