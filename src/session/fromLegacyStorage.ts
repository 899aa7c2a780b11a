import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

/**
 * @deprecated The SessionStorage contract of earlier versions (get/set/clear on full tokens,
 * optional compareAndSet and getStored). Still accepted wherever a storage enters the library
 * (fromLegacyStorage); write `{ id?, get(), compareAndSet(expected, next) }` instead.
 */
export interface LegacySessionStorage {
  readonly id?: string | undefined;
  get(): Promise<CtpAuthToken | undefined>;
  getStored?(): Promise<CtpAuthToken | undefined>;
  set(token: CtpAuthToken): Promise<void>;
  clear(): Promise<void>;
  compareAndSet?(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean>;
}

/** A storage of either contract; the library adapts a legacy one (fromLegacyStorage). */
export type AnySessionStorage = SessionStorage | LegacySessionStorage;

export function isLegacyStorage(storage: AnySessionStorage): storage is LegacySessionStorage {
  return typeof (storage as Partial<LegacySessionStorage>).set === 'function';
}

/**
 * @deprecated For storages written to the contract of earlier versions: adapts get/set/clear to
 * get/compareAndSet. They are handed the full token as before (its scopes as the set's fingerprint
 * when the stored form has one, which the library resolves when it reads). Without the storage's
 * own compareAndSet, the compare is process-local: read, compare, write, inside the library's
 * per-session lock, so two instances sharing such a storage can overwrite each other's changes.
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
      const token = next === undefined ? undefined : fullToken(next);
      if (legacy.compareAndSet)
        return legacy.compareAndSet(expected === undefined ? undefined : fullToken(expected), token);
      if (!sameStoredSession(await (legacy.getStored ?? legacy.get).call(legacy), expected)) return false;
      if (token === undefined) await legacy.clear();
      else await legacy.set(token);
      return true;
    },
  };
}

/** The full token (format 1) of a stored form; a scope-set fingerprint stays one (the library resolves it when it reads). */
function fullToken(stored: StoredSession): CtpAuthToken {
  const fingerprint = typeof stored.s === 'string';
  return {
    kind: stored.k === 'c' ? 'customer' : 'anonymous',
    accessToken: stored.a,
    refreshToken: stored.r,
    issuedAt: stored.i,
    expiresAt: stored.e,
    scopes: fingerprint ? [] : stored.s,
    ...(fingerprint ? { scopesFingerprint: stored.s } : {}),
    ...(stored.c === undefined ? {} : { customerId: stored.c }),
    ...(stored.n === undefined ? {} : { anonymousId: stored.n }),
    ...(stored.t === undefined ? {} : { storeKey: stored.t }),
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
