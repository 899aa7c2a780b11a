import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import { SingleFlight } from '../util/SingleFlight';
import { sessionStore } from './account/sessionStore';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';

/** One anonymous grant per session id and Store; unless the session got a token meanwhile, the first caller stores it. */
export class AnonymousStart {
  readonly #starts = new SingleFlight<unknown, CtpAuthToken>();

  constructor(
    private readonly t: SessionTokens,
    private readonly issuer: Pick<TokenIssuer, 'anonymous'>,
  ) {}

  async start(storage: SessionStorage, storeKey: string | undefined): Promise<CtpAuthToken> {
    let first = false;
    const started = await this.#starts.run(anonymousStartKey(storage, storeKey), async () => {
      first = true;
      const token = await this.issuer.anonymous(undefined, storeKey);
      let stored: CtpAuthToken | undefined;
      try {
        stored = await this.t.door.update(storage, (current) =>
          current ? { result: current } : { result: token, next: token },
        );
        return stored;
      } finally {
        // The session got a token meanwhile, or the storage failed: the new pair is nobody's.
        if (stored !== token) await this.t.revoker.pair(token, 'anonymous-not-stored');
      }
    });
    // Another request of this session id stored it in its own copy of the session (express-session gives
    // each request one): this copy keeps it too, unless a sign-out or sign-in ended it meanwhile.
    const kept = first
      ? started
      : await this.t.door.update(storage, (current) => {
          if (current) return { result: current };
          if (this.t.ended.has(started.refreshToken))
            throw new CtpSessionExpiredError('the session was signed out while it started');
          return { result: started, next: started };
        });
    // What the session holds may be another Store's start that won: never served to this Store's shopper.
    if (storeKey !== undefined) sessionStore(kept, storeKey);
    return kept;
  }
}

const byStorage = new WeakMap<SessionStorage, Map<string | undefined, object>>();

// The session (its id, else one key object per storage object) AND the Store: a token of one Store's
// scopes is never handed to a shopper of another.
function anonymousStartKey(storage: SessionStorage, storeKey: string | undefined): unknown {
  // JSON of a pair: no id or Store key can make two different pairs render alike.
  if (storage.id !== undefined) return JSON.stringify([storage.id, storeKey ?? null]);
  let keys = byStorage.get(storage);
  if (!keys) byStorage.set(storage, (keys = new Map<string | undefined, object>()));
  let key = keys.get(storeKey);
  if (!key) keys.set(storeKey, (key = {}));
  return key;
}
