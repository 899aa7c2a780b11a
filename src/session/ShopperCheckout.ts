import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { TokenSource } from '../tokens/TokenSource';

/** What a shopper's browser gets: the session's id for the Checkout Browser SDK, and when it ends. */
export interface CheckoutSession {
  sessionId: string;
  expiresAt: Date;
}

/** How the session asks for a shopper's Checkout session: CheckoutSessions.forShopper, or checkoutNotConfigured. */
export type ShopperCheckout = (
  source: () => Promise<TokenSource>,
  cartId: string | undefined,
) => Promise<CheckoutSession>;

/** Without the `checkout` option: refuses before touching the session. */
export const checkoutNotConfigured: ShopperCheckout = () =>
  Promise.reject(
    new CtpError(
      CtpErrorCode.CheckoutNotConfigured,
      'checkoutSession() needs commercetools Checkout configured: set the checkout option ({ applicationKey }) or CTP_CHECKOUT_APPLICATION_KEY.',
    ),
  );
