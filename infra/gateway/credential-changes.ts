// Credential changes (a key revoked, a user deleted, an org suspended) announced over Redis pub/sub, so every
// API instance re-checks its open connections at once. A message only triggers a re-check against Postgres,
// never a verdict by itself: a lost message is caught by the periodic re-check, a forged one changes nothing.
import type { Redis } from 'ioredis';

export interface CredentialChange {
  orgId: string;
  keyId?: string;
  userId?: string;
}

/** Channels are not key-prefixed by ioredis: the prefix is added here, so deployments sharing a Redis stay apart. */
export function credentialChannel(keyPrefix: string): string {
  return `${keyPrefix}credentials:changed`;
}

export async function publishCredentialChange(redis: Redis, channel: string, change: CredentialChange): Promise<void> {
  await redis.publish(channel, JSON.stringify(change));
}

/**
 * Subscribes on its own connection (a subscribed connection cannot run commands), again on every reconnect,
 * without ever blocking the caller on Redis; returns the unsubscribe.
 */
export function subscribeCredentialChanges(redis: Redis, channel: string, onChange: (change: CredentialChange) => void, onError: (error: unknown) => void): () => void {
  const subscriber = redis.duplicate();
  subscriber.on('message', (_channel: string, message: string) => {
    const change = parseChange(message);
    if (change) onChange(change);
  });
  subscriber.on('ready', () => void subscriber.subscribe(channel).catch(onError));
  subscriber.on('error', onError);
  return () => subscriber.disconnect();
}

function parseChange(message: string): CredentialChange | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value.orgId !== 'string') return undefined;
    return {
      orgId: value.orgId,
      ...(typeof value.keyId === 'string' ? { keyId: value.keyId } : {}),
      ...(typeof value.userId === 'string' ? { userId: value.userId } : {}),
    };
  } catch {
    return undefined;
  }
}
