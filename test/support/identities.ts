// Test identities: an org (enterprise tier unless asked otherwise), a user and an API key, created through
// the same store the admin CLI uses.
import pg from 'pg';
import type { Tier } from '../../domain/gateway/principal.js';
import { IdentityError, IdentityStore } from '../../infra/gateway/identity-store.js';
import { services } from './services.js';

let store: IdentityStore | undefined;
const keys = new Map<string, Promise<string>>();

export function identityStore(): IdentityStore {
  store ??= new IdentityStore(new pg.Pool({ connectionString: services().databaseUrl, max: 2, allowExitOnIdle: true }));
  return store;
}

/** An API key for `userId` of org `orgId`, creating both if needed; one key per org and user per test file. */
export function apiKeyFor(orgId: string, options: { userId?: string; tier?: Tier } = {}): Promise<string> {
  const userId = options.userId ?? 'test-user';
  const cacheKey = `${orgId}/${userId}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = createKey(orgId, userId, options.tier ?? 'enterprise');
    keys.set(cacheKey, key);
  }
  return key;
}

async function createKey(orgId: string, userId: string, tier: Tier): Promise<string> {
  const identities = identityStore();
  await ignoreConflict(identities.createOrg('test', { id: orgId, name: orgId, tier }));
  await ignoreConflict(identities.createUser('test', { orgId, id: userId }));
  return (await identities.createKey('test', { orgId, userId, name: 'test' })).key;
}

async function ignoreConflict(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (!(error instanceof IdentityError && error.code === 'conflict')) throw error;
  }
}
