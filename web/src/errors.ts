// What a person reads when something is refused or fails: the reason and what to do next.
export interface Problem { code: string; message: string; retryAfterSeconds?: number }

export function describeProblem(problem: Problem): string {
  switch (problem.code) {
    case 'rate_limit_exceeded':
      return `Rate limit reached: too many requests. Try again in ${problem.retryAfterSeconds ?? 'a few'} second${problem.retryAfterSeconds === 1 ? '' : 's'}.`;
    case 'budget_exhausted':
      return "Budget exhausted: this month's budget for your organisation is spent. Ask an administrator to raise it.";
    case 'blocked':
      return 'Blocked by the safety policy: this request was refused.';
    case 'cancelled':
      return 'Stopped.';
    case 'invalid_api_key':
      return 'That API key was not accepted.';
    case 'rate_limiter_unavailable':
      return 'The service is busy: the rate limiter is unavailable. Try again shortly.';
    case 'model_unavailable':
      return `No model could answer: ${problem.message}`;
    default:
      return problem.message || 'Something went wrong.';
  }
}
