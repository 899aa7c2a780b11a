import { describe, expect, it } from 'vitest';
import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpScopeError } from '../../../src/errors/CtpScopeError';
import type { CtpSessionError } from '../../../src/errors/CtpSessionError';
import { scopeFingerprint } from '../../../src/scopes/scopeCatalog';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { putToken, realisticCustomer, storedToken } from '../../support/session/storedToken';

function setup() {
  const services = createTestServices();
  const issuer = new TokenIssuer(services.oauth, services.registry, services.clock, services.logger);
  return { ...services, issuer };
}

function refreshAnswer(scope: string) {
  return (call: { form: URLSearchParams }) =>
    call.form.get('grant_type') === 'refresh_token'
      ? json({ access_token: 'fresh-access-2', token_type: 'Bearer', expires_in: 3600, scope })
      : undefined;
}

describe(toStoredSession, () => {
  it('should store a customer of the default scope set in at most 320 B of JSON, its scopes as the set fingerprint', () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const token = realisticCustomer(registry);
    const stored = toStoredSession(token, registry);
    expect(stored.s).toBe(scopeFingerprint(registry.scopes('customer')));
    expect(stored.s).toBe(registry.fingerprint('customer'));
    const bytes = Buffer.byteLength(JSON.stringify(stored));
    expect(bytes).toBeLessThanOrEqual(320);
    // Today's full format, for scale: the eleven scope strings are most of it.
    expect(Buffer.byteLength(JSON.stringify(token))).toBeGreaterThan(600);
  });

  it('should read back through JSON what it stored, on the set one shared array', () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const token = realisticCustomer(registry);
    const read = parseStoredToken(JSON.parse(JSON.stringify(toStoredSession(token, registry))), registry);
    expect(read).toEqual(token);
    expect(read?.scopes).toBe(registry.scopes('customer'));
    expect(Object.isFrozen(read)).toBe(true);
  });

  it('should keep a Store variant, an anonymous id and a list no registry holds', () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const { customerId: _none, ...base } = realisticCustomer(registry);
    const inStore: CtpAuthToken = {
      ...base,
      kind: 'anonymous',
      anonymousId: 'anon-1',
      storeKey: 'store-eu',
      scopes: registry.scopes('anonymous', 'store-eu'),
    };
    const stored = toStoredSession(inStore, registry);
    expect(stored).toMatchObject({
      k: 'a',
      n: 'anon-1',
      t: 'store-eu',
      s: scopeFingerprint(registry.scopes('anonymous', 'store-eu')),
    });
    expect(parseStoredToken(JSON.parse(JSON.stringify(stored)), registry)).toEqual(inStore);
    const odd = { ...realisticCustomer(registry), scopes: ['view_x:p', 'view_y:p'] };
    expect(toStoredSession(odd, registry).s).toEqual(['view_x:p', 'view_y:p']);
    expect(parseStoredToken(JSON.parse(JSON.stringify(toStoredSession(odd, registry))), registry)).toEqual(odd);
  });
});

describe('parseStoredToken with the compact format', () => {
  const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
  const stored = toStoredSession(realisticCustomer(registry), registry);

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown kind', { k: 'x' }, 'kind'],
    ['an access token with a space', { a: 'a b' }, 'accessToken'],
    ['a missing refresh token', { r: undefined }, 'refreshToken'],
    ['an expiry before the grant', { e: 1 }, 'expiresAt'],
    ['a fingerprint of the wrong shape', { s: 'short' }, 'scopes'],
    ['scopes that are neither', { s: 42 }, 'scopes'],
    ['a customer without its id', { c: undefined }, 'customerId'],
  ])('should refuse %s with CTP_STORED_TOKEN_INVALID naming the field', (_name, patch, field) => {
    const error = (() => {
      try {
        parseStoredToken({ ...stored, ...patch });
      } catch (e) {
        return e as CtpSessionError;
      }
      return undefined;
    })();
    expect(error?.code).toBe(CtpErrorCode.StoredTokenInvalid);
    expect((error as unknown as { field: string }).field).toBe(field);
    expect(error?.message).not.toContain(stored.a);
  });

  it('should read a fingerprint the registry does not hold as no list, carrying the fingerprint', () => {
    const changed = scopeFingerprint(['manage_my_orders:my-shop-production', 'view_retired_thing:my-shop-production']);
    const read = parseStoredToken({ ...stored, s: changed }, registry);
    expect(read?.scopes).toEqual([]);
    expect(read?.scopesFingerprint).toBe(changed);
    // Written again as it was read: the fingerprint, never an empty list.
    expect(toStoredSession(read!, registry).s).toBe(changed);
  });

  it('should resolve a fingerprint only against the registry it is given, not any other in the process', () => {
    // Another registry (another project key) of the same process holds another customer set.
    const other = new ScopeRegistry({ projectKey: 'other-project' });
    const theirs = toStoredSession(
      { ...realisticCustomer(other), refreshToken: `${other.projectKey}:Qw8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6qW5e` },
      other,
    );
    expect(parseStoredToken(theirs, other)?.scopes).toBe(other.scopes('customer'));
    const read = parseStoredToken(theirs, registry);
    expect(read?.scopes).toEqual([]);
    expect(read?.scopesFingerprint).toBe(theirs.s);
    // Without a registry, no fingerprint resolves (none is kept process-wide).
    expect(parseStoredToken(stored)?.scopesFingerprint).toBe(stored.s);
  });
});

describe('TokenIssuer.refresh of a compact session', () => {
  it('should check the granted scopes against the set the fingerprint names, exactly as against the list', async () => {
    const { platform, issuer, registry } = setup();
    const token = await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' });
    expect(token.scopes).toBe(registry.scopes('customer'));
    const read = parseStoredToken(JSON.parse(JSON.stringify(toStoredSession(token, registry))), registry)!;
    const refreshed = await issuer.refresh(read);
    expect(refreshed.scopes).toBe(registry.scopes('customer'));
    // One scope fewer than the fingerprint's set: refused as before.
    const fewer = registry.scopes('customer').slice(1);
    platform.on(refreshAnswer(`${fewer.join(' ')} customer_id:customer-alice`));
    const error = await issuer.refresh(read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtpScopeError);
    expect((error as CtpScopeError).missing).toEqual([registry.scopes('customer')[0]]);
  });

  describe('when the fingerprint names a set this process does not know (changed by configuration since)', () => {
    const oldSet = [
      'view_published_products:test-project',
      'manage_my_orders:test-project',
      'manage_my_profile:test-project',
    ];

    it('should accept a refresh granting exactly that set, and hold the list again', async () => {
      const { platform, issuer, registry } = setup();
      const token = await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' });
      const read = parseStoredToken({ ...toStoredSession(token, registry), s: scopeFingerprint(oldSet) }, registry)!;
      expect(read.scopes).toEqual([]);
      platform.on(refreshAnswer(`${[...oldSet].reverse().join(' ')} customer_id:customer-alice`));
      const refreshed = await issuer.refresh(read);
      expect([...refreshed.scopes].sort()).toEqual([...oldSet].sort());
      expect(refreshed.scopesFingerprint).toBeUndefined();
      expect(toStoredSession(refreshed, registry).s).toEqual(refreshed.scopes);
    });

    it('should refuse a refresh granting another set with CtpScopeError, the granted scopes in .excess', async () => {
      const { platform, issuer, registry } = setup();
      const token = await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' });
      const read = parseStoredToken({ ...toStoredSession(token, registry), s: scopeFingerprint(oldSet) }, registry)!;
      platform.on(refreshAnswer(`${registry.scopes('customer').join(' ')} customer_id:customer-alice`));
      const error = await issuer.refresh(read).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpScopeError);
      expect((error as CtpScopeError).excess).toEqual(registry.scopes('customer'));
    });
  });
});

describe('one shared scope array per set', () => {
  it('should render a Store variant once, and registries of the same set agree on its fingerprint (no shared table)', () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    expect(registry.scopes('customer', 'store-eu')).toBe(registry.scopes('customer', 'store-eu'));
    expect(registry.scopes('customer', 'store-eu')).not.toEqual(registry.scopes('customer'));
    const twin = new ScopeRegistry({ projectKey: 'my-shop-production' });
    expect(twin.scopes('customer')).not.toBe(registry.scopes('customer'));
    expect(twin.fingerprint('customer', 'store-eu')).toBe(registry.fingerprint('customer', 'store-eu'));
  });

  it('should store a copy of a configured set, in any order, as its fingerprint and read back the registry array', async () => {
    const registry = new ScopeRegistry({ projectKey: 'my-shop-production' });
    const storage = new MemorySessionStorage('s');
    await putToken(
      storage,
      { ...realisticCustomer(registry), scopes: [...registry.scopes('customer')].reverse() },
      registry,
    );
    expect((await storage.get())?.s).toBe(registry.fingerprint('customer'));
    expect((await storedToken(storage, registry))?.scopes).toBe(registry.scopes('customer'));
    const odd = ['view_x:p'];
    await putToken(storage, { ...realisticCustomer(registry), scopes: odd }, registry);
    expect((await storedToken(storage, registry))?.scopes).toEqual(odd);
    expect(Object.isFrozen((await storedToken(storage, registry))?.scopes)).toBe(true);
  });
});
