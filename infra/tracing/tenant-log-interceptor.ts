// Puts the tenant on every activity log line (activity.log): the id comes from the activity's input, which
// for every Ragtime step carries `tenantId`. Log lines only; never a metric label.
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityOutboundCallsInterceptor, GetLogAttributesInput, Next } from '@temporalio/worker';

export function tenantLogInterceptor() {
  return (): { inbound: ActivityInboundCallsInterceptor; outbound: ActivityOutboundCallsInterceptor } => {
    let tenantId: string | undefined;
    return {
      inbound: {
        async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
          const candidate = (input.args[0] as { tenantId?: unknown } | undefined)?.tenantId;
          if (typeof candidate === 'string') tenantId = candidate;
          return next(input);
        },
      },
      outbound: {
        getLogAttributes(input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
          return next(tenantId ? { ...input, tenantId } : input);
        },
      },
    };
  };
}
