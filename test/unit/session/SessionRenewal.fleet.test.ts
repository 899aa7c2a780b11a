import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionRenewal } from '../../../src/session/SessionRenewal';
import { SessionTokens } from '../../../src/session/SessionTokens';
import type { CoordinatedRefresh, TokenCoordinator } from '../../../src/tokens/TokenCoordinator';
import { CapturingLogger } from '../../support/createTestServices';

// What a refresh's failure means for the fleet is decided by the session, not the coordinator: only
// invalid_grant ends the lineage for every instance (endLineage, for 60 s), and it does so while the
// coordinator still holds the refresh, so the instances waiting read the mark rather than each being
// refused in turn. And how the session reads the coordinator's 'ended' answer.

const token = (access: string, refresh = 'p:anon-refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});

/** Valid and outside its renewal margin at the tests' time (2 s). */
const OLD = token('anon-access-1');

const refusal = () =>
  new CtpOAuthError(CtpErrorCode.AuthRejected, 'refused', {
    status: 400,
    error: 'invalid_grant',
    flow: 'refresh_token',
  });

/**
 * A coordinator that says what happened in order: the refresh held ('lock' ... 'release'), and each
 * endLineage asked for. It answers `answers` in turn, then runs the refresh.
 */
function recordingCoordinator(answers: CoordinatedRefresh[] = [], endLineage?: () => Promise<void>) {
  const log: string[] = [];
  const coordinator: TokenCoordinator = {
    shared: (_id, grant) => grant(),
    refresh: async (_token, refresh) => {
      log.push('asked');
      const answer = answers.shift();
      if (answer !== undefined) return answer;
      log.push('lock');
      try {
        return await refresh();
      } finally {
        log.push('release');
      }
    },
    endLineage: async (refreshToken, ttlMs) => {
      log.push(`end ${refreshToken} ${ttlMs}`);
      await endLineage?.();
    },
  };
  return { coordinator, log };
}

function setup(coordinator: TokenCoordinator, failure?: Error) {
  const logger = new CapturingLogger();
  const tokens = new SessionTokens({ revoke: async () => undefined }, logger, 1_000, 1_000);
  let refreshes = 0;
  const issuer = {
    refresh: async (t: CtpAuthToken) => {
      refreshes += 1;
      if (failure) throw failure;
      return token(`${t.accessToken}-r`, t.refreshToken);
    },
  };
  const renewal = new SessionRenewal(tokens, issuer, coordinator, { now: () => 2_000 }, logger);
  return { renewal, logger, refreshes: () => refreshes };
}

describe('SessionRenewal and the fleet', () => {
  describe('when the auth server refuses the refresh token (invalid_grant)', () => {
    it('should end the lineage for the fleet for 60 s before the coordinator releases the refresh, and clear the session', async () => {
      const { coordinator, log } = recordingCoordinator();
      const refused = refusal();
      const { renewal } = setup(coordinator, refused);
      const storage = new MemorySessionStorage('s', OLD);
      const error = await renewal.renew(storage, OLD).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect((error as Error).cause).toBe(refused);
      expect(log).toEqual(['asked', 'lock', `end ${OLD.refreshToken} 60000`, 'release']);
      expect(await storage.get()).toBeUndefined();
    });

    it('should still clear the session when the fleet could not be told (Redis down): the refusal stands', async () => {
      const { coordinator, log } = recordingCoordinator([], () =>
        Promise.reject(new CtpRedisError(CtpErrorCode.RedisUnavailable, 'Redis down')),
      );
      const { renewal, logger } = setup(coordinator, refusal());
      const storage = new MemorySessionStorage('s', OLD);
      await expect(renewal.renew(storage, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(log).toContain(`end ${OLD.refreshToken} 60000`);
      expect(await storage.get()).toBeUndefined();
      expect(logger.events('ctp.session.expired')).toHaveLength(1);
    });
  });

  describe.each([
    [
      'a 503',
      () =>
        new CtpAuthUnavailableError(CtpErrorCode.AuthUnavailable, 'down', {
          flow: 'refresh_token',
          attempts: 3,
          status: 503,
        }),
    ],
    [
      'invalid_grant with a status other than 400 (a proxy)',
      () =>
        new CtpOAuthError(CtpErrorCode.AuthRejected, 'odd', {
          status: 401,
          error: 'invalid_grant',
          flow: 'refresh_token',
        }),
    ],
    [
      'a refused API client',
      () =>
        new CtpOAuthError(CtpErrorCode.InvalidClient, 'client', {
          status: 401,
          error: 'invalid_client',
          flow: 'refresh_token',
        }),
    ],
    ['a network error', () => new Error('socket hang up')],
  ])('when the refresh fails with %s', (_name, failure) => {
    it('should end nothing for the fleet and keep the session, serving the current token', async () => {
      const { coordinator, log } = recordingCoordinator();
      const { renewal } = setup(coordinator, failure());
      const storage = new MemorySessionStorage('s', OLD);
      expect(await renewal.renew(storage, OLD)).toEqual(OLD);
      expect(log).toEqual(['asked', 'lock', 'release']);
      expect(await storage.get()).toBeDefined();
    });
  });

  describe("when the coordinator answers 'ended' (another instance ended the lineage)", () => {
    it('should clear the session without refreshing or ending anything itself, and fail as expired', async () => {
      const { coordinator, log } = recordingCoordinator(['ended']);
      const { renewal, refreshes, logger } = setup(coordinator);
      const storage = new MemorySessionStorage('s', OLD);
      await expect(renewal.renew(storage, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(log).toEqual(['asked']);
      expect(refreshes()).toBe(0);
      expect(await storage.get()).toBeUndefined();
      // Not this instance's refusal: it is counted where it happened.
      expect(logger.events('ctp.session.expired')).toEqual([]);
    });

    it('should not keep the answer as a refresh result: a later renewal of the lineage asks the coordinator again', async () => {
      const { coordinator, log } = recordingCoordinator(['ended']);
      const { renewal, refreshes } = setup(coordinator);
      // The session holds another lineage now: the answer ends nothing here, and the lineage is not marked ended.
      const other = token('anon-access-9', 'p:anon-refresh-9');
      expect(await renewal.renew(new MemorySessionStorage('s', other), OLD)).toEqual(other);
      const copy = new MemorySessionStorage('s', OLD);
      expect((await renewal.renew(copy, OLD)).accessToken).toBe(`${OLD.accessToken}-r`);
      expect(log).toEqual(['asked', 'asked', 'lock', 'release']);
      expect(refreshes()).toBe(1);
    });
  });
});
