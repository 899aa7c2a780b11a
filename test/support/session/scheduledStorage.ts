import type { Scheduler } from 'fast-check';
import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredSession } from '../../../src/auth/StoredSession';
import type { AnySessionStorage } from '../../../src/session/fromLegacyStorage';
import { sameStoredSession } from '../../../src/session/SessionStorage';

/**
 * A session store shared by every request of one session (as RedisSessionStorage is), whose
 * calls finish when the scheduler says. Of today's contract (get/compareAndSet on the stored form)
 * when `atomic`, as Memory and Redis storages are; else a plain app storage of the earlier contract
 * (get/set/clear on full tokens), which the library adapts (fromLegacyStorage).
 */
export function scheduledStorage(
  s: Scheduler,
  id: string,
  atomic: boolean,
): AnySessionStorage & { raw(): CtpAuthToken | undefined; seed(token: CtpAuthToken): void } {
  if (!atomic) {
    let token: CtpAuthToken | undefined;
    return {
      id,
      raw: () => parseStoredToken(token),
      seed: (next: CtpAuthToken) => {
        token = next;
      },
      get: s.scheduleFunction(async function get() {
        return token;
      }),
      set: s.scheduleFunction(async function set(next: CtpAuthToken) {
        token = next;
      }),
      clear: s.scheduleFunction(async function clear() {
        token = undefined;
      }),
    };
  }
  let value: StoredSession | undefined;
  return {
    id,
    raw: () => parseStoredToken(value),
    seed: (token: CtpAuthToken) => {
      value = toStoredSession(token);
    },
    get: s.scheduleFunction(async function get() {
      return value;
    }),
    compareAndSet: s.scheduleFunction(async function compareAndSet(
      expected: StoredSession | undefined,
      next: StoredSession | undefined,
    ) {
      if (!sameStoredSession(value, expected)) return false;
      value = next;
      return true;
    }),
  };
}
