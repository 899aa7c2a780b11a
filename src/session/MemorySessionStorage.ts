import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { SessionStorage } from './SessionStorage';

/** One session held in process memory: for tests, scripts and single-process apps. */
export class MemorySessionStorage implements SessionStorage {
  readonly id: string | undefined;
  #token: CtpAuthToken | undefined;

  constructor(id?: string, token?: CtpAuthToken) {
    this.id = id;
    this.#token = token;
  }

  async get(): Promise<CtpAuthToken | undefined> {
    return this.#token;
  }

  async set(token: CtpAuthToken): Promise<void> {
    // A copy: a caller mutating its object afterwards cannot change what is stored.
    this.#token = Object.freeze({ ...token, scopes: Object.freeze([...token.scopes]) });
  }

  async clear(): Promise<void> {
    this.#token = undefined;
  }
}
