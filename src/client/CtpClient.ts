import type {
  ByProjectKeyAsAssociateByAssociateIdInBusinessUnitKeyByBusinessUnitKeyRequestBuilder,
  ByProjectKeyRequestBuilder,
  Cart,
} from '@commercetools/platform-sdk';
import { CtpArgumentError } from '../errors/CtpArgumentError';
import type { ShopperSession } from '../session/ShopperSession';
import type { TokenSource } from '../tokens/TokenSource';
import type { ApiRootFactory } from './ApiRootFactory';
import type { ActAsCustomerOptions, ActingForCustomer, CustomerService } from './CustomerService';
import type { SharedTokenProvider } from '../tokens/SharedTokenProvider';

/**
 * What datasources inject as `'CtpClient'`: the platform SDK's request builder in one of four names.
 *
 * @example
 * const apiRoot = await this.ctpClient.customerApiRoot();
 * const { body: cart } = await apiRoot.me().carts().withId({ ID: cartId }).get().execute();
 */
export interface CtpClient {
  /** As the integration itself (client credentials, the `integration` scope set). */
  integrationApiRoot(): Promise<ByProjectKeyRequestBuilder>;
  /**
   * As the current request's shopper: the logged-in customer, or the anonymous session, which is
   * started on first use. Never falls back to another token; a session whose refresh token is refused
   * is cleared and raises CTP_SESSION_EXPIRED. A 401 on a call of this builder renews this shopper's
   * session only; if the session was signed out or now holds another sign-in, the call fails.
   */
  customerApiRoot(options?: {
    /** Start an anonymous session when there is none (default true). */
    createAnonymous?: boolean;
    /** The Store the shopper is in, as for CtpSession.accessToken(). */
    storeKey?: string;
  }): Promise<ByProjectKeyRequestBuilder>;
  /**
   * B2B: the SDK's as-associate builder (`/as-associate/{associateId}/in-business-unit/key={key}/`:
   * carts, orders, quotes, quote requests, shopping lists) for the signed-in customer. The associate
   * id is the verified session's customer id and nothing else (a caller cannot pass one), and the
   * calls carry the integration's token: the platform requires backend scopes there
   * (`view_orders`/`manage_orders` for carts and orders, `manage_quote_requests`/`manage_quotes`
   * for quotes) and checks the associate's permissions in the business unit itself.
   * CTP_NO_SESSION if the session is not a signed-in customer.
   */
  associateApiRoot(
    businessUnitKey: string,
  ): Promise<ByProjectKeyAsAssociateByAssociateIdInBusinessUnitKeyByBusinessUnitKeyRequestBuilder>;
  /** One shared read-only token for browsing visitors and crawlers; creates no session. */
  guestApiRoot(): Promise<ByProjectKeyRequestBuilder>;
  /**
   * Customer service acting for a shopper: `fn` gets a project-scoped builder on the integration-side
   * `customerService` token (never a customer's token) whose every call carries
   * `X-External-User-ID: agentId`. With `lockCart: true` the customer's active cart is locked first
   * (CTP_CART_NOT_FOUND if there is none, CTP_CART_LOCKED if another holds it) and handed to `fn` as
   * `cart`; it is unlocked after `fn` resolves or throws (its error rethrown unchanged), and at the
   * latest at the call context's deadline or CART_LOCK_MAX_MS (then CTP_CART_LOCK_TIMEOUT). Arguments
   * are checked before any request (CTP_INVALID_ARGUMENT). See docs/customer-service.md.
   *
   * @example
   * await ctpClient.actAsCustomer(customerId, { agentId: 'agent-7', lockCart: true }, ({ apiRoot, cart }) =>
   *   apiRoot.carts().withId({ ID: cart.id }).post({ body: { version: cart.version, actions } }).execute());
   */
  actAsCustomer<T>(
    customerId: string,
    options: ActAsCustomerOptions & { lockCart: true },
    fn: (acting: ActingForCustomer & { cart: Cart }) => Promise<T>,
  ): Promise<T>;
  /** Without `lockCart: true`, `cart` is undefined. */
  actAsCustomer<T>(
    customerId: string,
    options: ActAsCustomerOptions,
    fn: (acting: ActingForCustomer) => Promise<T>,
  ): Promise<T>;
  /**
   * Releases a cart's lock whoever holds it (a lock left behind by a crashed process); `{ released:
   * false }` when the cart is not locked. The call carries `X-External-User-ID: agentId`.
   */
  releaseCartLock(cartId: string, options: { agentId: string }): Promise<{ released: boolean }>;
}

/** The CtpClient on the services' shared tokens, the shopper's session and the engine's builders. */
export function createCtpClient(
  integration: SharedTokenProvider,
  guest: SharedTokenProvider,
  session: ShopperSession,
  apiRoots: ApiRootFactory,
  customerService: CustomerService,
): CtpClient {
  const forSource = (source: TokenSource): ByProjectKeyRequestBuilder => apiRoots.forSource(source);
  return {
    integrationApiRoot: async () => forSource(await integration.source()),
    customerApiRoot: (options) => session.source(options).then(forSource),
    async associateApiRoot(businessUnitKey) {
      if (typeof businessUnitKey !== 'string' || !BUSINESS_UNIT_KEY.test(businessUnitKey)) {
        throw new CtpArgumentError(
          'businessUnitKey',
          'businessUnitKey must be a business unit key (2-256 letters, digits, _ or -).',
        );
      }
      const associateId = await session.customerId();
      const root = forSource(await integration.source());
      return root
        .asAssociate()
        .withAssociateIdValue({ associateId })
        .inBusinessUnitKeyWithBusinessUnitKeyValue({ businessUnitKey });
    },
    guestApiRoot: async () => forSource(await guest.source()),
    // One implementation behind both overloads: with lockCart it always hands the callback a cart.
    actAsCustomer: ((
      customerId: string,
      options: ActAsCustomerOptions,
      fn: (acting: ActingForCustomer) => Promise<unknown>,
    ) => customerService.actAsCustomer(customerId, options, fn)) as CtpClient['actAsCustomer'],
    releaseCartLock: (cartId, options) => customerService.releaseCartLock(cartId, options),
  };
}

const BUSINESS_UNIT_KEY = /^[A-Za-z0-9_-]{2,256}$/;
