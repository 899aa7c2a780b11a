import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpSessionError } from '../../../src/errors/CtpSessionError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import type { SessionStorage } from '../../../src/session/SessionStorage';
import { SessionTokens } from '../../../src/session/SessionTokens';
import { CapturingLogger } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

const anonymous = (n: number): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: `anon-access-${n}`,
  refreshToken: `p:anon-refresh-${n}`,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: `anon-${n}`,
});

const customer = (n: number, customerId = `c${n}`, storeKey?: string): CtpAuthToken => ({
  kind: 'customer',
  accessToken: `cust-access-${n}`,
  refreshToken: `p:cust-refresh-${n}`,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  customerId,
  ...(storeKey === undefined ? {} : { storeKey }),
});

/** A SessionTokens whose revocations are recorded as `hint token reason`-free strings. */
function setup(revokeWaitMs = 1_000) {
  const revoked: string[] = [];
  const logger = new CapturingLogger();
  const tokens = new SessionTokens(
    { revoke: async (token, hint) => void revoked.push(`${hint} ${token}`) },
    logger,
    1_000,
    revokeWaitMs,
  );
  return { tokens, revoked, logger };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const pairOf = (t: CtpAuthToken) => [`access_token ${t.accessToken}`, `refresh_token ${t.refreshToken}`];

afterEach(() => {
  vi.useRealTimers();
});

describe(SessionTokens, () => {
  describe('.track', () => {
    it('should hold a lineage while any of its renewals runs and drop it after the last', async () => {
      const { tokens } = setup();
      const first = deferred<number>();
      const second = deferred<number>();
      expect(tokens.track('L', first.promise)).toBe(first.promise);
      void tokens.track('L', second.promise);
      expect(tokens.renewing.get('L')?.size).toBe(2);
      first.resolve(1);
      await first.promise;
      await Promise.resolve();
      expect(tokens.renewing.get('L')?.size).toBe(1);
      second.resolve(2);
      await second.promise;
      await Promise.resolve();
      expect(tokens.renewing.has('L')).toBe(false);
    });

    it('should drop a renewal that rejects like one that resolves', async () => {
      const { tokens } = setup();
      const failing = Promise.reject(new Error('refresh failed'));
      await expect(tokens.track('L', failing)).rejects.toThrow('refresh failed');
      await Promise.resolve();
      expect(tokens.renewing.size).toBe(0);
    });

    it('should not let a late untrack of an emptied set drop the newer set of the same lineage', async () => {
      const { tokens } = setup();
      const first = deferred();
      const newer = deferred();
      void tokens.track('L', first.promise);
      // Runs between the two untracks of `first`: the lineage's first set is gone by then.
      void first.promise.then(() => void tokens.track('L', newer.promise));
      void tokens.track('L', first.promise);
      first.resolve();
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      expect(tokens.renewing.get('L')?.has(newer.promise)).toBe(true);
      newer.resolve();
    });
  });

  describe('.retire', () => {
    it('should revoke the pair only after every renewal of its lineage in flight has settled', async () => {
      const { tokens, revoked } = setup(60_000);
      const old = anonymous(1);
      const renewal = deferred();
      void tokens.track(old.refreshToken, renewal.promise);
      let retired = false;
      const retiring = tokens.retire(old, 'logout').then(() => (retired = true));
      // Every promise reaction queued so far has run (a macrotask comes after them), the revocations too.
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(revoked.sort()).toEqual(pairOf(old));
      expect(retired).toBe(false);
      renewal.resolve();
      await retiring;
      expect(retired).toBe(true);
    });
  });

  describe('.claim', () => {
    it('should store the new customer over an anonymous session, run fromAnonymous with it, end and revoke the anonymous lineage', async () => {
      const { tokens, revoked } = setup();
      const anon = anonymous(1);
      const storage = new MemorySessionStorage('s', anon);
      const seen: CtpAuthToken[] = [];
      const fresh = customer(1);
      const outcome = await tokens.claim(storage, anon, fresh, {
        reason: 'login',
        fromAnonymous: async (a) => void seen.push(a),
      });
      expect(outcome).toEqual({ token: fresh, replaced: anon });
      expect(seen.map((t) => t.accessToken)).toEqual([anon.accessToken]);
      expect((await storedToken(storage))?.accessToken).toBe(fresh.accessToken);
      expect(tokens.ended.has(anon.refreshToken)).toBe(true);
      expect(tokens.ended.has(fresh.refreshToken)).toBe(false);
      expect(revoked.sort()).toEqual(pairOf(anon));
    });

    describe('when the same customer of the same Store was signed in meanwhile', () => {
      it('should return the stored token and revoke its own as a duplicate', async () => {
        const { tokens, revoked } = setup();
        const winner = customer(1, 'c1', 'eu');
        const storage = new MemorySessionStorage('s', winner);
        const fresh = customer(2, 'c1', 'eu');
        const outcome = await tokens.claim(storage, undefined, fresh, { reason: 'login' });
        expect(outcome.token).toBe(await storedToken(storage));
        expect(outcome.token.accessToken).toBe(winner.accessToken);
        expect(outcome.replaced).toBeUndefined();
        expect(revoked.sort()).toEqual(pairOf(fresh));
        expect(tokens.ended.has(winner.refreshToken)).toBe(false);
      });
    });

    describe.each([
      ['another customer', customer(2, 'c2')],
      ['the same customer of another Store', customer(2, 'c1', 'us')],
    ])('when %s was signed in meanwhile', (_name, fresh) => {
      it('should fail with CTP_SESSION_CHANGED, keep the winner and revoke its own tokens', async () => {
        const { tokens, revoked } = setup();
        const winner = customer(1, 'c1', 'eu');
        const storage = new MemorySessionStorage('s', winner);
        const error = (await tokens
          .claim(storage, undefined, fresh, { reason: 'login' })
          .catch((e: unknown) => e)) as CtpSessionError;
        expect(error).toBeInstanceOf(CtpSessionError);
        expect(error.code).toBe(CtpErrorCode.SessionChanged);
        expect((await storedToken(storage))?.accessToken).toBe(winner.accessToken);
        expect(revoked.sort()).toEqual(pairOf(fresh));
      });
    });

    describe('when the compare-and-set keeps failing', () => {
      it('should try three times, then fail with CTP_SESSION_CHANGED and revoke its tokens', async () => {
        const { tokens, revoked } = setup();
        const storage = new MemorySessionStorage('s', anonymous(1));
        let attempts = 0;
        storage.compareAndSet = async () => {
          attempts += 1;
          return false;
        };
        const fresh = customer(1);
        const error = (await tokens
          .claim(storage, anonymous(1), fresh, { reason: 'login' })
          .catch((e: unknown) => e)) as CtpSessionError;
        expect(error.code).toBe(CtpErrorCode.SessionChanged);
        expect(attempts).toBe(3);
        expect(revoked.sort()).toEqual(pairOf(fresh));
      });
    });

    describe('when fromAnonymous fails and putting the anonymous session back fails too', () => {
      it('should throw the fromAnonymous error and revoke the new tokens', async () => {
        const { tokens, revoked } = setup();
        const anon = anonymous(1);
        const storage = new MemorySessionStorage('s', anon);
        const cas = storage.compareAndSet.bind(storage);
        let writes = 0;
        storage.compareAndSet = async (expected, next) => {
          writes += 1;
          if (writes === 2) throw new Error('store down');
          return cas(expected, next);
        };
        const fresh = customer(1);
        const failure = new Error('sign-in refused');
        await expect(
          tokens.claim(storage, anon, fresh, {
            reason: 'login',
            fromAnonymous: () => Promise.reject(failure),
          }),
        ).rejects.toBe(failure);
        expect(writes).toBe(2);
        expect(revoked.sort()).toEqual(pairOf(fresh));
        expect(tokens.ended.has(anon.refreshToken)).toBe(false);
      });
    });
  });

  describe('.replaceLineage', () => {
    it('should store the new pair over the same lineage, end it and revoke the old pair', async () => {
      const { tokens, revoked } = setup();
      const old = customer(1);
      const storage = new MemorySessionStorage('s', old);
      const fresh = customer(2, 'c1');
      await expect(tokens.replaceLineage(storage, old, fresh, 'password-change')).resolves.toBe(fresh);
      expect((await storedToken(storage))?.accessToken).toBe(fresh.accessToken);
      expect(tokens.ended.has(old.refreshToken)).toBe(true);
      expect(revoked.sort()).toEqual(pairOf(old));
    });

    it.each([
      [
        'another lineage is stored',
        (tokens: SessionTokens, old: CtpAuthToken) => new MemorySessionStorage('s', customer(9, old.customerId)),
      ],
      [
        'the lineage was ended by a sign-out here',
        (tokens: SessionTokens, old: CtpAuthToken) => {
          tokens.end(old);
          return new MemorySessionStorage('s', old);
        },
      ],
      ['the session is empty', () => new MemorySessionStorage('s')],
    ])(
      'should fail with CTP_SESSION_CHANGED when %s, leaving the session and revoking the new pair',
      async (_name, storageFor) => {
        const { tokens, revoked } = setup();
        const old = customer(1);
        const storage = storageFor(tokens, old);
        const before = await storedToken(storage);
        const fresh = customer(2, 'c1');
        const error = (await tokens
          .replaceLineage(storage, old, fresh, 'password-change')
          .catch((e: unknown) => e)) as CtpSessionError;
        expect(error.code).toBe(CtpErrorCode.SessionChanged);
        expect(await storedToken(storage)).toBe(before);
        expect(revoked.sort()).toEqual(pairOf(fresh));
      },
    );

    it('should revoke the new pair and pass the error on when the storage fails', async () => {
      const { tokens, revoked } = setup();
      const old = customer(1);
      const broken: SessionStorage = {
        get: async () => toStoredSession(old),
        compareAndSet: () => Promise.reject(new Error('store down')),
      };
      const fresh = customer(2, 'c1');
      const error = (await tokens
        .replaceLineage(broken, old, fresh, 'password-change')
        .catch((e: unknown) => e)) as CtpSessionError;
      expect(error.code).toBe(CtpErrorCode.SessionStorage);
      expect(revoked.sort()).toEqual(pairOf(fresh));
      expect(tokens.ended.has(old.refreshToken)).toBe(false);
    });
  });

  describe('.clearIf', () => {
    it('should clear a matching session, end and revoke its pair, log it and say true', async () => {
      const { tokens, revoked, logger } = setup();
      const held = customer(1);
      const storage = new MemorySessionStorage('s', held);
      await expect(tokens.clearIf(storage, (t) => t.customerId === 'c1', 'password-reset')).resolves.toBe(true);
      expect(await storedToken(storage)).toBeUndefined();
      expect(tokens.ended.has(held.refreshToken)).toBe(true);
      expect(revoked.sort()).toEqual(pairOf(held));
      expect(logger.events('ctp.session.cleared')).toEqual([
        { event: 'ctp.session.cleared', kind: 'customer', reason: 'password-reset' },
      ]);
    });

    it('should leave a session that does not match, and an empty one, and say false', async () => {
      const { tokens, revoked, logger } = setup();
      const held = customer(1);
      const storage = new MemorySessionStorage('s', held);
      await expect(tokens.clearIf(storage, (t) => t.customerId === 'c2', 'password-reset')).resolves.toBe(false);
      expect((await storedToken(storage))?.accessToken).toBe(held.accessToken);
      await expect(tokens.clearIf(new MemorySessionStorage('empty'), () => true, 'password-reset')).resolves.toBe(
        false,
      );
      expect(revoked).toEqual([]);
      expect(tokens.ended.has(held.refreshToken)).toBe(false);
      expect(logger.events('ctp.session.cleared')).toEqual([]);
    });
  });
});
