/** Renew at most this long before expiry, whatever the lifetime. */
const MAX_MARGIN_MS = 30 * 60_000;
/** Share of the lifetime kept as margin: a 1 h token renews 6 min early, a 48 h one 30 min early. */
const MARGIN_SHARE = 0.1;

/** Scales with the lifetime (1 h to 7 days per API client): a fixed one could exceed a short lifetime. */
export function renewalMarginMs(lifetimeMs: number): number {
  return Math.min(Math.max(0, lifetimeMs) * MARGIN_SHARE, MAX_MARGIN_MS);
}

/** True once `now` is inside the token's renewal margin (or past expiry). */
export function needsRenewal(token: { issuedAt: number; expiresAt: number }, now: number): boolean {
  return now >= token.expiresAt - renewalMarginMs(token.expiresAt - token.issuedAt);
}

/** True once the token can no longer be used at all. */
export function isExpired(token: { expiresAt: number }, now: number): boolean {
  return now >= token.expiresAt;
}
