import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import { isRefreshRefused } from '../auth/isRefreshRefused';
import { isExpired, needsRenewal } from '../auth/renewal';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import { localCoordinator, type TokenCoordinator } from '../fleet/TokenCoordinator';
import { BoundedHashSet } from '../util/BoundedSet';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';
import type { AnonymousCartSignInMode, CustomerSignIn } from './CustomerSignIn';
import type { SessionStorage } from './SessionStorage';

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
  oauth: OAuthClient;
  signIn: CustomerSignIn;
  clock: Clock;
  logger: Logger;
  /** The current request's storage; by default the one set by runWithCtpSession or the middleware. */
  storage: () => SessionStorage;
  /** One refresh for the whole fleet (Redis) rather than one per process; default: this process. */
  coordinator?: TokenCoordinator;
}

/**
 * The current shopper's commercetools session, kept in the app's session through SessionStorage.
 *
 * One grant or refresh is in flight per session: refreshes are keyed by the refresh token (the same
 * for every request of that shopper), anonymous starts by the storage's id. Every caller then writes
 * the result into its own storage only if that storage still holds what it read (compare and set),
 * so a logout or a login that happened meanwhile is never undone.
 */
export class CtpSession {
  readonly #d: CtpSessionDeps;
  readonly #refreshes = new SingleFlight<string, CtpAuthToken>();
  readonly #anonymousStarts = new SingleFlight<unknown, CtpAuthToken>();
  /** Per storage object: concurrent callers that all saw the refresh refused clear it once. */
  readonly #expiries = new SingleFlight<SessionStorage, boolean>();
  readonly #loggedOut = new BoundedHashSet(10_000);

  readonly #coordinator: TokenCoordinator;

  constructor(deps: CtpSessionDeps) {
    this.#d = deps;
    this.#coordinator = deps.coordinator ?? localCoordinator;
  }

  /** The stored token, as it is (no refresh), or undefined. */
  async current(): Promise<CtpAuthToken | undefined> {
    return this.#read(this.#d.storage());
  }

  /** The session's token, starting an anonymous session if there is none. */
  ensureAnonymous(): Promise<CtpAuthToken> {
    return this.accessToken({ createAnonymous: true });
  }

  /**
   * A token that is valid now: the stored one, refreshed inside its renewal margin, or (with
   * createAnonymous) a new anonymous session. What customerApiRoot() uses.
   */
  async accessToken(options: AccessTokenOptions = {}): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const token = await this.#read(storage);
    if (!token) {
      if (options.createAnonymous === false) {
        throw new CtpSessionError(CtpErrorCode.NoSession, 'This shopper has no commercetools session: sign in, or call ensureAnonymous() first.');
      }
      return this.#startAnonymous(storage);
    }
    if (!needsRenewal(token, this.#d.clock.now())) return token;
    return this.#refresh(storage, token, false);
  }

  /**
   * Renews after the API refused `staleAccessToken` (401): in this shopper's own name, with the
   * session's refresh token. If another request already renewed it, that token is used.
   */
  async recover(staleAccessToken: string): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const token = await this.#read(storage);
    if (!token) throw new CtpSessionExpiredError('the session was cleared');
    if (token.accessToken !== staleAccessToken) return token;
    return this.#refresh(storage, token, true);
  }

  /**
   * Signs a customer in. Password grant with the `customer` scopes first (wrong credentials end
   * here, having changed nothing); then, if the session was anonymous, the backend sign-in with its
   * anonymousId so the cart moves to the customer; then the customer token is stored and the
   * previous tokens revoked. If the sign-in or the store fails, the anonymous session stays as it was.
   */
  async login(email: string, password: string, options: LoginOptions = {}): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const previous = await this.#read(storage);
    const customer = await this.#d.issuer.customer({ email, password, storeKey: options.storeKey });
    try {
      if (previous?.kind === 'anonymous' && previous.anonymousId !== undefined) {
        await this.#d.signIn.signIn({
          email,
          password,
          anonymousId: previous.anonymousId,
          anonymousCartSignInMode: options.anonymousCartSignInMode ?? 'MergeWithExistingCustomerCart',
          storeKey: options.storeKey,
        });
      }
      await this.#write(storage, customer);
    } catch (error) {
      await this.#revoke(customer, 'login-rollback');
      throw error;
    }
    this.#d.logger.info({ event: 'ctp.login', merged: previous?.kind === 'anonymous', store: options.storeKey !== undefined }, 'customer signed in');
    if (previous) {
      this.#loggedOut.add(previous.refreshToken);
      await this.#revoke(previous, 'login');
    }
    return customer;
  }

  /** Revokes the session's tokens and clears it; the clearing happens even if revoking fails. */
  async logout(): Promise<void> {
    const storage = this.#d.storage();
    const token = await this.#read(storage);
    if (!token) return;
    // Remembered first, so a refresh already in flight for this session cannot store its result.
    this.#loggedOut.add(token.refreshToken);
    try {
      await this.#clear(storage);
      await this.#coordinator.endSession(token.refreshToken);
    } finally {
      await this.#revoke(token, 'logout');
      this.#d.logger.info({ event: 'ctp.logout', kind: token.kind }, 'shopper signed out');
    }
  }

  async #startAnonymous(storage: SessionStorage): Promise<CtpAuthToken> {
    const token = await this.#anonymousStarts.run(storage.id ?? storage, () => this.#d.issuer.anonymous());
    // Another request may have stored a session meanwhile (a login, or the same start): keep that.
    const stored = await this.#read(storage);
    if (stored) return stored;
    await this.#write(storage, token);
    return token;
  }

  async #refresh(storage: SessionStorage, token: CtpAuthToken, force: boolean): Promise<CtpAuthToken> {
    let fresh: CtpAuthToken;
    try {
      fresh = await this.#refreshes.run(token.refreshToken, () =>
        this.#coordinator.refresh(
          token,
          () => this.#d.issuer.refresh(token),
          (candidate) => candidate.accessToken !== token.accessToken && !needsRenewal(candidate, this.#d.clock.now()),
        ),
      );
    } catch (error) {
      if (error instanceof CtpAuthUnavailableError && !force && !isExpired(token, this.#d.clock.now())) {
        this.#d.logger.warn({ event: 'ctp.renewal.deferred', kind: token.kind, code: error.code }, 'refresh failed; using the current token until it expires');
        return token;
      }
      if (isRefreshRefused(error)) {
        const refused = error;
        await this.#expiries.run(storage, async () => {
          const cleared = await this.#clearIfHolds(storage, token);
          if (cleared) this.#d.logger.warn({ event: 'ctp.session.expired', kind: token.kind, error: refused.error }, 'refresh refused; session cleared');
          return cleared;
        });
        throw new CtpSessionExpiredError(error.error ?? `status ${error.status}`, { cause: error });
      }
      if (error instanceof CtpSessionExpiredError) await this.#clearIfHolds(storage, token);
      throw error;
    }
    if (this.#loggedOut.has(token.refreshToken)) throw new CtpSessionExpiredError('signed out during the refresh');
    const stored = await this.#read(storage);
    if (!stored) throw new CtpSessionExpiredError('the session was cleared during the refresh');
    if (stored.refreshToken !== token.refreshToken) return stored;
    await this.#write(storage, fresh);
    return fresh;
  }

  /** Clears the session only if it still holds `token`'s refresh token; says whether it did. */
  async #clearIfHolds(storage: SessionStorage, token: CtpAuthToken): Promise<boolean> {
    const stored = await this.#read(storage);
    if (stored?.refreshToken !== token.refreshToken) return false;
    await this.#clear(storage);
    return true;
  }

  async #revoke(token: CtpAuthToken, reason: string): Promise<void> {
    const results = await Promise.allSettled([
      this.#d.oauth.revoke(token.refreshToken, 'refresh_token'),
      this.#d.oauth.revoke(token.accessToken, 'access_token'),
    ]);
    for (const result of results) {
      if (result.status === 'rejected') {
        const code = result.reason instanceof CtpError ? result.reason.code : 'UNKNOWN';
        this.#d.logger.warn({ event: 'ctp.revoke.failed', kind: token.kind, reason, code }, 'token revocation failed');
      }
    }
  }

  async #read(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    try {
      return await storage.get();
    } catch (cause) {
      throw storageError('read', cause);
    }
  }

  async #write(storage: SessionStorage, token: CtpAuthToken): Promise<void> {
    try {
      await storage.set(token);
    } catch (cause) {
      throw storageError('write', cause);
    }
  }

  async #clear(storage: SessionStorage): Promise<void> {
    try {
      await storage.clear();
    } catch (cause) {
      throw storageError('clear', cause);
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
