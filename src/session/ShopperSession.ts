import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import { isExpired, needsRenewal } from '../auth/renewal';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { SIGNED_OUT_MARK_MS } from '../tokens/renewalOutcome';
import { localCoordinator, type TokenCoordinator } from '../tokens/TokenCoordinator';
import { NO_TELEMETRY, type CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { TokenSource } from '../tokens/TokenSource';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { AccountOperations, type AccountOptions } from './account/AccountOperations';
import type { CustomerDraft, SignUpOptions, StoreOption } from './account/CustomerDraft';
import { sessionStore } from './account/sessionStore';
import { AnonymousStart } from './AnonymousStart';
import { claimCustomer } from './claimCustomer';
import type { AccessTokenOptions, CtpSession, LoginOptions } from './CtpSession';
import type { CustomerSignIn } from './CustomerSignIn';
import type { ExternalRefresh } from './ExternalRefresh';
import { ExternalSignIn, type ExternalLoginOptions } from './ExternalSignIn';
import { SessionRenewal } from './SessionRenewal';
import { checkoutNotConfigured, type CheckoutSession, type ShopperCheckout } from './ShopperCheckout';
import { adaptingLegacy, type AnySessionStorage } from './fromLegacyStorage';
import type { SessionStorage } from './SessionStorage';
import { SessionTokens } from './SessionTokens';

export interface ShopperSessionDeps {
  issuer: TokenIssuer;
  oauth: Pick<OAuthClient, 'revoke'>;
  signIn: CustomerSignIn;
  clock: Clock;
  logger: Logger;
  /** The current request's storage (by default runWithCtpSession's); one of the earlier contract is adapted (fromLegacyStorage). */
  storage: () => AnySessionStorage;
  /** One refresh for the whole fleet (Redis) rather than one per process; default: this process. */
  coordinator?: TokenCoordinator;
  /** Bound of every session storage call (default 5 s). */
  storageTimeoutMs?: number;
  /** How long a sign-out or refresh waits for revoking the tokens it drops (default 2 s; they go on after). A sign-in does not wait. */
  revokeWaitMs?: number;
  /** Sign-up, passwords and email verification: the API calls and the app's token sender. */
  accounts?: AccountOptions;
  /** Spans of sign-in, sign-out, sign-up and the password changes; the count of expired sessions. */
  telemetry?: CtpTelemetry;
  checkout?: ShopperCheckout;
  /** Renews sessions of loginExternal on every instance (the module's `externalAuth.refresh`). */
  externalRefresh?: ExternalRefresh | undefined;
}

/**
 * The CtpSession apps inject: the current shopper's commercetools session, kept in the app's
 * session through SessionStorage. Beyond the public interface, source() is what customerApiRoot()
 * builds on (internal).
 *
 * Every change of a session's state (anonymous start, refresh, login, logout) goes through one
 * SessionDoor: serialised per session in this process, compare-and-set against what is stored (atomic
 * across instances where the storage offers it), so none can undo another. Network calls happen
 * outside that section, except the backend sign-in that moves the anonymous cart, which must see the
 * session it moves. A session's lineage is its refresh token (commercetools never rotates it): a
 * logout or a login ends the lineage it replaced, and every token of an ended lineage that the
 * library obtains is revoked, including one minted by a refresh that was in flight.
 *
 * Inside a token's renewal margin the token still serves every call and one refresh runs in the
 * background (SessionRenewal); only an expired token, or one the API refused, waits for a refresh.
 */
export class ShopperSession implements CtpSession {
  readonly #d: Omit<ShopperSessionDeps, 'storage'> & { storage: () => SessionStorage };
  /** The door, revoker and ended lineages, shared with the renewals and the account operations. */
  readonly #t: SessionTokens;
  readonly #coordinator: TokenCoordinator;
  readonly #renewal: SessionRenewal;
  readonly #anonymous: AnonymousStart;
  readonly #accounts: AccountOperations;
  readonly #external: ExternalSignIn;
  readonly #telemetry: CtpTelemetry;

  constructor(deps: ShopperSessionDeps) {
    this.#d = { ...deps, storage: adaptingLegacy(deps.storage) };
    this.#telemetry = deps.telemetry ?? NO_TELEMETRY;
    this.#coordinator = deps.coordinator ?? localCoordinator;
    const { issuer, clock, logger, storageTimeoutMs = 5_000, revokeWaitMs = 2_000 } = deps;
    this.#t = new SessionTokens(deps.oauth, logger, storageTimeoutMs, revokeWaitMs, issuer.registry);
    this.#external = new ExternalSignIn({ ...deps, tokens: this.#t, storage: this.#d.storage });
    const refresher = this.#external.refresher();
    this.#renewal = new SessionRenewal(this.#t, refresher, this.#coordinator, clock, logger, this.#telemetry);
    this.#anonymous = new AnonymousStart(this.#t, deps.issuer);
    this.#accounts = new AccountOperations({
      ...deps,
      ...deps.accounts,
      tokens: this.#t,
      storage: this.#d.storage,
      // Waits for a refresh in the margin: a background one would revoke the token the operation sends.
      validToken: (storage) => this.#accessToken(storage, { createAnonymous: false }, false),
    });
  }

  readonly checkoutSession = (options: { cartId?: string } = {}): Promise<CheckoutSession> =>
    (this.#d.checkout ?? checkoutNotConfigured)(() => this.source({ createAnonymous: false }), options.cartId);

  readonly current = (): Promise<CtpAuthToken | undefined> => this.#t.door.read(this.#d.storage());

  readonly ensureAnonymous = (options: { storeKey?: string } = {}): Promise<CtpAuthToken> =>
    this.accessToken({ ...options, createAnonymous: true });

  readonly accessToken = (options: AccessTokenOptions = {}): Promise<CtpAuthToken> =>
    this.#accessToken(this.#d.storage(), options);

  /**
   * What customerApiRoot() builds on: a valid token of the current request's session, and the way
   * to renew exactly that lineage after a 401, bound to this storage, not to whatever context the
   * call later runs in.
   */
  async source(options: AccessTokenOptions = {}): Promise<TokenSource> {
    const storage = this.#d.storage();
    return this.tokenSource(storage, await this.#accessToken(storage, options));
  }

  /** A token source for `token` of the session in `storage`. */
  tokenSource(storage: SessionStorage, token: CtpAuthToken): TokenSource {
    return {
      owner: 'customer',
      accessToken: token.accessToken,
      key: storage,
      recover: async (stale) => (await this.#renewal.recover(storage, token.refreshToken, stale)).accessToken,
    };
  }

  /**
   * Password grant first (wrong credentials end here, having changed nothing), then the claim step
   * shared with sign-up (claimCustomer: compare-and-set, the backend sign-in moves the anonymous
   * cart, the replaced tokens are revoked in the background; a sign-in stored meanwhile wins).
   */
  login(email: string, password: string, options: LoginOptions = {}): Promise<CtpAuthToken> {
    return this.#telemetry.span('ctp.session.login', {}, () => this.#login(email, password, options));
  }

  async #login(email: string, password: string, options: LoginOptions): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const before = await this.#t.door.read(storage);
    const storeKey = sessionStore(before, options.storeKey);
    // The backend sign-in needs the integration token: fetched alongside the password grant.
    if (before?.kind === 'anonymous' && before.anonymousId !== undefined) void this.#d.signIn.prepare();
    const customer = await this.#d.issuer.customer({ email, password, storeKey });
    const outcome = await claimCustomer(this.#t, this.#d.signIn, storage, before, customer, {
      email,
      password,
      storeKey,
      anonymousCartSignInMode: options.anonymousCartSignInMode,
      reason: 'login',
    });
    if (outcome.token !== customer) return outcome.token;
    this.#d.logger.info(
      { event: 'ctp.login', merged: outcome.replaced?.kind === 'anonymous', store: storeKey !== undefined },
      'customer signed in',
    );
    return customer;
  }

  /** The provider's token takes the session over (ExternalSignIn: Merge Cart, anonymous tokens revoked). */
  loginExternal(token: string, options: ExternalLoginOptions): Promise<CtpAuthToken> {
    return this.#external.login(token, options);
  }

  /** Clears the session and revokes its tokens, including any a refresh in flight mints (waited for at most revokeWaitMs); the clearing stays even if revoking fails. */
  logout(): Promise<void> {
    return this.#telemetry.span('ctp.session.logout', {}, () => this.#logout());
  }

  async #logout(): Promise<void> {
    const storage = this.#d.storage();
    const token = await this.#t.door.update(storage, (current) => ({
      result: current,
      ...(current ? { next: null } : {}),
    }));
    if (!token) return;
    this.#t.end(token);
    this.#external.forget(token);
    // The fleet's "ended" mark and the revocations run side by side; a failed mark still fails the logout, after them.
    const [marked] = await Promise.allSettled([
      this.#coordinator.endLineage(token.refreshToken, SIGNED_OUT_MARK_MS),
      this.#t.retire(token, 'logout'),
    ]);
    this.#d.logger.info({ event: 'ctp.logout', kind: token.kind }, 'shopper signed out');
    if (marked.status === 'rejected') throw marked.reason;
  }

  // The account operations (AccountOperations, beside this class); spans around those that change the session.
  readonly requestPasswordReset = (email: string, options: StoreOption = {}): Promise<void> =>
    this.#accounts.requestPasswordReset(email, options);
  readonly requestEmailVerification = (): Promise<void> => this.#accounts.requestEmailVerification();
  readonly confirmEmail = (tokenValue: string, options: StoreOption = {}): Promise<void> =>
    this.#accounts.confirmEmail(tokenValue, options);

  signUp(draft: CustomerDraft, options: SignUpOptions = {}): Promise<CtpAuthToken> {
    // No attribute from the draft: it holds the email and the password.
    return this.#telemetry.span('ctp.session.sign_up', {}, () => this.#accounts.signUp(draft, options));
  }

  changePassword(currentPassword: string, newPassword: string): Promise<CtpAuthToken> {
    const change = () => this.#accounts.changePassword(currentPassword, newPassword);
    return this.#telemetry.span('ctp.session.change_password', {}, change);
  }

  resetPassword(tokenValue: string, newPassword: string, options: StoreOption = {}): Promise<void> {
    const reset = () => this.#accounts.resetPassword(tokenValue, newPassword, options);
    return this.#telemetry.span('ctp.session.reset_password', {}, reset);
  }

  // From the verified session token only, never from a request.
  async customerId(): Promise<string> {
    const token = await this.#accessToken(this.#d.storage(), { createAnonymous: false });
    if (token.kind === 'customer' && token.customerId !== undefined) return token.customerId;
    throw new CtpSessionError(
      CtpErrorCode.NoSession,
      'This operation needs a signed-in customer and the session has none; sign in first.',
    );
  }

  // Also what the services' close() waits for.
  async settled(): Promise<void> {
    await this.#renewal.settled();
    while (this.#t.renewing.size > 0)
      await Promise.allSettled([...this.#t.renewing.values()].flatMap((set) => [...set]));
    await this.#accounts.settled();
    await this.#t.revoker.settled();
  }

  async #accessToken(storage: SessionStorage, options: AccessTokenOptions, ahead = true): Promise<CtpAuthToken> {
    const token = await this.#t.door.read(storage);
    if (!token) {
      if (options.createAnonymous === false) {
        throw new CtpSessionError(
          CtpErrorCode.NoSession,
          'This shopper has no commercetools session: sign in, or call ensureAnonymous() first.',
        );
      }
      return this.#anonymous.start(storage, options.storeKey);
    }
    // A shopper of one Store is never served as another Store's.
    if (options.storeKey !== undefined) sessionStore(token, options.storeKey);
    const now = this.#d.clock.now();
    if (!needsRenewal(token, now)) return token;
    if (!ahead || isExpired(token, now)) return this.#renewal.renew(storage, token);
    // Valid for minutes still: it serves this call, and the refresh runs in the background.
    this.#renewal.ahead(storage, token);
    return token;
  }
}
