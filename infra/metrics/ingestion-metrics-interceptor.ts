// Counts documents finished by ingestion into ragtime_ingestion_documents_total{status} from the outcome
// of the activities that end a document: finishDocument (indexed), failDocument (failed), removeDocument
// (deleted), and fetchSource reporting an unchanged version (unchanged). Counted once per successful
// attempt, so the ingestion activities stay free of metrics code.
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import type { Metrics } from './metrics.js';

const statusByActivity: Record<string, string> = { finishDocument: 'indexed', failDocument: 'failed', removeDocument: 'deleted' };

export function ingestionMetricsInterceptor(metrics: Metrics) {
  return (context: Context): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        const result = await next(input);
        const type = context.info.activityType;
        const status = statusByActivity[type]
          ?? (type === 'fetchSource' && (result as { status?: string } | undefined)?.status === 'unchanged' ? 'unchanged' : undefined);
        if (status) metrics.ingestionDocuments.inc({ status });
        return result;
      },
    },
  });
}
