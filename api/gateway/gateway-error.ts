// Refusals of the gate and the API's own errors, in a shape both our clients and OpenAI's understand:
// { error: { message, type, code, param } } with the matching HTTP status.
import { RagtimeError, isRetryableStatus } from '../../domain/errors.js';

export type GatewayErrorCode =
  | 'invalid_api_key'
  | 'rate_limit_exceeded'
  | 'budget_exhausted'
  | 'rate_limiter_unavailable'
  | 'bad_request'
  | 'model_not_found'
  | 'model_disabled'
  | 'context_length_exceeded'
  | 'upstream_error'
  | 'answer_failed'
  | 'persist_failed'
  | 'previous_response_not_found'
  | 'previous_response_in_progress'
  | 'not_found';

const types: Record<GatewayErrorCode, string> = {
  invalid_api_key: 'invalid_request_error',
  rate_limit_exceeded: 'requests',
  budget_exhausted: 'insufficient_quota',
  rate_limiter_unavailable: 'api_error',
  bad_request: 'invalid_request_error',
  model_not_found: 'invalid_request_error',
  model_disabled: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  upstream_error: 'api_error',
  answer_failed: 'api_error',
  persist_failed: 'api_error',
  previous_response_not_found: 'invalid_request_error',
  previous_response_in_progress: 'invalid_request_error',
  not_found: 'invalid_request_error',
};

/** Retryable when its status says so (429, 5xx…). */
export class GatewayError extends RagtimeError {
  declare readonly code: GatewayErrorCode;

  constructor(
    readonly statusCode: number,
    code: GatewayErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly param: string | null = null,
  ) {
    super(code, message, { retryable: isRetryableStatus(statusCode) });
  }

  get type(): string {
    return types[this.code];
  }

  body() {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export function unauthorized(message = 'Missing or invalid credentials: send an API key (Authorization: Bearer or x-api-key) or a JWT bearer token.'): GatewayError {
  return new GatewayError(401, 'invalid_api_key', message, { 'www-authenticate': 'Bearer' });
}
