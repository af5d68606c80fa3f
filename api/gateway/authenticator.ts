// Who is calling: an API key (`Authorization: Bearer rt_…` or `x-api-key`) or a JWT bearer token. Every
// failure is the same 401, so a caller learns nothing about which keys or orgs exist.
import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload } from 'jose';
import type { Principal, Tier } from '../../domain/gateway/principal.js';
import { looksLikeApiKey, parseApiKey, secretMatches } from '../../infra/gateway/api-keys.js';
import type { IdentityStore, OrgRecord } from '../../infra/gateway/identity-store.js';
import type { JwtVerifier } from '../../infra/gateway/jwt-verifier.js';
import type { TierLimits } from '../../infra/gateway/gateway-config.js';
import { textProblem } from '../edge/payload-budget.js';
import { unauthorized } from './gateway-error.js';

export interface AuthenticatorOptions {
  identities: IdentityStore;
  /** Absent when JWTs are not configured: bearer tokens must then be API keys. */
  jwt?: JwtVerifier;
  orgClaim: string;
  tiers: TierLimits;
}

/** Longer bearer tokens are refused before any parsing (a JWT's claims are bounded with it). */
const maxCredentialLength = 8192;

export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    return (await this.credential(headers)).principal;
  }

  /**
   * The principal and the credential it came from, so that a long-lived connection can check the same
   * credential again later (api/gateway/credential-watch.ts); `expiresAt` (ms) is a JWT's `exp`.
   */
  async credential(headers: IncomingHttpHeaders): Promise<{ principal: Principal; token: string; expiresAt?: number }> {
    const token = credentialOf(headers);
    if (!token || token.length > maxCredentialLength) throw unauthorized();
    if (looksLikeApiKey(token)) return { principal: await this.byApiKey(token), token };
    if (this.options.jwt && token.split('.').length === 3) return { token, ...(await this.byJwt(token)) };
    throw unauthorized();
  }

  /** Checks a credential again (a revoked key, deleted user, suspended org or expired JWT is refused). */
  recheck(token: string): Promise<Principal> {
    return this.authenticate({ authorization: `Bearer ${token}` });
  }

  /** The principal of a known org's user, for work done after the request (settling usage). */
  async principalFor(orgId: string, userId: string): Promise<Principal | undefined> {
    const org = await this.options.identities.org(orgId);
    return org && this.principal(org, userId, 'api_key');
  }

  private async byApiKey(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed) throw unauthorized();
    const credentials = await this.options.identities.keyCredentials(parsed.id);
    if (!credentials || credentials.revoked || credentials.userDeleted || credentials.org.suspendedAt || !secretMatches(parsed.secret, credentials.secretSha256)) throw unauthorized();
    return this.principal(credentials.org, credentials.userId, 'api_key', parsed.id);
  }

  private async byJwt(token: string): Promise<{ principal: Principal; expiresAt?: number }> {
    let claims: JWTPayload;
    try {
      claims = await this.options.jwt!.verify(token);
    } catch {
      throw unauthorized();
    }
    const orgId = claims[this.options.orgClaim];
    const userId = claims.sub;
    // Claims are client-borne text too: only ids Postgres can store and compare get through.
    if (typeof orgId !== 'string' || orgId.length > 64 || textProblem(orgId)) throw unauthorized();
    if (!userId || userId.length > 128 || textProblem(userId)) throw unauthorized();
    const org = await this.options.identities.org(orgId);
    if (!org || org.suspendedAt || await this.options.identities.isUserDeleted(org.id, userId)) throw unauthorized();
    return { principal: this.principal(org, userId, 'jwt'), ...(claims.exp ? { expiresAt: claims.exp * 1000 } : {}) };
  }

  private principal(org: OrgRecord, userId: string, via: Principal['via'], keyId?: string): Principal {
    return { orgId: org.id, userId, tier: org.tier, monthlyBudgetMicros: this.budgetOf(org), via, ...(keyId ? { keyId } : {}) };
  }

  private budgetOf(org: OrgRecord): number | null {
    if (org.budget.kind === 'unlimited') return null;
    if (org.budget.kind === 'fixed') return org.budget.micros;
    const usd = this.options.tiers[org.tier as Tier].monthlyBudgetUsd;
    return usd === null ? null : Math.round(usd * 1_000_000);
  }
}

/**
 * A browser cannot set headers on a WebSocket, so the web client offers its key as a subprotocol,
 * `ragtime.bearer.<key>`, beside the plain `ragtime` one the server selects (the key is never echoed back).
 */
export const webSocketBearerPrefix = 'ragtime.bearer.';

function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols !== 'string') return undefined;
  const offered = protocols.split(',').map((protocol) => protocol.trim()).find((protocol) => protocol.startsWith(webSocketBearerPrefix));
  return offered ? offered.slice(webSocketBearerPrefix.length) || undefined : undefined;
}
