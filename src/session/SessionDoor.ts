import { parseStoredToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import { toStoredSession, type StoredScopeSets } from '../auth/StoredSession';
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

/** The session as one exclusive section sees it. */
export interface SessionTransaction {
  read(): Promise<CtpAuthToken | undefined>;
  /** Stores `next` (or clears) if the session still holds `expected`; says whether it did. */
  write(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean>;
}

/** A compare-and-set that failed this often in a row means another instance keeps changing the session. */
const MAX_CONFLICTS = 3;

type Operation = 'read' | 'write' | 'clear';

const TIMED_OUT: Record<Operation, string> = {
  read: 'answer a read',
  write: 'finish a write',
  clear: 'finish a clear',
};

/**
 * The one door every change of a session's state goes through. In this process, changes of one
 * session (keyed by the storage's id, else the storage object) run one at a time; each is the
 * storage's compareAndSet of what it read (fresh, past any cache) against what it decided, so a
 * change made on another instance is never overwritten. Tokens cross the door in the compact stored
 * form (toStoredSession with the library's registry) and come back checked and decoded with it.
 * Every storage call is bounded by `timeoutMs`.
 */
export class SessionDoor {
  readonly #mutex = new KeyedMutex<unknown>();

  constructor(
    private readonly timeoutMs: number,
    private readonly registry?: StoredScopeSets,
  ) {}

  /**
   * The stored token, checked; no lock. It may come from the storage's cache, unless `fresh`: the
   * token as the store holds it now, what every change is decided on and what a 401 recovery checks.
   */
  read(storage: SessionStorage, options: { fresh?: boolean } = {}): Promise<CtpAuthToken | undefined> {
    const read = options.fresh === true ? () => storage.get({ fresh: true }) : () => storage.get();
    return this.#call('read', read).then((value) => parseStoredToken(value, this.registry));
  }

  /** Runs `work` alone among this session's state changes in this process. */
  exclusive<T>(storage: SessionStorage, work: (tx: SessionTransaction) => Promise<T>): Promise<T> {
    const tx: SessionTransaction = {
      // Never a cache: a compare-and-set decided on a stale copy would only fail, or worse, be
      // decided wrongly by a plain storage.
      read: () => this.read(storage, { fresh: true }),
      write: (expected, next) => this.#write(storage, expected, next),
    };
    return this.#mutex.run(storage.id ?? storage, () => work(tx));
  }

  /**
   * Reads, decides, and writes what was decided if the session still holds what was read; on a
   * conflict (another instance wrote meanwhile) decides again on the new value. `decide` must not
   * do I/O: it may run more than once. `settled`, for a result that writes nothing, may answer from
   * the storage's cache first (a refresh wave on Redis then costs no Redis read per caller).
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

  #write(
    storage: SessionStorage,
    expected: CtpAuthToken | undefined,
    next: CtpAuthToken | undefined,
  ): Promise<boolean> {
    const stored = (token: CtpAuthToken | undefined) =>
      token === undefined ? undefined : toStoredSession(token, this.registry);
    return this.#call(next === undefined ? 'clear' : 'write', () =>
      storage.compareAndSet(stored(expected), stored(next)),
    );
  }

  /**
   * One storage call, raced against a timer: a storage that never answers cannot hold the caller. A
   * plain timer, not deadline()'s AbortController: a storage call takes no signal, so there is
   * nothing to abort, only a wait to end.
   */
  async #call<T>(operation: Operation, command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CtpSessionError(
              CtpErrorCode.SessionStorageTimeout,
              `The session storage did not ${TIMED_OUT[operation]} within ${this.timeoutMs} ms; the operation was abandoned. Check the session store, or raise storageTimeoutMs.`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(command), timedOut]);
    } catch (cause) {
      // The timeout is a CtpError already, passed through as it is.
      throw storageError(operation, cause);
    } finally {
      clearTimeout(timer);
    }
  }
}

function storageError(operation: string, cause: unknown): CtpError {
  // A storage that already speaks in typed errors (RedisSessionStorage) is passed through.
  if (cause instanceof CtpError) return cause;
  return new CtpSessionError(
    CtpErrorCode.SessionStorage,
    `The session storage failed to ${operation} the shopper's token; the session was left as it was. Check the session store (see the cause).`,
    { cause },
  );
}
