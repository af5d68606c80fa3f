// Credentials are checked for the life of a connection, not only at the upgrade. Every open WebSocket is
// re-checked (same key or token, against Postgres): at once when a change is announced on Redis
// (credential-changes.ts), every `intervalMs` in any case (so a lost message is caught within that bound),
// and before each frame it sends, with verdicts cached `cacheMs` per credential. A JWT's connection ends at
// its `exp`. A connection whose credential no longer holds is revoked (the caller closes it); a check that
// fails for another reason (Postgres unreachable) keeps the connection and is logged.
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../../domain/gateway/principal.js';
import type { CredentialChange } from '../../infra/gateway/credential-changes.js';
import { GatewayError } from './gateway-error.js';

export interface CredentialWatchOptions {
  /** Authenticates the credential again; throws a 401 GatewayError when it no longer holds. */
  recheck: (token: string) => Promise<Principal>;
  intervalMs: number;
  cacheMs: number;
  logger: FastifyBaseLogger;
}

export interface WatchedCredential {
  principal: Principal;
  token: string;
  /** Epoch ms after which the credential is void (a JWT's exp). */
  expiresAt?: number;
  /** Ends the connection; called at most once. */
  revoke(reason: 'credential_revoked' | 'credential_expired'): void;
}

export interface CredentialLease {
  /** False (and the connection revoked) when the credential no longer holds. */
  stillValid(): Promise<boolean>;
  release(): void;
}

interface Entry {
  credential: WatchedCredential;
  tokenHash: string;
  revoked: boolean;
  expiryTimer?: NodeJS.Timeout;
}

const maxTimerMs = 2 ** 31 - 1;

export class CredentialWatch {
  private readonly entries = new Set<Entry>();
  private readonly verdicts = new Map<string, { at: number; valid: Promise<boolean | undefined> }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: CredentialWatchOptions) {
    this.timer = setInterval(() => {
      this.recheckAll().catch((error: unknown) => options.logger.error({ err: error }, 'credential sweep failed'));
    }, options.intervalMs).unref();
  }

  watch(credential: WatchedCredential): CredentialLease {
    const entry: Entry = { credential, tokenHash: createHash('sha256').update(credential.token).digest('hex'), revoked: false };
    if (credential.expiresAt !== undefined) {
      entry.expiryTimer = setTimeout(() => this.revoke(entry, 'credential_expired'), Math.min(maxTimerMs, Math.max(0, credential.expiresAt - Date.now())));
      entry.expiryTimer.unref();
    }
    this.entries.add(entry);
    return {
      stillValid: () => this.check(entry, false),
      release: () => {
        clearTimeout(entry.expiryTimer);
        this.entries.delete(entry);
      },
    };
  }

  /** An announced change: forget cached verdicts and re-check the matching connections now. */
  changed(change: CredentialChange): void {
    this.verdicts.clear();
    for (const entry of this.entries) {
      const { principal } = entry.credential;
      if (principal.orgId !== change.orgId) continue;
      if (change.keyId && principal.keyId !== change.keyId) continue;
      if (change.userId && principal.userId !== change.userId) continue;
      this.check(entry, true).catch((error: unknown) => this.options.logger.error({ err: error }, 'credential re-check failed'));
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const entry of this.entries) clearTimeout(entry.expiryTimer);
    this.entries.clear();
  }

  /** A sweep starts from no cached verdict (so the bound is the interval), sharing one check per credential. */
  private async recheckAll(): Promise<void> {
    this.verdicts.clear();
    await Promise.all([...this.entries].map((entry) => this.check(entry, false)));
  }

  private async check(entry: Entry, fresh: boolean): Promise<boolean> {
    if (entry.revoked) return false;
    const { expiresAt } = entry.credential;
    if (expiresAt !== undefined && Date.now() >= expiresAt) return this.revoke(entry, 'credential_expired');
    const valid = await this.verdict(entry, fresh);
    // Undefined: the check itself failed (not the credential); the connection is kept.
    return valid === false ? this.revoke(entry, 'credential_revoked') : !entry.revoked;
  }

  private verdict(entry: Entry, fresh: boolean): Promise<boolean | undefined> {
    const cached = this.verdicts.get(entry.tokenHash);
    if (!fresh && cached && Date.now() - cached.at < this.options.cacheMs) return cached.valid;
    const valid = this.options.recheck(entry.credential.token).then(
      (principal) => principal.orgId === entry.credential.principal.orgId && principal.userId === entry.credential.principal.userId,
      (error: unknown) => {
        if (error instanceof GatewayError && error.statusCode === 401) return false;
        this.options.logger.warn({ err: error }, 'could not re-check a connection credential; keeping the connection');
        this.verdicts.delete(entry.tokenHash);
        return undefined;
      },
    );
    this.verdicts.set(entry.tokenHash, { at: Date.now(), valid });
    return valid;
  }

  private revoke(entry: Entry, reason: 'credential_revoked' | 'credential_expired'): false {
    if (!entry.revoked) {
      entry.revoked = true;
      clearTimeout(entry.expiryTimer);
      this.entries.delete(entry);
      entry.credential.revoke(reason);
    }
    return false;
  }
}
