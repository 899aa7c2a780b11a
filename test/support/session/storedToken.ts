import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredScopeSets, type StoredSession } from '../../../src/auth/StoredSession';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import { PROJECT } from '../FakePlatform';

/** The default sets of the test project: what createTestServices' registry holds. */
const testRegistry = new ScopeRegistry({ projectKey: PROJECT });

interface Readable {
  get(options?: { fresh?: boolean }): Promise<StoredSession | undefined>;
}

/** What `storage` holds, as the library reads it: checked, and decoded with `registry` (by default the test project's sets). */
export async function storedToken(storage: Readable, registry: StoredScopeSets = testRegistry): Promise<CtpAuthToken | undefined> {
  return parseStoredToken(await storage.get(), registry);
}

/** Stores `token` (or clears, when undefined) whatever is stored now, as a test's setup or another writer would. */
export async function putToken(storage: Readable & { compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> }, token: CtpAuthToken | undefined, registry: StoredScopeSets = testRegistry): Promise<void> {
  const current = parseStoredToken(await storage.get({ fresh: true }));
  const stored = await storage.compareAndSet(current && toStoredSession(current), token && toStoredSession(token, registry));
  if (!stored) throw new Error('putToken: the storage changed meanwhile');
}
