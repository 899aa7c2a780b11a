import { parseStoredToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { deadline } from '../util/deadline';
import { KeyedMutex } from '../util/KeyedMutex';
import { raceAbort } from '../util/raceAbort';
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

const TIMED_OUT: Record<Operation, string> = { read: 'answer a read', write: 'finish a write', clear: 'finish a clear' };

/**
 * The one door every change of a session's state goes through. In this process, changes of one
 * session (keyed by the storage's id, else the storage object) run one at a time; each compares
 * what it read with what is stored when it writes, atomically where the storage offers
 * compareAndSet (Memory, Redis), so a change made on another instance is never overwritten. Every
 * storage call is bounded by `timeoutMs`, and what a storage returns is checked before use.
 */
export class SessionDoor {
  readonly #mutex = new KeyedMutex<unknown>();

  constructor(private readonly timeoutMs: number) {}

  /** The stored token, checked; no lock; may come from the storage's cache. */
  read(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    return this.#call('read', () => storage.get()).then(parseStoredToken);
  }

  /**
   * The token as the store holds it now, past any cache of the storage (getStored): what every
   * write is decided on, and what a 401 recovery checks.
   */
  readStored(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    if (storage.getStored === undefined) return this.read(storage);
    return this.#call('read', () => storage.getStored!()).then(parseStoredToken);
  }

  /** Runs `work` alone among this session's state changes in this process. */
  exclusive<T>(storage: SessionStorage, work: (tx: SessionTransaction) => Promise<T>): Promise<T> {
    const tx: SessionTransaction = {
      // Never a cache: a compare-and-set decided on a stale copy would only fail, or worse, be
      // decided wrongly by a plain storage.
      read: () => this.readStored(storage),
      write: (expected, next) => this.#write(storage, expected, next),
    };
    return this.#mutex.run(storage.id ?? storage, () => work(tx));
  }

  /**
   * Reads, decides, and writes what was decided if the session still holds what was read; on a
   * conflict (another instance wrote meanwhile) decides again on the new value. `decide` must not
   * do I/O: it may run more than once. `settled`, for a result that writes nothing, may answer from
   * the storage's cache first (a refresh wave on Redis then costs no read per caller).
   */
  update<R>(storage: SessionStorage, decide: (current: CtpAuthToken | undefined) => Decision<R>, settled?: (cached: CtpAuthToken | undefined) => R | undefined): Promise<R> {
    return this.exclusive(storage, async (tx) => {
      if (settled !== undefined && storage.getStored !== undefined) {
        const done = settled(await this.read(storage));
        if (done !== undefined) return done;
      }
      for (let conflicts = 0; ; conflicts += 1) {
        const current = await tx.read();
        const decision = decide(current);
        if (decision.next === undefined) return decision.result;
        if (await tx.write(current, decision.next ?? undefined)) return decision.result;
        if (conflicts + 1 >= MAX_CONFLICTS) {
          throw new CtpSessionError(CtpErrorCode.SessionChanged, 'The session kept changing on other instances while this change was being stored; nothing was stored. Try again.');
        }
      }
    });
  }

  async #write(storage: SessionStorage, expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean> {
    if (storage.compareAndSet) return this.#call('write', () => storage.compareAndSet!(expected, next));
    // A plain storage: the compare was the read inside this section; in-process only.
    if (next === undefined) await this.#call('clear', () => storage.clear());
    else await this.#call('write', () => storage.set(next));
    return true;
  }

  /** One storage call, raced against its deadline: a storage that never answers cannot hold the caller. */
  async #call<T>(operation: Operation, command: () => Promise<T>): Promise<T> {
    const due = deadline(this.timeoutMs);
    try {
      return await raceAbort(Promise.resolve().then(command), due.signal);
    } catch (cause) {
      if (due.timedOut) {
        throw new CtpSessionError(
          CtpErrorCode.SessionStorageTimeout,
          `The session storage did not ${TIMED_OUT[operation]} within ${this.timeoutMs} ms; the operation was abandoned. Check the session store, or raise storageTimeoutMs.`,
        );
      }
      throw storageError(operation, cause);
    } finally {
      due.clear();
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
