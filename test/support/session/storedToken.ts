import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredScopeSets, type StoredSession } from '../../../src/auth/StoredSession';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import { PROJECT } from '../FakePlatform';

/** The default sets of the test projects: what createTestServices' and the strict harness's registries hold. */
const testRegistry = new ScopeRegistry({ projectKey: PROJECT });
const strictRegistry = new ScopeRegistry({ projectKey: 'strict-project' });

interface Readable {
  get(options?: { fresh?: boolean }): Promise<StoredSession | undefined>;
}

/** What `storage` holds, as the library reads it: checked, and decoded with `registry` (by default the test projects' default sets). */
export async function storedToken(storage: Readable, registry?: StoredScopeSets): Promise<CtpAuthToken | undefined> {
  const value = await storage.get();
  if (registry !== undefined) return parseStoredToken(value, registry);
  const token = parseStoredToken(value, testRegistry);
  return token?.scopesFingerprint === undefined ? token : parseStoredToken(value, strictRegistry);
}

/** Stores `token` (or clears, when undefined) whatever is stored now, as a test's setup or another writer would. */
export async function putToken(
  storage: Readable & {
    compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean>;
  },
  token: CtpAuthToken | undefined,
  registry: StoredScopeSets = testRegistry,
): Promise<void> {
  const current = parseStoredToken(await storage.get({ fresh: true }));
  const stored = await storage.compareAndSet(
    current && toStoredSession(current),
    token && toStoredSession(token, registry),
  );
  if (!stored) throw new Error('putToken: the storage changed meanwhile');
}

/** A customer token with commercetools' real lengths: 32-character access token, `{projectKey}:` plus 43 for refresh, a UUID. */
export function realisticCustomer(registry: ScopeRegistry): CtpAuthToken {
  return {
    kind: 'customer',
    accessToken: 'Xq3vN8mT2bL7rK9wZ4cF6hJ1sD5gA0eY',
    refreshToken: `${registry.projectKey}:Qw8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6qW5e`,
    issuedAt: Date.UTC(2026, 11, 2, 1, 2, 3, 456),
    expiresAt: Date.UTC(2026, 11, 4, 1, 2, 3, 456),
    scopes: registry.scopes('customer'),
    customerId: '3f2b8c1e-5d4a-4b7f-9e6c-2a1d0f8b7c6e',
  };
}
