// Minimal workflows for bench/temporal-floor.ts: what the Temporal server spends on a run that does nothing,
// one local activity, or one activity.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

interface FloorActivities {
  echo(value: string): Promise<string>;
}

const { echo } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10 seconds' });
const { echo: echoLocal } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10 seconds' });

export async function emptyWorkflow(value: string): Promise<string> {
  return value;
}

export async function localActivityWorkflow(value: string): Promise<string> {
  return echoLocal(value);
}

export async function activityWorkflow(value: string): Promise<string> {
  return echo(value);
}
