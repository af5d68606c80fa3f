// JWT bearer tokens: signature (HS secret or the issuer's JWKS), issuer, audience, expiry and an algorithm
// allow-list. Unsigned tokens (`alg: none`) never pass: jose refuses them and the list cannot name them.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface JwtSettings {
  issuer: string;
  audience: string;
  secret?: string;
  jwksUrl?: string;
  algorithms: string[];
  clockToleranceSeconds: number;
}

export class JwtVerifier {
  private readonly key: Uint8Array | ReturnType<typeof createRemoteJWKSet>;
  private readonly algorithms: string[];

  constructor(private readonly settings: JwtSettings) {
    if (settings.secret) {
      this.key = new TextEncoder().encode(settings.secret);
      this.algorithms = settings.algorithms.filter((algorithm) => algorithm.startsWith('HS'));
    } else if (settings.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 30_000 });
      this.algorithms = settings.algorithms.filter((algorithm) => !algorithm.startsWith('HS'));
    } else {
      throw new Error('JWT verification needs AUTH_JWT_SECRET or AUTH_JWT_JWKS_URL');
    }
    if (this.algorithms.length === 0) throw new Error('AUTH_JWT_ALGORITHMS allows no algorithm that fits the configured key');
  }

  /** The verified claims; throws on any failure. */
  async verify(token: string): Promise<JWTPayload> {
    const verified = typeof this.key === 'function'
      ? await jwtVerify(token, this.key, this.options())
      : await jwtVerify(token, this.key, this.options());
    return verified.payload;
  }

  private options() {
    return {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      algorithms: this.algorithms,
      clockTolerance: this.settings.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    };
  }
}
