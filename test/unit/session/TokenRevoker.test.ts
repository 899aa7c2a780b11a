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
  describe('.accessLater', () => {
    it('should revoke the access token only once its grace period has passed', async () => {
      vi.useFakeTimers();
      const revoked: string[] = [];
      const revoker = new TokenRevoker(
        { revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) },
        new CapturingLogger(),
        1_000,
      );
      revoker.accessLater('access-SECRET-1', 'customer', 'refresh-replaced', 60_000);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(revoked).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(revoked).toEqual(['access_token access-SECRET-1']);
      await revoker.settled();
      expect(revoked).toHaveLength(1);
    });

    it('should start a revocation still in its grace period when settled() is asked, and only once', async () => {
      vi.useFakeTimers();
      const revoked: string[] = [];
      const revoker = new TokenRevoker(
        { revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) },
        new CapturingLogger(),
        1_000,
      );
      revoker.accessLater('access-SECRET-1', 'customer', 'refresh-replaced', 60_000);
      await revoker.settled();
      expect(revoked).toEqual(['access_token access-SECRET-1']);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(revoked).toHaveLength(1);
    });
  });

  describe('.pair', () => {
    it('should revoke the refresh token and the access token explicitly', async () => {
      const revoked: string[] = [];
      await new TokenRevoker(
        { revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) },
        new CapturingLogger(),
        1_000,
      ).pair(pair, 'logout');
      expect(revoked.sort()).toEqual(['access_token access-SECRET-1', 'refresh_token refresh-SECRET-1']);
    });

    it("should send nothing for an external session: its token is the identity provider's, its refreshToken a lineage id", async () => {
      const revoked: string[] = [];
      const revoker = new TokenRevoker(
        { revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) },
        new CapturingLogger(),
        1_000,
      );
      await revoker.pair({ ...pair, external: true, refreshToken: 'external:lineage-1' }, 'logout');
      await revoker.settled();
      expect(revoked).toEqual([]);
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
        await expect(
          new TokenRevoker({ revoke: failing }, logger, 1_000).pair(pair, 'logout'),
        ).resolves.toBeUndefined();
        expect(logger.events('ctp.revoke.failed')).toEqual([
          expect.objectContaining({ code: CtpErrorCode.AuthUnavailable, reason: 'logout', hint: 'refresh_token' }),
          expect.objectContaining({ code: CtpErrorCode.AuthUnavailable, reason: 'logout', hint: 'access_token' }),
        ]);
        expect(logger.text()).not.toContain('SECRET');
      });
    });
  });

  describe('.access', () => {
    it('should revoke only that access token, with its hint, and log a failure with the kind and reason', async () => {
      const revoked: string[] = [];
      const logger = new CapturingLogger();
      const revoker = new TokenRevoker(
        {
          revoke: async (token, hint) => {
            revoked.push(`${hint} ${token}`);
            throw new Error('socket hang up');
          },
        },
        logger,
        1_000,
      );
      await expect(revoker.access('access-SECRET-2', 'anonymous', 'refresh-replaced')).resolves.toBeUndefined();
      expect(revoked).toEqual(['access_token access-SECRET-2']);
      // An error that is not a CtpError is logged as UNKNOWN: its message may quote anything.
      expect(logger.events('ctp.revoke.failed')).toEqual([
        {
          event: 'ctp.revoke.failed',
          kind: 'anonymous',
          reason: 'refresh-replaced',
          hint: 'access_token',
          code: 'UNKNOWN',
        },
      ]);
      expect(logger.text()).not.toContain('SECRET');
      expect(logger.text()).not.toContain('socket hang up');
    });
  });

  describe('.within', () => {
    describe('when the work ends before waitMs', () => {
      it('should resolve at once, clear its timer and log nothing slow later', async () => {
        vi.useFakeTimers();
        const logger = new CapturingLogger();
        const revoker = new TokenRevoker({ revoke: async () => undefined }, logger, 2_000);
        await revoker.within(Promise.resolve('done'), 'customer', 'logout');
        expect(vi.getTimerCount()).toBe(0);
        await vi.advanceTimersByTimeAsync(10_000);
        expect(logger.events('ctp.revoke.slow')).toEqual([]);
        await revoker.settled();
      });
    });

    describe('when the work rejects', () => {
      it('should resolve, not reject, and count it as settled', async () => {
        const revoker = new TokenRevoker({ revoke: async () => undefined }, new CapturingLogger(), 2_000);
        await expect(revoker.within(Promise.reject(new Error('boom')), 'customer', 'logout')).resolves.toBeUndefined();
        await expect(revoker.settled()).resolves.toBeUndefined();
      });
    });

    describe('when the work outlives waitMs', () => {
      it('should log the slow revocation with kind, reason and waitMs, and settle only after the work ends', async () => {
        vi.useFakeTimers();
        const logger = new CapturingLogger();
        const revoker = new TokenRevoker({ revoke: async () => undefined }, logger, 500);
        let finish!: () => void;
        const work = new Promise<void>((resolve) => (finish = resolve));
        const waiting = revoker.within(work, 'anonymous', 'login');
        await vi.advanceTimersByTimeAsync(500);
        await waiting;
        expect(logger.events('ctp.revoke.slow')).toEqual([
          { event: 'ctp.revoke.slow', kind: 'anonymous', reason: 'login', waitMs: 500 },
        ]);
        let settled = false;
        const settling = revoker.settled().then(() => (settled = true));
        await vi.advanceTimersByTimeAsync(0);
        expect(settled).toBe(false);
        finish();
        await settling;
        expect(settled).toBe(true);
      });
    });
  });

  describe('.settled', () => {
    it('should resolve at once with nothing running, and after every tracked revocation has ended', async () => {
      const revoker = new TokenRevoker({ revoke: async () => undefined }, new CapturingLogger(), 1_000);
      await expect(revoker.settled()).resolves.toBeUndefined();
      let finish!: () => void;
      const log: string[] = [];
      void revoker.within(
        new Promise<void>((resolve) => (finish = resolve)).then(() => void log.push('work ended')),
        'customer',
        'logout',
      );
      const settling = revoker.settled().then(() => void log.push('settled'));
      await Promise.resolve();
      expect(log).toEqual([]);
      finish();
      await settling;
      expect(log).toEqual(['work ended', 'settled']);
    });
  });
});
