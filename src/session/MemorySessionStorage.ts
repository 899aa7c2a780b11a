import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { internScopes } from '../scopes/scopeCatalog';
import { sameStoredToken, type SessionStorage } from './SessionStorage';

/**
 * One session held in process memory: for tests, scripts and single-process apps. Its
 * compareAndSet is atomic by construction (no await between the compare and the set).
 */
export class MemorySessionStorage implements SessionStorage {
  readonly id: string | undefined;
  #token: CtpAuthToken | undefined;

  constructor(id?: string, token?: CtpAuthToken) {
    this.id = id;
    this.#token = token === undefined ? undefined : frozenCopy(token);
  }

  async get(): Promise<CtpAuthToken | undefined> {
    return this.#token;
  }

  async set(token: CtpAuthToken): Promise<void> {
    this.#token = frozenCopy(token);
  }

  async clear(): Promise<void> {
    this.#token = undefined;
  }

  async compareAndSet(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean> {
    if (!sameStoredToken(this.#token, expected)) return false;
    this.#token = next === undefined ? undefined : frozenCopy(next);
    return true;
  }
}

// A frozen token is kept as it is; otherwise a copy, so a caller mutating its object afterwards
// cannot change what is stored. The scopes stay the set's one shared frozen array (scopeCatalog):
// copying them would cost every session about 500 B of heap.
function frozenCopy(token: CtpAuthToken): CtpAuthToken {
  const scopes = internScopes(token.scopes);
  if (Object.isFrozen(token) && scopes === token.scopes && Object.isFrozen(scopes)) return token;
  return Object.freeze({ ...token, scopes: Object.isFrozen(scopes) ? scopes : Object.freeze([...scopes]) });
}
