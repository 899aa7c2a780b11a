import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { TokenRevoker } from '../../../src/session/TokenRevoker';
import { CapturingLogger } from '../../support/createTestServices';

const pair: CtpAuthToken = {
  kind: 'customer',
  accessToken: 'access-SECRET-1',
  refreshToken: 'refresh-SECRET-1',
  issuedAt: 0,
  expiresAt: 3_600_000,
  scopes: [],
  customerId: 'c1',
};

afterEach(() => {
  vi.useRealTimers();
});

describe(TokenRevoker, () => {
  describe('.pair', () => {
    it('should revoke the refresh token and the access token explicitly', async () => {
      const revoked: string[] = [];
      await new TokenRevoker({ revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) }, new CapturingLogger(), 1_000).pair(pair, 'logout');
      expect(revoked.sort()).toEqual(['access_token access-SECRET-1', 'refresh_token refresh-SECRET-1']);
    });

    describe('when the auth host hangs', () => {
      it('should stop waiting after waitMs, keep the revocation running, and settle once it ends', async () => {
        vi.useFakeTimers();
        let finish!: () => void;
        const hung = new Promise<void>((resolve) => (finish = resolve));
        const logger = new CapturingLogger();
        const revoker = new TokenRevoker({ revoke: () => hung }, logger, 2_000);
        let waited = false;
        const waiting = revoker.pair(pair, 'login').then(() => (waited = true));
        await vi.advanceTimersByTimeAsync(1_999);
        expect(waited).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        await waiting;
        expect(logger.events('ctp.revoke.slow')).toHaveLength(1);
        let settled = false;
        const settling = revoker.settled().then(() => (settled = true));
        await vi.advanceTimersByTimeAsync(10_000);
        expect(settled).toBe(false);
        finish();
        await settling;
      });
    });

    describe('when revoking fails', () => {
      it('should log the failure by code, never the token, and not reject', async () => {
        const logger = new CapturingLogger();
        const failing = async () => {
          throw new CtpAuthUnavailableError(CtpErrorCode.AuthUnavailable, 'down', { flow: 'revoke', attempts: 3 });
        };
        await expect(new TokenRevoker({ revoke: failing }, logger, 1_000).pair(pair, 'logout')).resolves.toBeUndefined();
        expect(logger.events('ctp.revoke.failed')).toEqual([
          expect.objectContaining({ code: CtpErrorCode.AuthUnavailable, reason: 'logout', hint: 'refresh_token' }),
          expect.objectContaining({ code: CtpErrorCode.AuthUnavailable, reason: 'logout', hint: 'access_token' }),
        ]);
        expect(logger.text()).not.toContain('SECRET');
      });
    });
  });
});
