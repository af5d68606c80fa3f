// Heartbeats for ingestion steps without natural progress points.
import { Context } from '@temporalio/activity';

const intervalMs = 2_000;

/**
 * Heartbeats every two seconds while `action` runs, so a step without natural progress points (reading,
 * parsing, chunking one document) still moves to another worker within its heartbeat timeout when its
 * worker dies, instead of waiting out the whole start-to-close timeout.
 */
export async function heartbeating<T>(action: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), intervalMs);
  try {
    return await action();
  } finally {
    clearInterval(timer);
  }
}
