import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import type { StoredSession } from '../../../src/auth/StoredSession';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import { expressRequestStorage } from '../../../src/session/expressSessionStorage';
import { fromLegacyStorage, type LegacySessionStorage } from '../../../src/session/fromLegacyStorage';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionDoor } from '../../../src/session/SessionDoor';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createTestServices } from '../../support/createTestServices';
import { realisticCustomer } from '../../support/session/storedToken';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };

/** A MemorySessionStorage that records what every compareAndSet is handed, as JSON. */
function recording(id = 's') {
  const storage = new MemorySessionStorage(id);
  const handed: string[] = [];
  const cas = storage.compareAndSet.bind(storage);
  storage.compareAndSet = (expected, next) => {
    handed.push(JSON.stringify(next) ?? 'undefined');
    return cas(expected, next);
  };
  return { storage, handed };
}

describe('the SessionStorage contract', () => {
  it('should hand compareAndSet at most 320 B of JSON for a customer with the default scope set', async () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const { storage, handed } = recording();
    await new SessionDoor(1_000, registry).update(storage, () => ({
      result: undefined,
      next: realisticCustomer(registry),
    }));
    expect(handed).toHaveLength(1);
    expect(Buffer.byteLength(handed[0]!)).toBeLessThanOrEqual(320);
    expect(JSON.parse(handed[0]!)).toMatchObject({ v: 2, k: 'c', s: registry.fingerprint('customer') });
  });

  it('should hand compareAndSet the compact form on a real sign-in, which a registry of the same configuration reads back', async () => {
    const services = createTestServices();
    const { storage, handed } = recording();
    await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
    const customer = JSON.parse(handed.at(-1)!) as StoredSession;
    expect(customer).toMatchObject({ v: 2, k: 'c', s: services.registry.fingerprint('customer') });
    expect(Buffer.byteLength(handed.at(-1)!)).toBeLessThanOrEqual(320);
    // No process-wide table behind the fingerprint: another registry of the same sets resolves it, one of other sets does not.
    const twin = new ScopeRegistry({ projectKey: services.registry.projectKey });
    expect((await new SessionDoor(1_000, twin).read(storage))?.scopes).toEqual(services.registry.scopes('customer'));
    const narrower = new ScopeRegistry({
      projectKey: services.registry.projectKey,
      sets: { customer: ['manage_my_profile'] },
    });
    expect((await new SessionDoor(1_000, narrower).read(storage))?.scopesFingerprint).toBe(customer.s);
  });

  it('should have the built-in storages offer exactly id, get and compareAndSet', () => {
    const redis = {} as RedisLike;
    const methods = (o: object) =>
      Object.getOwnPropertyNames(o)
        .filter((name) => name !== 'constructor')
        .sort();
    expect(methods(MemorySessionStorage.prototype)).toEqual(['compareAndSet', 'get']);
    expect(methods(RedisSessionStorage.prototype)).toEqual(['compareAndSet', 'get']);
    expect(Object.keys(new RedisSessionStorage(redis, 'x')).filter((k) => k !== 'redis')).toEqual(['id']);
    expect(Object.keys(expressRequestStorage({ session: {} })).sort()).toEqual(['compareAndSet', 'get', 'id']);
  });
});

/** A storage of the earlier contract: get/set/clear on full tokens, no compareAndSet. */
function legacy(id = 'legacy-1') {
  let value: CtpAuthToken | undefined;
  const calls: string[] = [];
  const storage: LegacySessionStorage & { value(): CtpAuthToken | undefined } = {
    id,
    value: () => value,
    get: async () => (calls.push('get'), value),
    set: async (token) => {
      calls.push('set');
      value = JSON.parse(JSON.stringify(token)) as CtpAuthToken;
    },
    clear: async () => {
      calls.push('clear');
      value = undefined;
    },
  };
  return { storage, calls };
}

describe(fromLegacyStorage, () => {
  it('should keep an app storage of the earlier contract working: handed full tokens, signed in and out', async () => {
    const services = createTestServices();
    const { storage, calls } = legacy();
    const anonymous = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
    expect(storage.value()).toMatchObject({
      kind: 'anonymous',
      accessToken: anonymous.accessToken,
      refreshToken: anonymous.refreshToken,
    });
    const customer = await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
    expect(storage.value()).toMatchObject({ kind: 'customer', accessToken: customer.accessToken });
    // Read back with the scopes of the set (its fingerprint resolved by the library's registry).
    expect((await runWithCtpSession(storage, () => services.session.current()))?.scopes).toEqual(
      services.registry.scopes('customer'),
    );
    await runWithCtpSession(storage, () => services.session.logout());
    expect(storage.value()).toBeUndefined();
    expect(calls).toContain('clear');
  });

  it('should compare before it writes (read, compare, write), and refuse when the pair changed', async () => {
    const { storage, calls } = legacy();
    const adapted = fromLegacyStorage(storage);
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const token = realisticCustomer(registry);
    const { toStoredSession } = await import('../../../src/auth/StoredSession');
    expect(await adapted.compareAndSet(undefined, toStoredSession(token, registry))).toBe(true);
    expect(calls).toEqual(['get', 'set']);
    expect(storage.value()).toMatchObject({
      accessToken: token.accessToken,
      scopes: [],
      scopesFingerprint: registry.fingerprint('customer'),
    });
    expect(await adapted.compareAndSet(undefined, toStoredSession(token, registry))).toBe(false);
    expect(
      await adapted.compareAndSet(
        toStoredSession({ ...token, accessToken: 'other-access-token-0000000000000' }),
        undefined,
      ),
    ).toBe(false);
    expect(await adapted.compareAndSet(toStoredSession(token), undefined)).toBe(true);
    expect(storage.value()).toBeUndefined();
  });

  it("should use a legacy storage's own compareAndSet and getStored when it has them", async () => {
    const { storage } = legacy();
    const seen: (string | undefined)[] = [];
    const stale = { ...realisticCustomer(new ScopeRegistry({ projectKey: 'p' })) };
    const withCas: LegacySessionStorage = {
      ...storage,
      get: async () => stale,
      getStored: async () => storage.value(),
      compareAndSet: async (expected, next) => {
        seen.push(expected?.accessToken, next?.accessToken);
        return true;
      },
    };
    const adapted = fromLegacyStorage(withCas);
    expect(await adapted.get()).toBe(stale);
    expect(await adapted.get({ fresh: true })).toBeUndefined();
    const { toStoredSession } = await import('../../../src/auth/StoredSession');
    expect(await adapted.compareAndSet(toStoredSession(stale), undefined)).toBe(true);
    expect(seen).toEqual([stale.accessToken, undefined]);
  });
});
