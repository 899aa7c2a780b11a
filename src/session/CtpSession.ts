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
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';
import { AccountOperations, type AccountOptions } from './account/AccountOperations';
import type { ChangePasswordOptions, CustomerDraft, SignUpOptions, StoreOption } from './account/CustomerDraft';
import { sessionStore } from './account/sessionStore';
import { anonymousStartKey } from './anonymousStartKey';
import type { AnonymousCartSignInMode, CustomerSignIn } from './CustomerSignIn';
import type { SessionDoor } from './SessionDoor';
import type { SessionStorage } from './SessionStorage';
import { SessionTokens } from './SessionTokens';
import type { TokenRevoker } from './TokenRevoker';

export interface LoginOptions {
  /** Signs in a customer of this Store (in-store endpoints). */
  storeKey?: string;
  /** What happens to the anonymous cart; commercetools' default is MergeWithExistingCustomerCart. */
  anonymousCartSignInMode?: AnonymousCartSignInMode;
}

export interface AccessTokenOptions {
  /** Start an anonymous session when there is none (default true). */
  createAnonymous?: boolean;
  /**
   * The Store the shopper is in: an anonymous session started here is that Store's (store-scoped
   * scopes; later sign-ins and account operations default to it), and a session of another Store
   * fails with CTP_STORE_MISMATCH rather than serve this one.
   */
  storeKey?: string;
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
  /** How long a sign-out or refresh waits for revoking the tokens it drops (default 2 s; they go on after). A sign-in does not wait. */
  revokeWaitMs?: number;
  /** Sign-up, passwords and email verification: the API calls and the app's token sender. */
  accounts?: AccountOptions;
}

/** The default options, one object rather than one per call. */
const NO_OPTIONS: AccessTokenOptions = Object.freeze({});

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
  /** The door, revoker and ended lineages, shared with the account operations. */
  readonly #t: SessionTokens;
  readonly #door: SessionDoor;
  readonly #revoker: TokenRevoker;
  readonly #coordinator: TokenCoordinator;
  readonly #refreshes = new SingleFlight<string, CtpAuthToken>();
  readonly #anonymousStarts = new SingleFlight<unknown, CtpAuthToken>();
  readonly #accounts: AccountOperations;
  /** Refresh results by the access token they replace, for callers that read it just before (bounded). */
  readonly #recentRefreshes = new Map<string, CtpAuthToken>();

  constructor(deps: CtpSessionDeps) {
    this.#d = deps;
    this.#coordinator = deps.coordinator ?? localCoordinator;
    this.#t = new SessionTokens(deps.oauth, deps.logger, deps.storageTimeoutMs ?? 5_000, deps.revokeWaitMs ?? 2_000);
    this.#door = this.#t.door;
    this.#revoker = this.#t.revoker;
    this.#accounts = new AccountOperations({
      tokens: this.#t,
      issuer: deps.issuer,
      signIn: deps.signIn,
      storage: deps.storage,
      validToken: (storage) => this.#accessToken(storage, { createAnonymous: false }),
      clock: deps.clock,
      logger: deps.logger,
      ...deps.accounts,
    });
  }

  /** The stored token, as it is (no refresh), or undefined. */
  async current(): Promise<CtpAuthToken | undefined> {
    return this.#door.read(this.#d.storage());
  }

  /** The session's token, starting an anonymous session if there is none. */
  ensureAnonymous(options: { storeKey?: string } = {}): Promise<CtpAuthToken> {
    return this.accessToken({ ...options, createAnonymous: true });
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
  source(options: AccessTokenOptions = NO_OPTIONS): Promise<TokenSource> {
    let storage: SessionStorage;
    try {
      storage = this.#d.storage();
    } catch (error) {
      // Outside a session context: a rejected promise, as from an async function.
      return Promise.reject(error);
    }
    return this.#accessToken(storage, options).then((token) => this.tokenSource(storage, token));
  }

  /** A token source for `token` of the session in `storage`. */
  tokenSource(storage: SessionStorage, token: CtpAuthToken): TokenSource {
    return {
      owner: 'customer',
      accessToken: token.accessToken,
      key: storage,
      recover: async (stale) => (await this.#recover(storage, token.refreshToken, stale)).accessToken,
    };
  }

  /**
   * Renews after the API refused `staleAccessToken` (401), in the current session's own lineage.
   * Prefer a builder's own TokenSource, which keeps the lineage the builder was made for.
   */
  async recover(staleAccessToken: string): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const token = await this.#door.readStored(storage);
    if (!token) throw new CtpSessionExpiredError('the session was cleared');
    return this.#recover(storage, token.refreshToken, staleAccessToken);
  }

  /**
   * Signs a customer in. Password grant with the `customer` scopes first (wrong credentials end
   * here, having changed nothing). Then, alone among the session's changes: the customer token is
   * stored by compare-and-set; if the session was anonymous, the backend sign-in with its anonymousId
   * moves its cart to the customer (if that fails, the anonymous session is put back). It answers
   * then: two sequential round trips (password grant, backend sign-in; the integration token is
   * fetched alongside the grant if needed). The replaced tokens are revoked after the answer, in
   * the background (settled() waits for them). If another sign-in was stored since
   * this one began, this one's tokens are revoked and it fails with CTP_SESSION_CHANGED (or, for the
   * same customer, returns the stored token). On any failure the session stays as it was.
   */
  async login(email: string, password: string, options: LoginOptions = {}): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const before = await this.#door.read(storage);
    const storeKey = sessionStore(before, options.storeKey);
    // The backend sign-in that follows needs the integration token: fetched alongside the password
    // grant, so a sign-in waits for two round trips even when no integration token is cached yet.
    if (before?.kind === 'anonymous' && before.anonymousId !== undefined) void this.#d.signIn.prepare();
    const customer = await this.#d.issuer.customer({ email, password, storeKey });
    const outcome = await this.#t.claim(storage, before, customer, {
      reason: 'login',
      fromAnonymous: async (anonymous) => {
        if (anonymous.anonymousId === undefined) return;
        await this.#d.signIn.signIn({
          email,
          password,
          anonymousId: anonymous.anonymousId,
          anonymousCartSignInMode: options.anonymousCartSignInMode ?? 'MergeWithExistingCustomerCart',
          storeKey,
        });
      },
    });
    if (outcome.token !== customer) return outcome.token;
    this.#d.logger.info({ event: 'ctp.login', merged: outcome.replaced?.kind === 'anonymous', store: storeKey !== undefined }, 'customer signed in');
    return customer;
  }

  /**
   * Clears the session and revokes its tokens, including any a refresh in flight mints; waits for
   * that at most revokeWaitMs: one round trip, the access and refresh token revoked in parallel
   * (after it resolves, no token of the session answers the API, unless the bound was hit). The
   * clearing is kept even if revoking fails.
   */
  async logout(): Promise<void> {
    const storage = this.#d.storage();
    const token = await this.#door.update(storage, (current) => ({ result: current, ...(current ? { next: null } : {}) }));
    if (!token) return;
    this.#t.end(token);
    // The fleet's "ended" mark (a Redis call) and the revocations run side by side: the session is
    // cleared already, and neither needs the other, so a sign-out waits for one round, not two.
    // A failed mark still fails the logout, after the revocations.
    const [marked] = await Promise.allSettled([this.#coordinator.endSession(token.refreshToken), this.#t.retire(token, 'logout')]);
    this.#d.logger.info({ event: 'ctp.logout', kind: token.kind }, 'shopper signed out');
    if (marked.status === 'rejected') throw marked.reason;
  }

  /**
   * Signs a shopper up: creates the customer through the backend, signs the customer in and, as
   * login() does, stores the customer token in place of the anonymous session, moves its cart to the
   * new customer (backend sign-in with the session's anonymousId) and revokes the anonymous pair. CTP_EMAIL_TAKEN if the email is in use,
   * CTP_CUSTOMER_DRAFT_INVALID (with `.fieldErrors`) if the platform refuses the draft,
   * CTP_SESSION_CHANGED if another sign-in of this session finished first (the account exists then).
   */
  signUp(draft: CustomerDraft, options: SignUpOptions = {}): Promise<CtpAuthToken> {
    return this.#accounts.signUp(draft, options);
  }

  /**
   * Changes the signed-in customer's password in their own name and keeps the session signed in on
   * fresh tokens of the new password; the old pair is revoked. A wrong current password is
   * CTP_INVALID_CREDENTIALS; no signed-in customer is CTP_NO_SESSION. If the password changed but the
   * sign-in with the new one fails, the session is signed out (old pair revoked) and the call fails
   * with CTP_PASSWORD_CHANGED_SIGN_IN_AGAIN.
   */
  changePassword(currentPassword: string, newPassword: string, _options: ChangePasswordOptions = {}): Promise<CtpAuthToken> {
    return this.#accounts.changePassword(currentPassword, newPassword);
  }

  /**
   * Creates a password reset token and hands it to the module option `sendToken` (never to the
   * caller). Answers the same, and no sooner than a fixed floor, whether or not the email exists.
   */
  requestPasswordReset(email: string, options: StoreOption = {}): Promise<void> {
    return this.#accounts.requestPasswordReset(email, options);
  }

  /**
   * Sets a new password with a reset token (CTP_ACCOUNT_TOKEN_INVALID if it is unknown, expired or
   * used). The platform revokes the customer's password-flow tokens: every session of that customer
   * ends at its next refresh; this one, if it is that customer's, is signed out now.
   */
  resetPassword(tokenValue: string, newPassword: string, options: StoreOption = {}): Promise<void> {
    return this.#accounts.resetPassword(tokenValue, newPassword, options);
  }

  /** Creates an email verification token for the signed-in customer and hands it to `sendToken`. */
  requestEmailVerification(): Promise<void> {
    return this.#accounts.requestEmailVerification();
  }

  /** Confirms a customer's email with a verification token (CTP_ACCOUNT_TOKEN_INVALID if unknown, expired or used). */
  confirmEmail(tokenValue: string, options: StoreOption = {}): Promise<void> {
    return this.#accounts.confirmEmail(tokenValue, options);
  }

  /**
   * The signed-in customer's id, from the verified session token only (B2B associate calls take it
   * from here, never from a request). CTP_NO_SESSION if the session is not a signed-in customer.
   */
  async customerId(): Promise<string> {
    const token = await this.#accessToken(this.#d.storage(), { createAnonymous: false });
    if (token.kind !== 'customer' || token.customerId === undefined) {
      throw new CtpSessionError(CtpErrorCode.NoSession, 'This operation needs a signed-in customer and the session has none; sign in first.');
    }
    return token.customerId;
  }

  /** Waits for what is still running (services' close()). */
  async close(): Promise<void> {
    await this.settled();
  }

  /** Every revocation and renewal started so far has finished (for close() and tests). */
  async settled(): Promise<void> {
    while (this.#t.renewing.size > 0) await Promise.allSettled([...this.#t.renewing.values()].flatMap((set) => [...set]));
    await this.#accounts.settled();
    await this.#revoker.settled();
  }

  // Every API call comes here: one storage read and a clock check on the common path, no extra async layer.
  #accessToken(storage: SessionStorage, options: AccessTokenOptions): Promise<CtpAuthToken> {
    return this.#door.read(storage).then((token) => {
      if (!token) {
        if (options.createAnonymous === false) {
          throw new CtpSessionError(CtpErrorCode.NoSession, 'This shopper has no commercetools session: sign in, or call ensureAnonymous() first.');
        }
        return this.#startAnonymous(storage, options.storeKey);
      }
      // A shopper of one Store is never served as another Store's.
      if (options.storeKey !== undefined) sessionStore(token, options.storeKey);
      if (!needsRenewal(token, this.#d.clock.now())) return token;
      return this.#renew(storage, token, { force: false, sameLineage: false });
    });
  }

  async #recover(storage: SessionStorage, lineage: string, stale: string): Promise<CtpAuthToken> {
    // Past any cache: a 401 may mean the session was signed out or refreshed on another instance a
    // moment ago, before this instance's cache heard of it.
    const current = await this.#door.readStored(storage);
    if (!current) throw new CtpSessionExpiredError('the session was cleared');
    if (current.refreshToken !== lineage) {
      throw builderSessionChanged();
    }
    if (current.accessToken !== stale) return current;
    return this.#renew(storage, current, { force: true, sameLineage: true });
  }

  /**
   * One anonymous grant per session id; the first caller stores it, unless the session got a token
   * meanwhile (a sign-in), in which case the new pair is revoked and the stored token used.
   */
  async #startAnonymous(storage: SessionStorage, storeKey: string | undefined): Promise<CtpAuthToken> {
    let first = false;
    const started = await this.#anonymousStarts.run(anonymousStartKey(storage, storeKey), async () => {
      first = true;
      const token = await this.#d.issuer.anonymous(undefined, storeKey);
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
    // What the session holds may be another Store's start that won: never served to this Store's shopper.
    if (first) return sessionStoreToken(started, storeKey);
    // Another request of the same session id started it and stored it in its own storage object; a
    // copy of the session (express-session gives each request one) keeps it too, unless a sign-out
    // or sign-in ended it meanwhile.
    const kept = await this.#door.update(storage, (current) => {
      if (current) return { result: current };
      if (this.#t.ended.has(started.refreshToken)) throw new CtpSessionExpiredError('the session was signed out while it started');
      return { result: started, next: started };
    });
    return sessionStoreToken(kept, storeKey);
  }

  #renew(storage: SessionStorage, token: CtpAuthToken, mode: { force: boolean; sameLineage: boolean }): Promise<CtpAuthToken> {
    return this.#t.track(token.refreshToken, this.#renewOnce(storage, token, mode));
  }

  async #renewOnce(storage: SessionStorage, token: CtpAuthToken, mode: { force: boolean; sameLineage: boolean }): Promise<CtpAuthToken> {
    let fresh: CtpAuthToken | undefined;
    // A lineage a logout or sign-in already ended is not refreshed at all: the section below sees the change.
    if (!this.#t.ended.has(token.refreshToken)) try {
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
    // With a caching storage (RedisSessionStorage) that already holds what this refresh minted
    // (stored by this instance's first caller, or by the instance that refreshed): the 'kept' case
    // below, which writes nothing, so it needs no read of the store either.
    const alreadyKept = (cached: CtpAuthToken | undefined): RenewOutcome | undefined =>
      minted !== undefined && !this.#t.ended.has(token.refreshToken) && cached?.refreshToken === token.refreshToken && cached.accessToken === minted.accessToken
        ? { kind: 'kept', token: cached }
        : undefined;
    const outcome = await this.#door.update<RenewOutcome>(storage, (current) => {
      if (current?.refreshToken === token.refreshToken) {
        // Ended by a sign-out or sign-in (this copy of the session is stale), or on another instance.
        if (minted === undefined || this.#t.ended.has(token.refreshToken)) return { result: { kind: 'ended' }, next: null };
        if (current.accessToken === minted.accessToken) return { result: { kind: 'kept', token: current } };
        // Renewed already (another instance, or a write of a copy): the first renewal stored wins.
        if (current.accessToken !== token.accessToken) return { result: { kind: 'superseded', token: current, minted } };
        return { result: { kind: 'stored', token: minted, replaced: current.accessToken }, next: minted };
      }
      return { result: { kind: 'changed', current } };
    }, alreadyKept);
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
        this.#t.end(token);
        if (minted !== undefined) await this.#revoker.access(minted.accessToken, token.kind, 'refresh-discarded');
        throw new CtpSessionExpiredError('the session was signed out');
      case 'changed': {
        // A logout or sign-in (here or on another instance) replaced this lineage while the refresh
        // ran: what it minted is nobody's.
        if (minted !== undefined) await this.#revoker.access(minted.accessToken, token.kind, 'refresh-discarded');
        const current = outcome.current;
        if (!current) throw new CtpSessionExpiredError('the session was signed out during the refresh');
        if (mode.sameLineage) {
          throw builderSessionChanged();
        }
        return current;
      }
    }
  }

  async #expire(storage: SessionStorage, token: CtpAuthToken, refused: CtpOAuthError, sameLineage: boolean): Promise<CtpAuthToken> {
    const { cleared, current } = await this.#door.update<{ cleared: boolean; current: CtpAuthToken | undefined }>(storage, (stored) =>
      stored?.refreshToken === token.refreshToken ? { result: { cleared: true, current: undefined }, next: null } : { result: { cleared: false, current: stored } },
    );
    this.#t.end(token);
    // Logged by the one caller that cleared it, not by every request that saw the refusal.
    if (cleared) this.#d.logger.warn({ event: 'ctp.session.expired', kind: token.kind, error: refused.error }, 'refresh refused; session cleared');
    if (current === undefined) throw new CtpSessionExpiredError('the refresh token was refused', { cause: refused });
    // Refused because a sign-in replaced this lineage meanwhile: the session lives on in the new one.
    if (sameLineage) {
      throw builderSessionChanged();
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
}

type RenewOutcome =
  | { kind: 'kept'; token: CtpAuthToken }
  | { kind: 'superseded'; token: CtpAuthToken; minted: CtpAuthToken }
  | { kind: 'stored'; token: CtpAuthToken; replaced: string }
  | { kind: 'ended' }
  | { kind: 'changed'; current: CtpAuthToken | undefined };

/** `token`, if it may serve a shopper of `storeKey` (CTP_STORE_MISMATCH otherwise). */
function sessionStoreToken(token: CtpAuthToken, storeKey: string | undefined): CtpAuthToken {
  if (storeKey !== undefined) sessionStore(token, storeKey);
  return token;
}

/** A builder's shopper is no longer the session's: its call fails, never retried in another name. */
function builderSessionChanged(): CtpSessionError {
  return new CtpSessionError(
    CtpErrorCode.SessionChanged,
    'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().',
  );
}
