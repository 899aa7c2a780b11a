import { accountCall, type AccountAnswer, type AccountApi } from '../session/AccountApi';
import type { CheckoutSession, ShopperCheckout } from '../session/ShopperCheckout';
import type { TokenSource } from '../tokens/TokenSource';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpArgumentError } from '../errors/CtpArgumentError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { CheckoutSessionCache, CachedCheckoutSession } from './CheckoutSessionCache';

export interface CheckoutSessionsOptions {
  /** The Checkout session host, in the name of the `checkout` token (manage_sessions only). */
  host: Pick<AccountApi, 'asIntegration'>;
  /** The API host, for reading the shopper's cart in the shopper's name. */
  api: Pick<AccountApi, 'send'>;
  applicationKey: string;
  cache: CheckoutSessionCache;
  clock: Clock;
  logger: Logger;
}

/** The browser needs minutes to load Checkout and the shopper to start paying: refreshed this long before expiry. */
export const CHECKOUT_RENEWAL_MARGIN_MS = 5 * 60_000;
/** The host's codes for a session that cannot be refreshed: a new one is created instead. */
const GONE = new Set(['ExpiredSession', 'expired_session', 'FailedToRefreshSession']);
const SESSION_ID = /^[\w-]{1,128}$/;
const CART_ID = /^[\w-]{1,256}$/;
/** The auth host's refusals of the checkout token's grant: the API client, not the moment, is at fault. */
const GRANT_REFUSED = new Set<string>([
  CtpErrorCode.InvalidClient,
  CtpErrorCode.InvalidScope,
  CtpErrorCode.ScopeMissing,
  CtpErrorCode.ScopeExcess,
  CtpErrorCode.AuthRejected,
]);

/**
 * Checkout sessions (commercetools Checkout) per cart and application, with a token of
 * manage_sessions alone: kept until shortly before they expire, then refreshed, and created anew
 * when the host says a session cannot be refreshed. Only the session's id leaves, never the token.
 */
export class CheckoutSessions {
  constructor(private readonly o: CheckoutSessionsOptions) {}

  /** The shopper's cart (the active one, or `cartId` checked as the shopper's), then its Checkout session. */
  readonly forShopper: ShopperCheckout = async (source, cartId) => {
    if (cartId !== undefined && (typeof cartId !== 'string' || !CART_ID.test(cartId)))
      throw new CtpArgumentError(
        'cartId',
        'cartId must be a cart id (1-256 letters, digits, _ or -), or left out for the active cart.',
      );
    const id = await this.#shopperCart(await source(), cartId);
    return this.forCart(id);
  };

  async forCart(cartId: string): Promise<CheckoutSession> {
    const key = `${this.o.applicationKey}:${cartId}`;
    const fresh = (s: CachedCheckoutSession) => s.expiresAt - CHECKOUT_RENEWAL_MARGIN_MS > this.o.clock.now();
    const session = await this.o.cache.once(key, fresh, async (stale) => {
      // Near or after its expiry a session is refreshed (the host creates anew only when it must, as
      // commercetools Frontend does); #refresh creates one when the host answers it cannot.
      if (stale === undefined) return this.#create(cartId);
      try {
        return await this.#refresh(stale, cartId);
      } catch (error) {
        // A session still valid serves on while the host is down; the next call tries again.
        if (CtpError.is(error, CtpErrorCode.CheckoutUnavailable) && stale.expiresAt > this.o.clock.now()) return stale;
        throw error;
      }
    });
    return { sessionId: session.sessionId, expiresAt: new Date(session.expiresAt) };
  }

  async #shopperCart(source: TokenSource, cartId: string | undefined): Promise<string> {
    const path = cartId === undefined ? '/me/active-cart' : `/me/carts/${encodeURIComponent(cartId)}`;
    const request = accountCall('checkout cart read', path, undefined);
    let answer = await this.#call(() => this.o.api.send(request, source.accessToken));
    // A 401: the token was revoked early; once more with one of the same lineage.
    if (answer.status === 401) {
      const recovered = await source.recover(source.accessToken);
      answer = await this.#call(() => this.o.api.send(request, recovered));
    }
    const id = answer.body?.['id'];
    if (answer.status === 200 && typeof id === 'string') return id;
    if (answer.status === 404)
      throw new CtpApiError(
        cartId === undefined
          ? 'The shopper has no active cart to check out; create one first.'
          : "The cart is not the shopper's (or does not exist); pass the shopper's own cart id, or none for the active cart.",
        { code: CtpErrorCode.CheckoutCartNotFound, status: 404, apiCode: answer.apiCode },
      );
    throw this.#failure(answer, 'reading the shopper’s cart');
  }

  async #create(cartId: string): Promise<CachedCheckoutSession> {
    const answer = await this.#post('/sessions', {
      cart: { cartRef: { id: cartId } },
      metadata: { applicationKey: this.o.applicationKey },
    });
    if (answer.status === 200 || answer.status === 201) return this.#session(answer);
    if (answer.apiCode === 'CartNotFound' || answer.status === 404)
      throw new CtpApiError('Checkout did not find the cart; it may have been ordered or deleted meanwhile.', {
        code: CtpErrorCode.CheckoutCartNotFound,
        status: answer.status,
        apiCode: answer.apiCode,
      });
    throw this.#failure(answer, 'creating a Checkout session');
  }

  async #refresh(stale: CachedCheckoutSession, cartId: string): Promise<CachedCheckoutSession> {
    const answer = await this.#post(`/sessions/${encodeURIComponent(stale.sessionId)}`, {
      actions: [{ action: 'refresh' }],
    });
    if (answer.status === 200) {
      const session = this.#session(answer);
      if (session.sessionId === stale.sessionId) return session;
    }
    if (answer.errors.some((e) => GONE.has(String(e['code']))) || answer.status === 404) {
      this.o.logger.info(
        { event: 'ctp.checkout.recreated', code: answer.apiCode },
        'Checkout session not refreshable: created anew',
      );
      return this.#create(cartId);
    }
    throw this.#failure(answer, 'refreshing a Checkout session');
  }

  #post(path: string, body: unknown): Promise<AccountAnswer> {
    return this.#call(() => this.o.host.asIntegration(accountCall('Checkout session request', path, undefined, body)));
  }

  /** No usable answer (network, deadline, redirect, too large), or no checkout token granted. */
  async #call(send: () => Promise<AccountAnswer>): Promise<AccountAnswer> {
    try {
      return await send();
    } catch (cause) {
      if (CtpError.is(cause) && GRANT_REFUSED.has(cause.code))
        throw new CtpApiError(
          'The auth server would not grant the checkout token (the cause is in .cause); check that the API client holds manage_sessions.',
          { code: CtpErrorCode.CheckoutRefused, status: 502, cause },
        );
      throw new CtpApiError(
        'Checkout could not be reached or did not answer in time (the cause is in .cause); try again.',
        { code: CtpErrorCode.CheckoutUnavailable, status: 502, cause },
      );
    }
  }

  #session(answer: AccountAnswer): CachedCheckoutSession {
    const id = answer.body?.['id'];
    const expiry = answer.body?.['expiryAt'];
    const expiresAt = typeof expiry === 'string' ? Date.parse(expiry) : Number.NaN;
    if (typeof id !== 'string' || !SESSION_ID.test(id) || !(expiresAt > this.o.clock.now()))
      throw new CtpApiError(
        'Checkout answered something that is not a session (no id, or no expiryAt in the future); check CTP_CHECKOUT_URL.',
        { code: CtpErrorCode.CheckoutAnswerInvalid, status: 502 },
      );
    return { sessionId: id, expiresAt };
  }

  #failure(answer: AccountAnswer, doing: string): CtpApiError {
    const unavailable = answer.status >= 500 || answer.status === 429;
    return new CtpApiError(
      unavailable
        ? `Checkout failed while ${doing} (status ${answer.status}); try again.`
        : `Checkout refused ${doing} (status and code in .status and .apiCode); check that the API client holds manage_sessions and the checkout option's applicationKey.`,
      {
        code: unavailable ? CtpErrorCode.CheckoutUnavailable : CtpErrorCode.CheckoutRefused,
        status: answer.status,
        apiCode: answer.apiCode,
      },
    );
  }
}
