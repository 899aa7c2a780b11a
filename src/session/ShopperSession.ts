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
  /** The current request's storage (by default runWithCtpSession's); a legacy one is adapted. */
  storage: () => AnySessionStorage;
  /** One refresh per fleet (Redis) rather than per process. */
  coordinator?: TokenCoordinator;
  /** Bound of every session storage call (default 5 s). */
  storageTimeoutMs?: number;
  /** How long a sign-out or refresh waits for revoking the tokens it drops (default 2 s; they go on after). */
  revokeWaitMs?: number;
  accounts?: AccountOptions;
  telemetry?: CtpTelemetry;
  checkout?: ShopperCheckout;
  /** Renews sessions of loginExternal on every instance (the module's `externalAuth.refresh`). */
  externalRefresh?: ExternalRefresh | undefined;
}

/**
 * The CtpSession apps inject; source() is what customerApiRoot() builds on. Network calls run outside
 * the door, except the backend sign-in that moves the anonymous cart, which must see the session it moves.
 */
export class ShopperSession implements CtpSession {
  readonly #d: Omit<ShopperSessionDeps, 'storage'> & { storage: () => SessionStorage };
  readonly #t: SessionTokens;
  readonly #renewal: SessionRenewal;
  readonly #anonymous: AnonymousStart;
  readonly #accounts: AccountOperations;
  readonly #external: ExternalSignIn;
  readonly #telemetry: CtpTelemetry;
  readonly #coordinator: TokenCoordinator;

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

  /** A valid token of the current request's session; a 401 renews that lineage of this storage, whatever context the call runs in. */
  async source(options: AccessTokenOptions = {}): Promise<TokenSource> {
    const storage = this.#d.storage();
    return this.tokenSource(storage, await this.#accessToken(storage, options));
  }

  tokenSource(storage: SessionStorage, token: CtpAuthToken): TokenSource {
    return {
      owner: 'customer',
      accessToken: token.accessToken,
      key: storage,
      recover: async (stale) => (await this.#renewal.recover(storage, token.refreshToken, stale)).accessToken,
    };
  }

  // Password grant first (wrong credentials end here, having changed nothing), then the claim step shared with sign-up.
  login(email: string, password: string, options: LoginOptions = {}): Promise<CtpAuthToken> {
    return this.#telemetry.span('ctp.session.login', {}, async () => {
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
    });
  }

  loginExternal(token: string, options: ExternalLoginOptions): Promise<CtpAuthToken> {
    return this.#external.login(token, options);
  }

  logout(): Promise<void> {
    return this.#telemetry.span('ctp.session.logout', {}, async () => {
      const storage = this.#d.storage();
      const token = await this.#t.door.update(storage, (current) =>
        current ? { result: current, next: null } : { result: current },
      );
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
    });
  }

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

  async customerId(): Promise<string> {
    const token = await this.#accessToken(this.#d.storage(), { createAnonymous: false });
    if (token.kind === 'customer' && token.customerId !== undefined) return token.customerId;
    throw new CtpSessionError(
      CtpErrorCode.NoSession,
      'This operation needs a signed-in customer and the session has none; sign in first.',
    );
  }

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
    if (options.storeKey !== undefined) sessionStore(token, options.storeKey);
    const now = this.#d.clock.now();
    if (!needsRenewal(token, now)) return token;
    if (!ahead || isExpired(token, now)) return this.#renewal.renew(storage, token);
    this.#renewal.ahead(storage, token);
    return token;
  }
}
