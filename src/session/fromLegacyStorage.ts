import { parseStoredToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import type { StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

/**
 * @deprecated The SessionStorage contract of earlier versions (get/set/clear on full tokens, optional
 * compareAndSet and getStored), still accepted wherever a storage enters the library; write
 * `{ id?, get(), compareAndSet(expected, next) }` instead.
 */
export interface LegacySessionStorage {
  readonly id?: string | undefined;
  get(): Promise<CtpAuthToken | undefined>;
  getStored?(): Promise<CtpAuthToken | undefined>;
  set(token: CtpAuthToken): Promise<void>;
  clear(): Promise<void>;
  compareAndSet?(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean>;
}

export type AnySessionStorage = SessionStorage | LegacySessionStorage;

export function isLegacyStorage(storage: AnySessionStorage): storage is LegacySessionStorage {
  return typeof (storage as Partial<LegacySessionStorage>).set === 'function';
}

/**
 * Hands a legacy storage the full token as before. Without its own compareAndSet the compare is only
 * process-local, so two instances sharing such a storage can overwrite each other's changes.
 */
export function fromLegacyStorage(legacy: LegacySessionStorage): SessionStorage {
  return {
    get id() {
      return legacy.id;
    },
    get: (options) =>
      (options?.fresh === true && legacy.getStored ? legacy.getStored() : legacy.get()) as Promise<
        StoredSession | undefined
      >,
    async compareAndSet(expected, next) {
      const token = parseStoredToken(next);
      if (legacy.compareAndSet) return legacy.compareAndSet(parseStoredToken(expected), token);
      if (!sameStoredSession(await (legacy.getStored ?? legacy.get).call(legacy), expected)) return false;
      if (token === undefined) await legacy.clear();
      else await legacy.set(token);
      return true;
    },
  };
}

/** `source` with a legacy storage adapted, one adapter per storage object (so its lock and anonymous start stay its own). */
export function adaptingLegacy(source: () => AnySessionStorage): () => SessionStorage {
  const adapted = new WeakMap<LegacySessionStorage, SessionStorage>();
  return () => {
    const storage = source();
    if (!isLegacyStorage(storage)) return storage;
    let adapter = adapted.get(storage);
    if (adapter === undefined) adapted.set(storage, (adapter = fromLegacyStorage(storage)));
    return adapter;
  };
}
