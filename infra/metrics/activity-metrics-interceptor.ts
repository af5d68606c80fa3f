// Times every activity attempt into ragtime_workflow_step_duration_seconds{step, outcome}.
import { CancelledFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import type { Metrics } from './metrics.js';

export function activityMetricsInterceptor(metrics: Metrics) {
  return (context: Context): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        const stop = metrics.stepDuration.startTimer({ step: context.info.activityType });
        try {
          const result = await next(input);
          stop({ outcome: 'success' });
          return result;
        } catch (error) {
          stop({ outcome: outcomeOf(error, context) });
          throw error;
        }
      },
    },
  });
}

function outcomeOf(error: unknown, context: Context): string {
  if (error instanceof CancelledFailure || context.cancellationSignal.aborted) return 'cancelled';
  if (error instanceof Error && /timed? ?out/i.test(error.message)) return 'timeout';
  return 'error';
}
