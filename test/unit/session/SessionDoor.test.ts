import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpSessionError } from '../../../src/errors/CtpSessionError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionDoor } from '../../../src/session/SessionDoor';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import type { SessionStorage } from '../../../src/session/SessionStorage';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { putToken, storedToken } from '../../support/session/storedToken';

const token = (n: number): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: `access-${n}`,
  refreshToken: 'refresh-1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});

afterEach(() => {
  vi.useRealTimers();
});

describe(SessionDoor, () => {
  describe('.read', () => {
    describe('when the storage never answers', () => {
      it('should fail with CTP_SESSION_STORAGE_TIMEOUT at the bound, and leave no timer behind', async () => {
        vi.useFakeTimers();
        const hung: SessionStorage = { get: () => new Promise(() => undefined), compareAndSet: async () => true };
        const reading = new SessionDoor(1_000).read(hung).catch((e: unknown) => e);
        await vi.advanceTimersByTimeAsync(999);
        let settled = false;
        void reading.then(() => (settled = true));
        await Promise.resolve();
        expect(settled).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        const error = (await reading) as CtpSessionError;
        expect(error).toBeInstanceOf(CtpSessionError);
        expect(error.code).toBe(CtpErrorCode.SessionStorageTimeout);
        expect(vi.getTimerCount()).toBe(0);
      });
    });

    describe('when the storage returns something that is not a token', () => {
      it('should fail with CTP_STORED_TOKEN_INVALID instead of handing it on', async () => {
        const liar = {
          get: async () => ({ v: 2, a: 'x' }),
          compareAndSet: async () => true,
        } as unknown as SessionStorage;
        const error = (await new SessionDoor(1_000).read(liar).catch((e: unknown) => e)) as CtpSessionError;
        expect(error.code).toBe(CtpErrorCode.StoredTokenInvalid);
      });
    });

    describe('when the storage throws', () => {
      it('should wrap the failure as CTP_SESSION_STORAGE', async () => {
        const broken: SessionStorage = {
          get: async () => Promise.reject(new Error('ECONNRESET')),
          compareAndSet: async () => true,
        };
        const error = (await new SessionDoor(1_000).read(broken).catch((e: unknown) => e)) as CtpSessionError;
        expect(error.code).toBe(CtpErrorCode.SessionStorage);
      });
    });
  });

  describe('.update', () => {
    describe('when another instance writes between the read and the compare-and-set', () => {
      it('should decide again on what is stored now', async () => {
        const storage = new MemorySessionStorage('s', toStoredSession(token(1)));
        const cas = storage.compareAndSet.bind(storage);
        let interfered = false;
        storage.compareAndSet = async (expected, next) => {
          if (!interfered) {
            interfered = true;
            await putToken(storage, token(2)); // the other instance's refresh lands first
          }
          return cas(expected, next);
        };
        const seen: (string | undefined)[] = [];
        const result = await new SessionDoor(1_000).update(storage, (current) => {
          seen.push(current?.accessToken);
          return { result: 'written', next: token(3) };
        });
        expect(result).toBe('written');
        expect(seen).toEqual(['access-1', 'access-2']);
        expect((await storedToken(storage))?.accessToken).toBe('access-3');
      });
    });

    describe('when the compare-and-set keeps failing', () => {
      it('should give up with CTP_SESSION_CHANGED after three tries, storing nothing', async () => {
        const storage = new MemorySessionStorage('s', toStoredSession(token(1)));
        let attempts = 0;
        storage.compareAndSet = async () => {
          attempts += 1;
          return false;
        };
        const error = (await new SessionDoor(1_000)
          .update(storage, () => ({ result: 1, next: token(9) }))
          .catch((e: unknown) => e)) as CtpSessionError;
        expect(error.code).toBe(CtpErrorCode.SessionChanged);
        expect(attempts).toBe(3);
        expect((await storedToken(storage))?.accessToken).toBe('access-1');
      });
    });

    describe('when two updates of one session run at once', () => {
      it('should run them one after the other', async () => {
        const storage = new MemorySessionStorage('s', toStoredSession(token(1)));
        const door = new SessionDoor(1_000);
        const order: string[] = [];
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const first = door.exclusive(storage, async () => {
          order.push('first start');
          await gate;
          order.push('first end');
        });
        const second = door.exclusive(new MemorySessionStorage('s'), async () => void order.push('second'));
        const other = door.exclusive(new MemorySessionStorage('other'), async () => void order.push('other session'));
        await other;
        release();
        await Promise.all([first, second]);
        expect(order).toEqual(['first start', 'other session', 'first end', 'second']);
      });
    });
  });

  describe('with a storage that keeps a cache', () => {
    /** get() answers from a cache that still holds `cached`; get({ fresh: true }) from the store, which holds `stored`. */
    function caching(cached: CtpAuthToken | undefined, stored: CtpAuthToken | undefined) {
      const calls: string[] = [];
      const inner = new MemorySessionStorage('s', stored && toStoredSession(stored));
      const storage: SessionStorage = {
        id: 's',
        get: async (options) =>
          options?.fresh === true
            ? (calls.push('get fresh'), inner.get())
            : (calls.push('get'), cached && toStoredSession(cached)),
        compareAndSet: (expected, next) => (calls.push('compareAndSet'), inner.compareAndSet(expected, next)),
      };
      return { storage, calls, inner };
    }

    it('should answer read() from the cache and decide every write on a fresh read', async () => {
      const { storage, calls, inner } = caching(token(1), token(2));
      const door = new SessionDoor(1_000);
      expect((await door.read(storage))?.accessToken).toBe('access-1');
      const seen: (string | undefined)[] = [];
      await door.update(storage, (current) => (seen.push(current?.accessToken), { result: undefined, next: token(3) }));
      // The stale cache never decided the write: it was decided on what the store holds, and it landed.
      expect(seen).toEqual(['access-2']);
      expect(calls).toEqual(['get', 'get fresh', 'compareAndSet']);
      expect((await storedToken(inner))?.accessToken).toBe('access-3');
    });

    it('should read fresh for read(storage, { fresh: true }) (a 401 recovery)', async () => {
      const { storage, calls } = caching(token(1), undefined);
      expect(await new SessionDoor(1_000).read(storage, { fresh: true })).toBeUndefined();
      expect(calls).toEqual(['get fresh']);
    });

    it('should take a settled result from the cache without reading the store, and decide on the store otherwise', async () => {
      const { storage, calls } = caching(token(2), token(2));
      const door = new SessionDoor(1_000);
      const kept = await door.update(
        storage,
        () => ({ result: 'decided' }),
        (cached) => (cached?.accessToken === 'access-2' ? 'kept' : undefined),
      );
      expect(kept).toBe('kept');
      expect(calls).toEqual(['get']);
      calls.length = 0;
      const decided = await door.update(
        storage,
        () => ({ result: 'decided' }),
        () => undefined,
      );
      expect(decided).toBe('decided');
      expect(calls).toEqual(['get', 'get fresh']);
    });

    it('should hand compareAndSet the compact stored form, with the scope set as its fingerprint in the registry given', async () => {
      const registry = new ScopeRegistry({ projectKey: 'p' });
      const { storage, inner } = caching(undefined, undefined);
      const handed: unknown[] = [];
      const cas = storage.compareAndSet.bind(storage);
      storage.compareAndSet = (expected, next) => (handed.push(expected, next), cas(expected, next));
      const door = new SessionDoor(1_000, registry);
      const anonymous = { ...token(1), scopes: registry.scopes('anonymous') };
      await door.update(storage, () => ({ result: undefined, next: anonymous }));
      expect(handed).toEqual([undefined, toStoredSession(anonymous, registry)]);
      expect((handed[1] as { s: unknown }).s).toBe(registry.fingerprint('anonymous'));
      expect((await door.read(inner))?.scopes).toBe(registry.scopes('anonymous'));
    });
  });

  describe('.read of a failing storage', () => {
    it('should turn a rejected read into CTP_SESSION_STORAGE keeping the cause', async () => {
      const cause = new Error('store gone');
      const broken: SessionStorage = { get: () => Promise.reject(cause), compareAndSet: async () => true };
      const error = (await new SessionDoor(1_000).read(broken).catch((e: unknown) => e)) as CtpSessionError;
      expect(error).toBeInstanceOf(CtpSessionError);
      expect(error.code).toBe(CtpErrorCode.SessionStorage);
      expect(error.cause).toBe(cause);
    });

    it('should turn a synchronous throw into a rejected CTP_SESSION_STORAGE, asking the storage once', async () => {
      let calls = 0;
      const throwing: SessionStorage = {
        get: () => {
          calls += 1;
          throw new Error('sync boom');
        },
        compareAndSet: async () => true,
      };
      const error = (await new SessionDoor(1_000).read(throwing).catch((e: unknown) => e)) as CtpSessionError;
      expect(error.code).toBe(CtpErrorCode.SessionStorage);
      expect(calls).toBe(1);
    });
  });

  describe('.update of a storage whose write or clear hangs', () => {
    const hungWrites = (): SessionStorage => ({
      get: async () => toStoredSession(token(1)),
      compareAndSet: () => new Promise(() => undefined),
    });

    it.each([
      ['write', { result: 1, next: token(2) }, 'finish a write'],
      ['clear', { result: 1, next: null }, 'finish a clear'],
    ] as const)('should fail a hung %s with CTP_SESSION_STORAGE_TIMEOUT naming it', async (_name, decision, what) => {
      vi.useFakeTimers();
      const updating = new SessionDoor(1_000).update(hungWrites(), () => decision).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1_100);
      const error = (await updating) as CtpSessionError;
      expect(error).toBeInstanceOf(CtpSessionError);
      expect(error.code).toBe(CtpErrorCode.SessionStorageTimeout);
      expect(error.message).toContain(`did not ${what} within 1000 ms`);
    });

    it('should fail a hung compareAndSet with CTP_SESSION_STORAGE_TIMEOUT', async () => {
      vi.useFakeTimers();
      const storage: SessionStorage = hungWrites();
      const updating = new SessionDoor(1_000)
        .update(storage, () => ({ result: 1, next: token(2) }))
        .catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1_100);
      expect(((await updating) as CtpSessionError).code).toBe(CtpErrorCode.SessionStorageTimeout);
    });
  });
});
