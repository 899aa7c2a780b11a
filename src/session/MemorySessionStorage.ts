import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

/**
 * One session held in process memory: for tests, scripts and single-process apps. Keeps the stored
 * form it is handed (a frozen copy, so the caller cannot change it afterwards); its compareAndSet is
 * atomic by construction (no await between the compare and the set). It may start with a value of
 * either stored format (a full token of earlier versions is read too).
 */
export class MemorySessionStorage implements SessionStorage {
  readonly id: string | undefined;
  #stored: StoredSession | CtpAuthToken | undefined;

  constructor(id?: string, stored?: StoredSession | CtpAuthToken) {
    this.id = id;
    this.#stored = stored === undefined ? undefined : frozen(stored);
  }

  async get(): Promise<StoredSession | undefined> {
    // A full token of earlier versions is handed back as it is: the library reads either format.
    return this.#stored as StoredSession | undefined;
  }

  async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
    if (!sameStoredSession(this.#stored, expected)) return false;
    this.#stored = next === undefined ? undefined : frozen(next);
    return true;
  }
}

// A deep copy, frozen: the value is handed to every reader of the session.
function frozen<T extends object>(value: T): T {
  const copy = structuredClone(value);
  for (const field of Object.values(copy)) if (Array.isArray(field)) Object.freeze(field);
  return Object.freeze(copy);
}
