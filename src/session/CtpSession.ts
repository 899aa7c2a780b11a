import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import { isRefreshRefused } from '../auth/isRefreshRefused';
import { isExpired, needsRenewal } from '../auth/renewal';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { CtpSessionError } from '../errors/CtpSessionError';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import { localCoordinator, type TokenCoordinator } from '../fleet/TokenCoordinator';
import type { TokenSource } from '../tokens/TokenSource';
import { BoundedHashSet } from '../util/BoundedSet';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';
import type { AnonymousCartSignInMode, CustomerSignIn } from './CustomerSignIn';
import { SessionDoor } from './SessionDoor';
import type { SessionStorage } from './SessionStorage';
import { TokenRevoker } from './TokenRevoker';

export interface LoginOptions {
  /** Signs in a customer of this Store (in-store endpoints). */
  storeKey?: string;
  /** What happens to the anonymous cart; commercetools' default is MergeWithExistingCustomerCart. */
  anonymousCartSignInMode?: AnonymousCartSignInMode;
}

export interface AccessTokenOptions {
  /** Start an anonymous session when there is none (default true). */
  createAnonymous?: boolean;
}

export interface CtpSessionDeps {
  issuer: TokenIssuer;
  oauth: Pick<OAuthClient, 'revoke'>;
  signIn: CustomerSignIn;
  clock: Clock;
  logger: Logger;
  /** The current request's storage; by default the one set by runWithCtpSession or the middleware. */
  storage: () => SessionStorage;
  /** One refresh for the whole fleet (Redis) rather than one per process; default: this process. */
  coordinator?: TokenCoordinator;
  /** Bound of every session storage call (default 5 s). */
  storageTimeoutMs?: number;
  /** How long a sign-in or sign-out waits for revoking the tokens it drops (default 2 s; they go on after). */
  revokeWaitMs?: number;
}

const anonymousGrantRevokeReason = 'anonymous-not-stored';

/**
 * The current shopper's commercetools session, kept in the app's session through SessionStorage.
 *
 * Every change of a session's state (anonymous start, refresh, login, logout) goes through one
 * SessionDoor: serialised per session in this process, compare-and-set against what is stored (atomic
 * across instances where the storage offers it), so none can undo another. Network calls happen
 * outside that section, except the backend sign-in that moves the anonymous cart, which must see the
 * session it moves. A session's lineage is its refresh token (commercetools never rotates it): a
 * logout or a login ends the lineage it replaced, and every token of an ended lineage that the
 * library obtains is revoked, including one minted by a refresh that was in flight.
 */
export class CtpSession {
  readonly #d: CtpSessionDeps;
  readonly #door: SessionDoor;
  readonly #revoker: TokenRevoker;
  readonly #coordinator: TokenCoordinator;
  readonly #refreshes = new SingleFlight<string, CtpAuthToken>();
  readonly #anonymousStarts = new SingleFlight<unknown, CtpAuthToken>();
  /** Lineages (refresh tokens, hashed) a logout or login ended in this process. */
  readonly #ended = new BoundedHashSet(10_000);
  /** Refresh results by the access token they replace, for callers that read it just before (bounded). */
  readonly #recentRefreshes = new Map<string, CtpAuthToken>();
  /** Renewals in progress per lineage, so a logout can wait for them and revoke what they mint. */
  readonly #renewing = new Map<string, Set<Promise<unknown>>>();

  constructor(deps: CtpSessionDeps) {
    this.#d = deps;
    this.#coordinator = deps.coordinator ?? localCoordinator;
    this.#door = new SessionDoor(deps.storageTimeoutMs ?? 5_000);
    this.#revoker = new TokenRevoker(deps.oauth, deps.logger, deps.revokeWaitMs ?? 2_000);
  }

  /** The stored token, as it is (no refresh), or undefined. */
  async current(): Promise<CtpAuthToken | undefined> {
    return this.#door.read(this.#d.storage());
  }

  /** The session's token, starting an anonymous session if there is none. */
  ensureAnonymous(): Promise<CtpAuthToken> {
    return this.accessToken({ createAnonymous: true });
  }

  /**
   * A token that is valid now: the stored one, refreshed inside its renewal margin, or (with
   * createAnonymous) a new anonymous session.
   */
  accessToken(options: AccessTokenOptions = {}): Promise<CtpAuthToken> {
    return this.#accessToken(this.#d.storage(), options);
  }

  /**
   * What customerApiRoot() builds on: a valid token of the current request's session, and the way
   * to renew exactly that lineage after a 401, bound to this storage, not to whatever context the
   * call later runs in.
   */
  async source(options: AccessTokenOptions = {}): Promise<TokenSource> {
    const storage = this.#d.storage();
    return this.tokenSource(storage, await this.#accessToken(storage, options));
  }

  /** The last source handed out per storage object: one request's calls reuse it (and its builder). */
  readonly #sources = new WeakMap<SessionStorage, TokenSource>();

  /** A token source for `token` of the session in `storage`. */
  tokenSource(storage: SessionStorage, token: CtpAuthToken): TokenSource {
    const last = this.#sources.get(storage);
    if (last?.accessToken === token.accessToken && (last as SessionSource).lineage === token.refreshToken) return last;
    const source: SessionSource = {
      lineage: token.refreshToken,
      owner: 'customer',
      accessToken: token.accessToken,
      key: storage,
      recover: async (stale) => (await this.#recover(storage, token.refreshToken, stale)).accessToken,
    };
    this.#sources.set(storage, source);
    return source;
  }

  /**
   * Renews after the API refused `staleAccessToken` (401), in the current session's own lineage.
   * Prefer a builder's own TokenSource, which keeps the lineage the builder was made for.
   */
  async recover(staleAccessToken: string): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const token = await this.#door.read(storage);
    if (!token) throw new CtpSessionExpiredError('the session was cleared');
    return this.#recover(storage, token.refreshToken, staleAccessToken);
  }

  /**
   * Signs a customer in. Password grant with the `customer` scopes first (wrong credentials end
   * here, having changed nothing). Then, alone among the session's changes: the customer token is
   * stored by compare-and-set; if the session was anonymous, the backend sign-in with its anonymousId
   * moves its cart to the customer (if that fails, the anonymous session is put back); the replaced
   * tokens are revoked. If another sign-in was stored since
   * this one began, this one's tokens are revoked and it fails with CTP_SESSION_CHANGED (or, for the
   * same customer, returns the stored token). On any failure the session stays as it was.
   */
  async login(email: string, password: string, options: LoginOptions = {}): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const before = await this.#door.read(storage);
    const customer = await this.#d.issuer.customer({ email, password, storeKey: options.storeKey });
    let outcome: { token: CtpAuthToken; replaced: CtpAuthToken | undefined };
    try {
      outcome = await this.#door.exclusive(storage, async (tx) => {
        for (let attempt = 1; ; attempt += 1) {
          const current = await tx.read();
          if (current?.kind === 'customer' && current.refreshToken !== before?.refreshToken) {
            // Another sign-in of this session was stored since this one began: it won.
            if (current.customerId === customer.customerId && current.storeKey === customer.storeKey) return { token: current, replaced: undefined };
            throw new CtpSessionError(CtpErrorCode.SessionChanged, 'Another sign-in of this session finished first; this one was undone. Sign in again if needed.');
          }
          // Claim the session first: across instances only the sign-in whose compare-and-set wins
          // moves the anonymous cart, so the cart always ends with the customer who is stored.
          if (!(await tx.write(current, customer))) {
            // Another instance wrote meanwhile (a refresh, most likely): look again.
            if (attempt < 3) continue;
            throw new CtpSessionError(CtpErrorCode.SessionChanged, 'The session kept changing on other instances during the sign-in; this one was undone. Sign in again.');
          }
          if (current?.kind === 'anonymous' && current.anonymousId !== undefined) {
            try {
              await this.#d.signIn.signIn({
                email,
                password,
                anonymousId: current.anonymousId,
                anonymousCartSignInMode: options.anonymousCartSignInMode ?? 'MergeWithExistingCustomerCart',
                storeKey: options.storeKey,
              });
            } catch (error) {
              // Put the anonymous session back, unless something else was stored meanwhile.
              await tx.write(customer, current).catch(() => false);
              throw error;
            }
          }
          if (current) this.#end(current);
          return { token: customer, replaced: current };
        }
      });
    } catch (error) {
      await this.#revoker.pair(customer, 'login-rollback');
      throw error;
    }
    if (outcome.token !== customer) {
      await this.#revoker.pair(customer, 'login-duplicate');
      return outcome.token;
    }
    this.#d.logger.info({ event: 'ctp.login', merged: outcome.replaced?.kind === 'anonymous', store: options.storeKey !== undefined }, 'customer signed in');
    if (outcome.replaced) await this.#retire(outcome.replaced, 'login');
    return customer;
  }

  /**
   * Clears the session and revokes its tokens, including any a refresh in flight mints; waits for
   * that at most revokeWaitMs. The clearing is kept even if revoking fails.
   */
  async logout(): Promise<void> {
    const storage = this.#d.storage();
    const token = await this.#door.update(storage, (current) => ({ result: current, ...(current ? { next: null } : {}) }));
    if (!token) return;
    this.#end(token);
    try {
      await this.#coordinator.endSession(token.refreshToken);
    } finally {
      await this.#retire(token, 'logout');
      this.#d.logger.info({ event: 'ctp.logout', kind: token.kind }, 'shopper signed out');
    }
  }

  /** Waits for what is still running and stops the storage deadline interval (services' close()). */
  async close(): Promise<void> {
    await this.settled();
    this.#door.close();
  }

  /** Every revocation and renewal started so far has finished (for close() and tests). */
  async settled(): Promise<void> {
    while (this.#renewing.size > 0) await Promise.allSettled([...this.#renewing.values()].flatMap((set) => [...set]));
    await this.#revoker.settled();
  }

  async #accessToken(storage: SessionStorage, options: AccessTokenOptions): Promise<CtpAuthToken> {
    const token = await this.#door.read(storage);
    if (!token) {
      if (options.createAnonymous === false) {
        throw new CtpSessionError(CtpErrorCode.NoSession, 'This shopper has no commercetools session: sign in, or call ensureAnonymous() first.');
      }
      return this.#startAnonymous(storage);
    }
    if (!needsRenewal(token, this.#d.clock.now())) return token;
    return this.#renew(storage, token, { force: false, sameLineage: false });
  }

  async #recover(storage: SessionStorage, lineage: string, stale: string): Promise<CtpAuthToken> {
    const current = await this.#door.read(storage);
    if (!current) throw new CtpSessionExpiredError('the session was cleared');
    if (current.refreshToken !== lineage) {
      throw new CtpSessionError(CtpErrorCode.SessionChanged, 'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().');
    }
    if (current.accessToken !== stale) return current;
    return this.#renew(storage, current, { force: true, sameLineage: true });
  }

  /**
   * One anonymous grant per session id; the first caller stores it, unless the session got a token
   * meanwhile (a sign-in), in which case the new pair is revoked and the stored token used.
   */
  async #startAnonymous(storage: SessionStorage): Promise<CtpAuthToken> {
    let first = false;
    const started = await this.#anonymousStarts.run(storage.id ?? storage, async () => {
      first = true;
      const token = await this.#d.issuer.anonymous();
      let stored: CtpAuthToken;
      try {
        stored = await this.#door.update(storage, (current) => (current ? { result: current } : { result: token, next: token }));
      } catch (error) {
        await this.#revoker.pair(token, anonymousGrantRevokeReason);
        throw error;
      }
      if (stored !== token) await this.#revoker.pair(token, anonymousGrantRevokeReason);
      return stored;
    });
    if (first) return started;
    // Another request of the same session id started it and stored it in its own storage object; a
    // copy of the session (express-session gives each request one) keeps it too, unless a sign-out
    // or sign-in ended it meanwhile.
    return this.#door.update(storage, (current) => {
      if (current) return { result: current };
      if (this.#ended.has(started.refreshToken)) throw new CtpSessionExpiredError('the session was signed out while it started');
      return { result: started, next: started };
    });
  }

  #renew(storage: SessionStorage, token: CtpAuthToken, mode: { force: boolean; sameLineage: boolean }): Promise<CtpAuthToken> {
    const work = this.#renewOnce(storage, token, mode);
    let set = this.#renewing.get(token.refreshToken);
    if (!set) this.#renewing.set(token.refreshToken, (set = new Set()));
    const inSet = set;
    inSet.add(work);
    void work.then(
      () => this.#untrack(token.refreshToken, inSet, work),
      () => this.#untrack(token.refreshToken, inSet, work),
    );
    return work;
  }

  #untrack(lineage: string, set: Set<Promise<unknown>>, work: Promise<unknown>): void {
    set.delete(work);
    if (set.size === 0 && this.#renewing.get(lineage) === set) this.#renewing.delete(lineage);
  }

  async #renewOnce(storage: SessionStorage, token: CtpAuthToken, mode: { force: boolean; sameLineage: boolean }): Promise<CtpAuthToken> {
    let fresh: CtpAuthToken | undefined;
    // A lineage a logout or sign-in already ended is not refreshed at all: the section below sees the change.
    if (!this.#ended.has(token.refreshToken)) try {
      fresh = await this.#refreshes.run(token.refreshToken, async () => {
        // A caller that read the token just before another caller's refresh of it finished: that
        // refresh's result, not a second refresh.
        const recent = this.#recentRefreshes.get(token.accessToken);
        if (recent !== undefined && !needsRenewal(recent, this.#d.clock.now())) return recent;
        const minted = await this.#coordinator.refresh(
          token,
          () => this.#d.issuer.refresh(token),
          (candidate) => candidate.accessToken !== token.accessToken && !needsRenewal(candidate, this.#d.clock.now()),
        );
        this.#remember(token.accessToken, minted);
        return minted;
      });
    } catch (error) {
      if (isRefreshRefused(error)) return this.#expire(storage, token, error, mode.sameLineage);
      // The lineage ended elsewhere (the fleet's mark): the session's current state decides below.
      if (!(error instanceof CtpSessionExpiredError)) return this.#transient(token, error, mode.force);
    }
    const minted = fresh;
    const outcome = await this.#door.update<RenewOutcome>(storage, (current) => {
      if (current?.refreshToken === token.refreshToken) {
        // Ended by a sign-out or sign-in (this copy of the session is stale), or on another instance.
        if (minted === undefined || this.#ended.has(token.refreshToken)) return { result: { kind: 'ended' }, next: null };
        if (current.accessToken === minted.accessToken) return { result: { kind: 'kept', token: current } };
        // Renewed already (another instance, or a write of a copy): the first renewal stored wins.
        if (current.accessToken !== token.accessToken) return { result: { kind: 'superseded', token: current, minted } };
        return { result: { kind: 'stored', token: minted, replaced: current.accessToken }, next: minted };
      }
      return { result: { kind: 'changed', current } };
    });
    switch (outcome.kind) {
      case 'kept':
        return outcome.token;
      case 'superseded':
        void this.#revoker.access(outcome.minted.accessToken, token.kind, 'refresh-superseded');
        return outcome.token;
      case 'stored':
        // The access token the refresh replaced would stay valid to its expiry: revoke it (once per
        // token lifetime; waited for at most revokeWaitMs, so the trace shows it in this request).
        await this.#revoker.access(outcome.replaced, token.kind, 'refresh-replaced');
        return outcome.token;
      case 'ended':
        this.#end(token);
        if (minted !== undefined) await this.#revoker.access(minted.accessToken, token.kind, 'refresh-discarded');
        throw new CtpSessionExpiredError('the session was signed out');
      case 'changed': {
        // A logout or sign-in (here or on another instance) replaced this lineage while the refresh
        // ran: what it minted is nobody's.
        if (minted !== undefined) await this.#revoker.access(minted.accessToken, token.kind, 'refresh-discarded');
        const current = outcome.current;
        if (!current) throw new CtpSessionExpiredError('the session was signed out during the refresh');
        if (mode.sameLineage) {
          throw new CtpSessionError(CtpErrorCode.SessionChanged, 'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().');
        }
        return current;
      }
    }
  }

  async #expire(storage: SessionStorage, token: CtpAuthToken, refused: CtpOAuthError, sameLineage: boolean): Promise<CtpAuthToken> {
    const { cleared, current } = await this.#door.update<{ cleared: boolean; current: CtpAuthToken | undefined }>(storage, (stored) =>
      stored?.refreshToken === token.refreshToken ? { result: { cleared: true, current: undefined }, next: null } : { result: { cleared: false, current: stored } },
    );
    this.#end(token);
    // Logged by the one caller that cleared it, not by every request that saw the refusal.
    if (cleared) this.#d.logger.warn({ event: 'ctp.session.expired', kind: token.kind, error: refused.error }, 'refresh refused; session cleared');
    if (current === undefined) throw new CtpSessionExpiredError('the refresh token was refused', { cause: refused });
    // Refused because a sign-in replaced this lineage meanwhile: the session lives on in the new one.
    if (sameLineage) {
      throw new CtpSessionError(CtpErrorCode.SessionChanged, 'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().');
    }
    return current;
  }

  /**
   * Anything but invalid_grant is passing (a proxy's page, 5xx, 429, a timeout): the session is
   * kept and its token used while it is valid; past its expiry the caller gets a transient error.
   */
  #transient(token: CtpAuthToken, error: unknown, force: boolean): CtpAuthToken {
    const code = error instanceof CtpError ? error.code : 'UNKNOWN';
    if (!force && !isExpired(token, this.#d.clock.now())) {
      this.#d.logger.warn({ event: 'ctp.renewal.deferred', kind: token.kind, code }, 'refresh failed; using the current token until it expires');
      return token;
    }
    if (error instanceof CtpError && !(error instanceof CtpOAuthError)) throw error;
    throw new CtpAuthUnavailableError(CtpErrorCode.AuthUnavailable, 'The session could not be renewed just now (the auth server failed); the session was kept. Try again shortly.', {
      flow: 'refresh_token',
      attempts: 1,
      cause: error,
    });
  }

  #remember(replaced: string, minted: CtpAuthToken): void {
    this.#recentRefreshes.set(replaced, minted);
    // Oldest first out: a late reader comes within moments, so a small window is enough.
    if (this.#recentRefreshes.size > 1_000) {
      const oldest = this.#recentRefreshes.keys().next().value;
      if (oldest !== undefined) this.#recentRefreshes.delete(oldest);
    }
  }

  /** Marks a lineage ended in this process: a refresh of it in flight stores nothing and revokes what it minted. */
  #end(token: CtpAuthToken): void {
    this.#ended.add(token.refreshToken);
  }

  /** Revokes a replaced or signed-out pair, after every renewal of its lineage in flight has settled. */
  async #retire(token: CtpAuthToken, reason: string): Promise<void> {
    const renewals = [...(this.#renewing.get(token.refreshToken) ?? [])];
    await this.#revoker.within(Promise.all([this.#revoker.pair(token, reason), Promise.allSettled(renewals)]), token.kind, reason);
  }
}

interface SessionSource extends TokenSource {
  readonly lineage: string;
}

type RenewOutcome =
  | { kind: 'kept'; token: CtpAuthToken }
  | { kind: 'superseded'; token: CtpAuthToken; minted: CtpAuthToken }
  | { kind: 'stored'; token: CtpAuthToken; replaced: string }
  | { kind: 'ended' }
  | { kind: 'changed'; current: CtpAuthToken | undefined };
