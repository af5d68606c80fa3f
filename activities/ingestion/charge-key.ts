// Keys that make a quota charge happen once: the same key on a retried activity charges nothing more.
// A key names the workflow run's id (stable across activity retries) and what is charged.
import { createHash } from 'node:crypto';
import type { Info } from '@temporalio/activity';

export function chargeKey(info: Info, what: string): string {
  return `${info.workflowExecution?.workflowId ?? info.activityId}:${what}`;
}

/** A short stable digest of a list of ids (a batch's chunks). */
export function idsDigest(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join(',')).digest('base64url').slice(0, 22);
}
