import { describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { expressSessionStorage } from '../../../src/session/expressSessionStorage';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { NOT_PEEKABLE, SessionDoor } from '../../../src/session/SessionDoor';
import type { SessionStorage } from '../../../src/session/SessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { API_URL, PROJECT, type FakePlatform } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const HOUR = 3_600_000;

/** The per-call fast path: a session in process memory read without a promise (bench/ measures why). */
describe('the synchronous session read (peek)', () => {
  const token = (now: number, extra: Partial<CtpAuthToken> = {}): CtpAuthToken => ({
    kind: 'customer',
    accessToken: 'access-peek-1',
    refreshToken: 'refresh-peek-1',
    issuedAt: now,
    expiresAt: now + 48 * HOUR,
    scopes: [`manage_my_profile:${PROJECT}`],
    customerId: 'customer-1',
    ...extra,
  });

  describe('SessionDoor.peek', () => {
    it('should return the checked token of an in-process storage, and undefined for an empty one', () => {
      const door = new SessionDoor(1_000);
      const stored = new MemorySessionStorage('s', token(Date.now()));
      expect(door.peek(stored)).toMatchObject({ accessToken: 'access-peek-1', customerId: 'customer-1' });
      expect(door.peek(new MemorySessionStorage('e'))).toBeUndefined();
    });

    it('should say NOT_PEEKABLE for a storage without peek, a throwing peek and an invalid value, so the caller takes the typed path', () => {
      const door = new SessionDoor(1_000);
      const plain: SessionStorage = { get: async () => undefined, set: async () => undefined, clear: async () => undefined };
      const throwing: SessionStorage = { ...plain, inProcess: true, peek: () => { throw new Error('gone'); } };
      const garbage = { ...plain, inProcess: true, peek: () => ({ accessToken: 42 }) as unknown as CtpAuthToken };
      const cannotTell: SessionStorage = { ...plain, peek: () => null };
      expect(door.peek(plain)).toBe(NOT_PEEKABLE);
      expect(door.peek(cannotTell)).toBe(NOT_PEEKABLE);
      expect(door.peek(throwing)).toBe(NOT_PEEKABLE);
      expect(door.peek(garbage)).toBe(NOT_PEEKABLE);
    });

    it('should agree with get() for the express adapter', async () => {
      const session: Record<string, unknown> = {};
      const storage = expressSessionStorage(session, { id: 'sid' });
      expect(storage.peek?.()).toBeUndefined();
      await storage.set(token(Date.now()));
      expect(storage.peek?.()).toEqual(await storage.get());
      session['ctpAuthToken'] = 'not a token';
      expect(storage.peek?.()).toBeUndefined();
    });
  });

  /** A customer token the fake platform knows (its API answers it; its refresh token renews). */
  const issued = (platform: FakePlatform, now: number, extra: Partial<CtpAuthToken> = {}): CtpAuthToken => {
    const scope = `manage_my_profile:${PROJECT}`;
    const known = { kind: 'customer' as const, scope, customerId: 'customer-1', refreshToken: 'refresh-peek-1' };
    platform.refreshTokens.set('refresh-peek-1', known);
    return token(now, { accessToken: platform.issue(known).access, ...extra });
  };

  describe('customerApiRoot()', () => {
    it('should not call get() when peek holds a valid token, and call the API with that token', async () => {
      const { platform, client, clock } = createTestServices();
      const stored = issued(platform, clock.now());
      const storage = new MemorySessionStorage('s', stored);
      const get = vi.spyOn(storage, 'get');
      const { body } = await runWithCtpSession(storage, async () => (await client.customerApiRoot()).categories().withId({ ID: 'cat-1' }).get().execute());
      expect(body.id).toBeDefined();
      expect(get).not.toHaveBeenCalled();
      const call = platform.calls.find((c) => c.url.startsWith(API_URL));
      expect(call?.url).toBe(`${API_URL}/${PROJECT}/categories/cat-1`);
      expect(call?.method).toBe('GET');
      expect(call?.headers['authorization']).toBe(`Bearer ${stored.accessToken}`);
      expect(platform.calls.filter((c) => !c.url.startsWith(API_URL))).toHaveLength(0);
    });

    it('should read get() when peek cannot tell (null), as a cache miss of a remote storage', async () => {
      const { platform, client, clock } = createTestServices();
      const stored = issued(platform, clock.now());
      const remote: SessionStorage = { peek: () => null, get: vi.fn(async () => stored), set: async () => undefined, clear: async () => undefined };
      const root = await runWithCtpSession(remote, () => client.customerApiRoot());
      await root.categories().withId({ ID: 'cat-1' }).get().execute();
      expect(remote.get).toHaveBeenCalledTimes(1);
      expect(platform.calls.find((c) => c.url.startsWith(API_URL))?.headers['authorization']).toBe(`Bearer ${stored.accessToken}`);
    });

    it('should hand the same builder to the calls of one request while the token is unchanged', async () => {
      const { client, clock } = createTestServices();
      const storage = new MemorySessionStorage('s', token(clock.now()));
      const [a, b] = await runWithCtpSession(storage, () => Promise.all([client.customerApiRoot(), client.customerApiRoot()]));
      expect(a).toBe(b);
    });

    it('should renew through the slow path once the token is inside its renewal margin', async () => {
      const { platform, client, clock } = createTestServices();
      const stored = issued(platform, clock.now(), { issuedAt: clock.now() - 47 * HOUR, expiresAt: clock.now() + 60_000 });
      const storage = new MemorySessionStorage('s', stored);
      await runWithCtpSession(storage, () => client.customerApiRoot());
      expect(platform.grants('refresh_token')).toHaveLength(1);
      expect((await storage.get())?.accessToken).not.toBe(stored.accessToken);
    });

    it('should start an anonymous session through the slow path when peek finds none', async () => {
      const { platform, client } = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => client.customerApiRoot());
      expect(platform.grants('anonymous')).toHaveLength(1);
      expect((await storage.get())?.kind).toBe('anonymous');
    });

    it('should reject, not throw, with the typed codes the slow path reports', async () => {
      const { client, clock } = createTestServices();
      const garbage: SessionStorage = {
        inProcess: true,
        peek: () => ({ accessToken: 'x' }) as unknown as CtpAuthToken,
        get: async () => ({ accessToken: 'x' }) as unknown as CtpAuthToken,
        set: async () => undefined,
        clear: async () => undefined,
      };
      const invalid = runWithCtpSession(garbage, () => client.customerApiRoot());
      await expect(invalid).rejects.toMatchObject({ code: CtpErrorCode.StoredTokenInvalid });
      const storeSession = new MemorySessionStorage('s', token(clock.now(), { storeKey: 'store-a' }));
      const otherStore = runWithCtpSession(storeSession, () => client.customerApiRoot({ storeKey: 'store-b' }));
      await expect(otherStore).rejects.toMatchObject({ code: CtpErrorCode.StoreMismatch });
      const outside = client.customerApiRoot();
      await expect(outside).rejects.toMatchObject({ code: CtpErrorCode.NoSessionContext });
    });

    it('should see a sign-out at once: no builder for a cleared session', async () => {
      const { client, clock, session } = createTestServices();
      const storage = new MemorySessionStorage('s', token(clock.now()));
      await runWithCtpSession(storage, async () => {
        await client.customerApiRoot();
        await session.logout();
        await expect(client.customerApiRoot({ createAnonymous: false })).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
      });
    });
  });
});
