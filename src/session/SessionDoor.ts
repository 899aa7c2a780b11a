import { parseStoredToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import { toStoredSession, type StoredScopeSets, type StoredSession } from '../auth/StoredSession';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { KeyedMutex } from '../util/KeyedMutex';
import type { SessionStorage } from './SessionStorage';

/** What an update decided: `next` a token to store, `null` to clear, undefined to leave the session as it is. */
export interface Decision<R> {
  result: R;
  next?: CtpAuthToken | null;
}

/** The session as one exclusive section sees it; write stores `next` (or clears) if it still holds `expected`. */
export interface SessionTransaction {
  read(): Promise<CtpAuthToken | undefined>;
  write(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean>;
}

/** A compare-and-set that failed this often in a row means another instance keeps changing the session. */
const MAX_CONFLICTS = 3;

/**
 * The door every change of a session's state goes through: one at a time per session in this process,
 * each a compareAndSet of what it read past any cache, so no change undoes another made elsewhere.
 */
export class SessionDoor {
  readonly #mutex = new KeyedMutex<unknown>();

  constructor(
    private readonly timeoutMs: number,
    private readonly registry?: StoredScopeSets,
  ) {}

  /** The stored token, checked; no lock. From the storage's cache unless `fresh` (what changes and 401 recoveries decide on). */
  read(storage: SessionStorage, options: { fresh?: boolean } = {}): Promise<CtpAuthToken | undefined> {
    const read = options.fresh === true ? () => storage.get({ fresh: true }) : () => storage.get();
    return this.#call('read', read).then((value) => parseStoredToken(value, this.registry));
  }

  exclusive<T>(storage: SessionStorage, work: (tx: SessionTransaction) => Promise<T>): Promise<T> {
    const tx: SessionTransaction = {
      // Never a cache: a compare-and-set decided on a stale copy would fail, or be decided wrongly by a plain storage.
      read: () => this.read(storage, { fresh: true }),
      write: (expected, next) =>
        this.#call(next === undefined ? 'clear' : 'write', () =>
          storage.compareAndSet(this.#stored(expected), this.#stored(next)),
        ),
    };
    return this.#mutex.run(storage.id ?? storage, () => work(tx));
  }

  /**
   * Reads, decides (no I/O: it may run again on a conflict), writes. `settled` may answer from the storage's
   * cache a result that writes nothing (a refresh wave on Redis then costs no Redis read per caller).
   */
  update<R>(
    storage: SessionStorage,
    decide: (current: CtpAuthToken | undefined) => Decision<R>,
    settled?: (cached: CtpAuthToken | undefined) => R | undefined,
  ): Promise<R> {
    return this.exclusive(storage, async (tx) => {
      if (settled !== undefined) {
        const done = settled(await this.read(storage));
        if (done !== undefined) return done;
      }
      for (let conflicts = 0; ; conflicts += 1) {
        const current = await tx.read();
        const decision = decide(current);
        if (decision.next === undefined) return decision.result;
        if (await tx.write(current, decision.next ?? undefined)) return decision.result;
        if (conflicts + 1 >= MAX_CONFLICTS) {
          throw new CtpSessionError(
            CtpErrorCode.SessionChanged,
            'The session kept changing on other instances while this change was being stored; nothing was stored. Try again.',
          );
        }
      }
    });
  }

  #stored(token: CtpAuthToken | undefined): StoredSession | undefined {
    return token === undefined ? undefined : toStoredSession(token, this.registry);
  }

  // A plain timer, not deadline(): a storage call takes no signal, so there is only a wait to end.
  async #call<T>(operation: 'read' | 'write' | 'clear', command: () => Promise<T>): Promise<T> {
    const what = operation === 'read' ? 'answer a read' : `finish a ${operation}`;
    const message = `The session storage did not ${what} within ${this.timeoutMs} ms; the operation was abandoned. Check the session store, or raise storageTimeoutMs.`;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CtpSessionError(CtpErrorCode.SessionStorageTimeout, message)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(command), timedOut]);
    } catch (cause) {
      // The timeout, and a storage's own typed errors (RedisSessionStorage), pass through as they are.
      if (cause instanceof CtpError) throw cause;
      throw new CtpSessionError(
        CtpErrorCode.SessionStorage,
        `The session storage failed to ${operation} the shopper's token; the session was left as it was. Check the session store (see the cause).`,
        { cause },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
