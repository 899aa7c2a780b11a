import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

/**
 * One session in process memory (tests, scripts, single-process apps), starting with a value of either
 * stored format; compareAndSet is atomic (no await between the compare and the set).
 */
export class MemorySessionStorage implements SessionStorage {
  readonly id: string | undefined;
  #stored: StoredSession | CtpAuthToken | undefined;

  constructor(id?: string, stored?: StoredSession | CtpAuthToken) {
    this.id = id;
    this.#stored = stored === undefined ? undefined : frozen(stored);
  }

  async get(): Promise<StoredSession | undefined> {
    return this.#stored as StoredSession | undefined;
  }

  async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
    if (!sameStoredSession(this.#stored, expected)) return false;
    this.#stored = next === undefined ? undefined : frozen(next);
    return true;
  }
}

// Deep, so no reader of the session can change what the others read.
function frozen<T extends object>(value: T): T {
  const copy = structuredClone(value);
  for (const field of Object.values(copy)) if (Array.isArray(field)) Object.freeze(field);
  return Object.freeze(copy);
}
