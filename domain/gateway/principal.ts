// Who is calling. Every request the gateway admits carries a principal; its org is the tenant that scopes
// every stored row, stream and cache entry.

export const tiers = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof tiers)[number];

export interface Principal {
  orgId: string;
  userId: string;
  tier: Tier;
  /** Monthly budget in micro-USD; null is unlimited. */
  monthlyBudgetMicros: number | null;
  via: 'api_key' | 'jwt';
  /** The API key id (never the secret) when authenticated by key. */
  keyId?: string;
}
