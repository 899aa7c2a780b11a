import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import { SingleFlight } from '../util/SingleFlight';
import { sessionStore } from './account/sessionStore';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';

const NOT_STORED = 'anonymous-not-stored';

/**
 * Starts anonymous sessions: one anonymous grant per session id and Store; the first caller stores
 * it, unless the session got a token meanwhile (a sign-in), in which case the new pair is revoked
 * and the stored token used.
 */
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
      let stored: CtpAuthToken;
      try {
        stored = await this.t.door.update(storage, (current) =>
          current ? { result: current } : { result: token, next: token },
        );
      } catch (error) {
        await this.t.revoker.pair(token, NOT_STORED);
        throw error;
      }
      if (stored !== token) await this.t.revoker.pair(token, NOT_STORED);
      return stored;
    });
    // What the session holds may be another Store's start that won: never served to this Store's shopper.
    if (first) return ofStore(started, storeKey);
    // Another request of the same session id started it and stored it in its own storage object; a
    // copy of the session (express-session gives each request one) keeps it too, unless a sign-out
    // or sign-in ended it meanwhile.
    const kept = await this.t.door.update(storage, (current) => {
      if (current) return { result: current };
      if (this.t.ended.has(started.refreshToken))
        throw new CtpSessionExpiredError('the session was signed out while it started');
      return { result: started, next: started };
    });
    return ofStore(kept, storeKey);
  }
}

/** `token`, if it may serve a shopper of `storeKey` (CTP_STORE_MISMATCH otherwise). */
function ofStore(token: CtpAuthToken, storeKey: string | undefined): CtpAuthToken {
  if (storeKey !== undefined) sessionStore(token, storeKey);
  return token;
}

/** Per storage object without an id: one key object per Store, so the key stays the object's identity. */
const byStorage = new WeakMap<SessionStorage, Map<string, object>>();

/**
 * The single-flight key of an anonymous start: the session (its id, else its storage object) AND the
 * Store it starts in. Starts of one session in two Stores must not share a grant: the token of one
 * Store's scopes would be handed to a shopper of the other.
 */
function anonymousStartKey(storage: SessionStorage, storeKey: string | undefined): unknown {
  // JSON of a pair: no id or Store key can make two different pairs render alike.
  if (storage.id !== undefined) return JSON.stringify([storage.id, storeKey ?? null]);
  let keys = byStorage.get(storage);
  if (!keys) byStorage.set(storage, (keys = new Map<string, object>()));
  const store = storeKey ?? '';
  let key = keys.get(store);
  if (!key) keys.set(store, (key = {}));
  return key;
}
