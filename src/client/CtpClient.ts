import type {
  ByProjectKeyAsAssociateByAssociateIdInBusinessUnitKeyByBusinessUnitKeyRequestBuilder,
  ByProjectKeyRequestBuilder,
  Cart,
} from '@commercetools/platform-sdk';
import { CtpArgumentError } from '../errors/CtpArgumentError';
import type { ShopperSession } from '../session/ShopperSession';
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
   * As the current request's shopper: the signed-in customer, or the anonymous session (started on first
   * use); never another token. A refused refresh clears the session (CTP_SESSION_EXPIRED). A 401 renews
   * this shopper's session only: if it was signed out or now holds another sign-in, the call fails.
   */
  customerApiRoot(options?: {
    /** Start an anonymous session when there is none (default true). */
    createAnonymous?: boolean;
    /** The Store the shopper is in, as for CtpSession.accessToken(). */
    storeKey?: string;
  }): Promise<ByProjectKeyRequestBuilder>;
  /**
   * B2B: the SDK's as-associate builder for the signed-in customer (else CTP_NO_SESSION) as the associate.
   * Calls carry the integration's token: the platform requires backend scopes there (`view_orders`,
   * `manage_orders`, `manage_quotes`...) and checks the associate's permissions in the business unit.
   */
  associateApiRoot(
    businessUnitKey: string,
  ): Promise<ByProjectKeyAsAssociateByAssociateIdInBusinessUnitKeyByBusinessUnitKeyRequestBuilder>;
  /** One shared read-only token for browsing visitors and crawlers; creates no session. */
  guestApiRoot(): Promise<ByProjectKeyRequestBuilder>;
  /**
   * Customer service acting for a shopper: `fn` gets a builder on the `customerService` token whose every
   * call carries `X-External-User-ID: agentId`. With `lockCart: true` the active cart is locked, handed to
   * `fn` and unlocked however `fn` ends (its error rethrown unchanged), at the latest at CART_LOCK_MAX_MS.
   * Bad arguments: CTP_INVALID_ARGUMENT, before any request. See docs/customer-service.md.
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
  /** Releases a cart's lock whoever holds it (one a crash left behind), as agentId; `released: false` if none. */
  releaseCartLock(cartId: string, options: { agentId: string }): Promise<{ released: boolean }>;
}

export function createCtpClient(
  integration: SharedTokenProvider,
  guest: SharedTokenProvider,
  session: ShopperSession,
  apiRoots: ApiRootFactory,
  customerService: CustomerService,
): CtpClient {
  const forSource = apiRoots.forSource.bind(apiRoots);
  return {
    integrationApiRoot: async () => forSource(await integration.source()),
    customerApiRoot: (options) => session.source(options).then(forSource),
    async associateApiRoot(businessUnitKey) {
      if (typeof businessUnitKey !== 'string' || !BUSINESS_UNIT_KEY.test(businessUnitKey))
        throw new CtpArgumentError(
          'businessUnitKey',
          'businessUnitKey must be a business unit key (2-256 letters, digits, _ or -).',
        );
      const associateId = await session.customerId();
      return forSource(await integration.source())
        .asAssociate()
        .withAssociateIdValue({ associateId })
        .inBusinessUnitKeyWithBusinessUnitKeyValue({ businessUnitKey });
    },
    guestApiRoot: async () => forSource(await guest.source()),
    // One implementation behind both overloads: with lockCart it always hands the callback a cart.
    actAsCustomer: customerService.actAsCustomer.bind(customerService) as CtpClient['actAsCustomer'],
    releaseCartLock: customerService.releaseCartLock.bind(customerService),
  };
}

const BUSINESS_UNIT_KEY = /^[A-Za-z0-9_-]{2,256}$/;
