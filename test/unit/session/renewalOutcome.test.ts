import { describe, expect, it } from 'vitest';
import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredSession } from '../../../src/auth/StoredSession';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { localCoordinator, type TokenCoordinator } from '../../../src/tokens/TokenCoordinator';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionRenewal } from '../../../src/session/SessionRenewal';
import { sameStoredSession, type SessionStorage } from '../../../src/session/SessionStorage';
import { SessionTokens } from '../../../src/session/SessionTokens';
import { CapturingLogger } from '../../support/createTestServices';

// The outcomes of tokens/renewalOutcome as SessionRenewal acts on them: a lineage the fleet says ended
// (the coordinator answers 'ended'), and the 'kept' outcome read from a storage's cache.

const token = (access: string, refresh = 'p:anon-refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});

/** The token being renewed, and what its refresh mints (same lineage: commercetools never rotates it). */
const OLD = token('anon-access-1');
const MINTED = token('anon-access-2');

/** A storage whose get() answers from a cache the test sets, and get({ fresh: true }) from the store, counted. */
class CachedStorage implements SessionStorage {
  readonly id = 's';
  storedReads = 0;
  writes = 0;
  constructor(
    public cache: CtpAuthToken | undefined,
    public stored: CtpAuthToken | undefined,
  ) {}
  async get(options?: { fresh?: boolean }) {
    if (options?.fresh !== true) return this.cache && toStoredSession(this.cache);
    this.storedReads += 1;
    return this.stored && toStoredSession(this.stored);
  }
  async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined) {
    if (!sameStoredSession(this.stored && toStoredSession(this.stored), expected)) return false;
    this.writes += 1;
    this.stored = parseStoredToken(next);
    return true;
  }
}

/** A SessionRenewal whose refresh answers `refresh` (through `coordinator`), at a time the tokens are valid and outside their margin. */
function setup(
  refresh: (tokens: SessionTokens) => Promise<CtpAuthToken>,
  coordinator: TokenCoordinator = localCoordinator,
) {
  const revoked: string[] = [];
  const logger = new CapturingLogger();
  const tokens = new SessionTokens(
    { revoke: async (t, hint) => void revoked.push(`${hint} ${t}`) },
    logger,
    1_000,
    1_000,
  );
  let refreshes = 0;
  const issuer = {
    refresh: async () => {
      refreshes += 1;
      return refresh(tokens);
    },
  };
  const renewal = new SessionRenewal(tokens, issuer, coordinator, { now: () => 2_000 }, logger);
  return { renewal, tokens, revoked, logger, refreshes: () => refreshes };
}

/** The fleet's answer for a lineage a sign-out or sign-in ended on another instance (RedisCoordinator's mark). */
const endedInFleet: TokenCoordinator = {
  ...localCoordinator,
  refresh: async () => 'ended',
};

describe('renewal outcomes', () => {
  describe('when the fleet says the lineage ended during the refresh', () => {
    it('should clear the session holding it and fail as expired, not keep serving the token', async () => {
      const { renewal, revoked } = setup(async () => MINTED, endedInFleet);
      const storage = new MemorySessionStorage('s', OLD);
      await expect(renewal.renew(storage, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(await storage.get()).toBeUndefined();
      // Nothing was minted here: nothing to revoke.
      expect(revoked).toEqual([]);
    });

    it('should clear it too when the storage has a cache that still holds the token', async () => {
      const { renewal } = setup(async () => MINTED, endedInFleet);
      const storage = new CachedStorage(OLD, OLD);
      await expect(renewal.renew(storage, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(storage.stored).toBeUndefined();
    });

    it('should serve the session the storage holds now when it is of another lineage', async () => {
      const other = token('anon-access-9', 'p:anon-refresh-9');
      const { renewal } = setup(async () => MINTED, endedInFleet);
      const storage = new MemorySessionStorage('s', other);
      expect(await renewal.renew(storage, OLD)).toEqual(other);
      expect(await storage.get()).toEqual(other);
    });
  });

  describe('when the storage answers from a cache', () => {
    it('should take the kept outcome from the cache, with no read past it and no write, when the cache holds what the refresh minted', async () => {
      const { renewal, revoked } = setup(async () => MINTED);
      const storage = new CachedStorage(MINTED, MINTED);
      expect(await renewal.renew(storage, OLD)).toEqual(MINTED);
      expect(storage.storedReads).toBe(0);
      expect(storage.writes).toBe(0);
      expect(revoked).toEqual([]);
    });

    it('should read past a stale cache and store what the refresh minted', async () => {
      const { renewal, revoked, tokens } = setup(async () => MINTED);
      const storage = new CachedStorage(OLD, OLD);
      expect(await renewal.renew(storage, OLD)).toEqual(MINTED);
      expect(storage.stored).toEqual(MINTED);
      expect(storage.storedReads).toBeGreaterThan(0);
      // The replaced token waits out its grace period; the revoker's settled() starts it.
      expect(revoked).toEqual([]);
      await tokens.revoker.settled();
      expect(revoked).toEqual([`access_token ${OLD.accessToken}`]);
    });

    it('should read past an empty cache and store what the refresh minted', async () => {
      const { renewal } = setup(async () => MINTED);
      const storage = new CachedStorage(undefined, OLD);
      expect(await renewal.renew(storage, OLD)).toEqual(MINTED);
      expect(storage.stored).toEqual(MINTED);
    });

    it('should not take a cached copy of the minted token when a sign-out ended the lineage during the refresh', async () => {
      // A sign-out of this process ends the lineage while the refresh runs; the cache has not seen it yet.
      const { renewal, revoked } = setup(async (tokens) => {
        tokens.end(OLD);
        return MINTED;
      });
      const storage = new CachedStorage(MINTED, MINTED);
      await expect(renewal.renew(storage, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(storage.stored).toBeUndefined();
      expect(revoked).toEqual([`access_token ${MINTED.accessToken}`]);
    });

    it('should keep, not revoke, what the refresh minted when the store holds it already behind a stale cache', async () => {
      // Another copy of the session stored this refresh's result; this storage's cache has not seen it.
      const { renewal, revoked, tokens } = setup(async () => MINTED);
      const storage = new CachedStorage(OLD, MINTED);
      expect(await renewal.renew(storage, OLD)).toEqual(MINTED);
      expect(storage.writes).toBe(0);
      await tokens.revoker.settled();
      expect(revoked).toEqual([]);
    });
  });

  describe('when the API refused the token (401) and the storage answers from a cache', () => {
    it('should read past the cache: the session may have been refreshed elsewhere a moment ago', async () => {
      const { renewal, refreshes } = setup(async () => token('anon-access-3'));
      const storage = new CachedStorage(OLD, MINTED);
      expect(await renewal.recover(storage, OLD.refreshToken, OLD.accessToken)).toEqual(MINTED);
      expect(refreshes()).toBe(0);
    });
  });
});
