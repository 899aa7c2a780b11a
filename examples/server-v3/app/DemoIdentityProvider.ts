import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A stand-in for the shop's own identity provider (Auth0, Keycloak, Entra ID): it signs a token for
 * a commercetools customer and checks one. A real app checks the provider's JWT (signature, issuer,
 * audience, expiry) with the provider's library instead; the rest of the flow is the same.
 */
export class DemoIdentityProvider {
  readonly #key = randomBytes(32);

  /** `now`: the provider's clock (the demo moves the app's clock forward, and the provider's with it). */
  constructor(private readonly now: () => number = Date.now) {}

  /** A signed token for `customerId`, valid for `ttlMs`. */
  issue(customerId: string, ttlMs = 3_600_000): string {
    const claims = Buffer.from(JSON.stringify({ sub: customerId, exp: this.now() + ttlMs })).toString('base64url');
    return `idp.${claims}.${this.#sign(claims)}`;
  }

  /** Whose token it is, or undefined when it is not this provider's or has expired. */
  verify(token: string): { customerId: string; expiresAt: Date } | undefined {
    const [prefix, claims = '', signature = ''] = token.split('.');
    const expected = Buffer.from(this.#sign(claims));
    const given = Buffer.from(signature);
    if (prefix !== 'idp' || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const { sub, exp } = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number' || exp <= this.now()) return undefined;
    return { customerId: sub, expiresAt: new Date(exp) };
  }

  #sign(claims: string): string {
    return createHmac('sha256', this.#key).update(claims).digest('base64url');
  }
}
