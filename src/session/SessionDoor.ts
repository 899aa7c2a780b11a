import { parseStoredToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { DeadlineRace } from '../util/DeadlineRace';
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

/** SessionDoor.peek's answer when only an asynchronous read can tell. */
export const NOT_PEEKABLE: unique symbol = Symbol('ctp-client.notPeekable');

/** A compare-and-set that failed this often in a row means another instance keeps changing the session. */
const MAX_CONFLICTS = 3;

/**
 * The one door every change of a session's state goes through. In this process, changes of one
 * session (keyed by the storage's id, else the storage object) run one at a time; each compares
 * what it read with what is stored when it writes, atomically where the storage offers
 * compareAndSet (Memory, Redis), so a change made on another instance is never overwritten. Every
 * storage call is bounded by `timeoutMs`, and what a storage returns is checked before use.
 */
export class SessionDoor {
  readonly #mutex = new KeyedMutex<unknown>();
  readonly #deadlines = new DeadlineRace();

  constructor(private readonly timeoutMs: number) {}

  /** Stops the deadline interval (close()). */
  close(): void {
    this.#deadlines.close();
  }

  /** Token objects already checked: storages that keep the object (Memory, express-session) are checked once. */
  readonly #checked = new WeakSet<object>();

  /** The stored token, checked; no lock (the hot path of every API call); may come from the storage's cache. */
  read(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    // In-process storages cannot hang: one promise and one check, no deadline (every API call comes here).
    if (storage.inProcess === true) {
      try {
        return storage.get().then(this.#checkValue, this.#readFailed);
      } catch (cause) {
        return Promise.reject(storageError('read', cause));
      }
    }
    return this.#call('read', () => storage.get()).then(this.#checkValue);
  }

  /**
   * The stored token, checked, without a promise: for a storage with peek() (in process, or a
   * trusted cached copy). NOT_PEEKABLE when the storage has no peek, cannot tell (null), threw, or
   * holds an invalid value: the caller then takes read(), which reports a failure as its typed error.
   */
  peek(storage: SessionStorage): CtpAuthToken | undefined | typeof NOT_PEEKABLE {
    if (storage.peek === undefined) return NOT_PEEKABLE;
    try {
      const value = storage.peek();
      return value === null ? NOT_PEEKABLE : this.#check(value);
    } catch {
      // A throwing storage or an invalid value: read() raises it as its typed error.
      return NOT_PEEKABLE;
    }
  }

  readonly #checkValue = (value: unknown): CtpAuthToken | undefined => this.#check(value);
  readonly #readFailed = (cause: unknown): never => {
    throw storageError('read', cause);
  };

  // A storage's answer is checked like a token answer: garbage is a typed error, never `Bearer undefined`.
  #check(value: unknown): CtpAuthToken | undefined {
    // The last one checked first: a WeakSet lookup costs more than the rest of an API call's read.
    if (value === this.#lastChecked && value !== undefined) return value as CtpAuthToken;
    if (typeof value === 'object' && value !== null && this.#checked.has(value)) {
      this.#lastChecked = value as CtpAuthToken;
      return value as CtpAuthToken;
    }
    const token = parseStoredToken(value);
    // Frozen objects only: a mutable one could be changed after the check.
    if (token !== undefined && Object.isFrozen(token)) {
      this.#checked.add(token);
      this.#lastChecked = token;
    }
    return token;
  }

  #lastChecked: CtpAuthToken | undefined;

  /**
   * The token as the store holds it now, past any cache of the storage (getStored): what every
   * write is decided on, and what a 401 recovery checks.
   */
  readStored(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    if (storage.getStored === undefined) return this.read(storage);
    const getStored = storage.getStored.bind(storage);
    return this.#call('read', () => getStored()).then(this.#checkValue);
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
   * the storage's cache first.
   */
  update<R>(storage: SessionStorage, decide: (current: CtpAuthToken | undefined) => Decision<R>, settled?: (cached: CtpAuthToken | undefined) => R | undefined): Promise<R> {
    return this.exclusive(storage, async (tx) => {
      // A storage with a cache (getStored): `settled` may find the change already made (by an earlier
      // caller of this section) in the cache, and then nothing is written, so nothing needs reading.
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
    if (storage.compareAndSet) {
      const cas = storage.compareAndSet.bind(storage);
      return this.#call('write', () => cas(expected, next));
    }
    // A plain storage: the compare was the read inside this section; in-process only.
    if (next === undefined) await this.#call('clear', () => storage.clear());
    else await this.#call('write', () => storage.set(next));
    return true;
  }

  readonly #timeouts = {
    read: () => this.#timeout('answer a read'),
    write: () => this.#timeout('finish a write'),
    clear: () => this.#timeout('finish a clear'),
  };

  #timeout(what: string): CtpSessionError {
    return new CtpSessionError(
      CtpErrorCode.SessionStorageTimeout,
      `The session storage did not ${what} within ${this.timeoutMs} ms; the operation was abandoned. Check the session store, or raise storageTimeoutMs.`,
    );
  }

  async #call<T>(operation: 'read' | 'write' | 'clear', command: () => Promise<T>): Promise<T> {
    try {
      // Promise.resolve hands a native promise back as it is: no extra hop on the hot path.
      return await this.#deadlines.race(Promise.resolve(command()), this.timeoutMs, this.#timeouts[operation]);
    } catch (cause) {
      throw storageError(operation, cause);
    }
  }
}

function storageError(operation: string, cause: unknown): CtpError {
  // A storage that already speaks in typed errors (RedisSessionStorage, a timeout) is passed through.
  if (cause instanceof CtpError) return cause;
  return new CtpSessionError(
    CtpErrorCode.SessionStorage,
    `The session storage failed to ${operation} the shopper's token; the session was left as it was. Check the session store (see the cause).`,
    { cause },
  );
}
