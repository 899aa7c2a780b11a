import { describe, expect, it } from 'vitest';
import { isExpired, needsRenewal, renewalMarginMs } from '../../../src/auth/renewal';

describe(renewalMarginMs, () => {
  it('should keep a tenth of the lifetime, at most 30 minutes, never below zero', () => {
    expect(renewalMarginMs(3_600_000)).toBe(360_000);
    expect(renewalMarginMs(48 * 3_600_000)).toBe(30 * 60_000);
    expect(renewalMarginMs(-5)).toBe(0);
  });
});

describe(needsRenewal, () => {
  // A 1 h token issued at t = 1,000,000 ms: its margin is 6 min, so renewal starts at 4,240,000.
  const token = { issuedAt: 1_000_000, expiresAt: 4_600_000 };

  it('should start exactly where the margin starts', () => {
    expect(needsRenewal(token, 4_239_999)).toBe(false);
    expect(needsRenewal(token, 4_240_000)).toBe(true);
    expect(needsRenewal(token, 5_000_000)).toBe(true);
  });
});

describe(isExpired, () => {
  it('should be true from the expiry on', () => {
    expect(isExpired({ expiresAt: 1_000 }, 999)).toBe(false);
    expect(isExpired({ expiresAt: 1_000 }, 1_000)).toBe(true);
  });
});
