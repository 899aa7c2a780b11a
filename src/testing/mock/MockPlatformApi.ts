import { endpointRefusal } from '../auth/endpointScopes';
import { apiRefusal, invalidToken, toResponse } from '../auth/fakeAnswers';
import type { TokenOwner } from '../auth/StrictAuth';
import { MockAccounts } from './MockAccounts';
import { MockBusinessUnits, type MockBusinessUnit } from './MockBusinessUnits';
import { MockCarts } from './MockCarts';
import { mergeCart } from './mergeCart';
import { MockCatalog, type MockCategory, type MockProduct } from './MockCatalog';
import type { MockIdentity } from './MockCommercetools';
import { splitStore, type MockAccountCustomer, type MockApiCall, type MockApiContext } from './mockApi';
import { MockOrders } from './MockOrders';

/** The identity a test sees for a token owner (no client id, no refresh token). */
export function identityOf(owner: TokenOwner | undefined): MockIdentity | undefined {
  if (!owner) return undefined;
  const { kind, scopes, customerId, anonymousId } = owner;
  // The Store of an in-store grant, or of store-scoped anonymous scopes (`name:projectKey:storeKey`).
  const storeKey = owner.storeKey ?? scopes.map((s) => s.split(':')[2]).find((store) => store !== undefined);
  return {
    kind,
    scopes,
    ...(customerId ? { customerId } : {}),
    ...(anonymousId ? { anonymousId } : {}),
    ...(storeKey ? { storeKey } : {}),
  };
}

export interface MockApiOptions {
  projectKey: string;
  /** The customers, shared and mutable (sign-ups add to it, password changes write to it). */
  customers: MockAccountCustomer[];
  now: () => number;
  /** Revokes every token of a customer (a password reset does this on the platform). */
  revokeCustomerTokens: (customerId: string) => void;
  categories?: readonly MockCategory[] | undefined;
  products?: readonly MockProduct[] | undefined;
  businessUnits?: readonly MockBusinessUnit[] | undefined;
}

/** One API request: its full URL, the path after `/{projectKey}`, the parsed JSON body. */
export interface MockApiRequest {
  method: string;
  url: string;
  apiPath: string;
  json: unknown;
  /** Header names in lower case; only X-External-User-ID is read (attribution). */
  headers?: Record<string, string | string[] | undefined>;
}

/** Who answered a request: useful to a fake that counts account calls apart from resource calls. */
export type MockApiAnswerer = 'token' | 'scope' | 'associate' | 'script' | 'login' | 'account' | 'resource';

/**
 * The resource API of the mocked commercetools, as one piece both transports share (the mocked fetch
 * of createMockCommercetools and the library's own HTTP server): accounts, business units, the
 * catalogue, carts and orders, the backend sign-in (`/login`, moving the anonymous cart), each
 * behind the token check and the endpoint's scopes, which come first, so that nothing skips them.
 */
export class MockPlatformApi {
  readonly accounts: MockAccounts;
  readonly businessUnits: MockBusinessUnits;
  readonly catalog: MockCatalog;
  readonly carts: MockCarts;
  readonly orders: MockOrders;
  readonly #projectKey: string;
  readonly #context: MockApiContext;

  constructor(options: MockApiOptions) {
    this.#projectKey = options.projectKey;
    const json = (body: unknown, status = 200): Response => toResponse({ status, body });
    this.#context = { projectKey: options.projectKey, customers: options.customers, now: options.now, json };
    this.catalog = new MockCatalog(this.#context, options.categories, options.products);
    this.carts = new MockCarts(this.#context, this.catalog);
    this.orders = new MockOrders(this.#context, this.carts);
    this.accounts = new MockAccounts({
      ...this.#context,
      revokeCustomerTokens: options.revokeCustomerTokens,
      signInCart: (customerId, anonymousId, mode, storeKey) =>
        this.#signInCart(customerId, anonymousId, mode, storeKey),
    });
    this.businessUnits = new MockBusinessUnits(this.#context, options.businessUnits);
  }

  /**
   * The answer to an API request whose bearer belongs to `owner` (undefined: unknown, expired or
   * revoked), with who answered; undefined when nothing does (the caller answers 404). `script`, when
   * given, may answer after the checks and before the built-in resources.
   */
  async answer<R extends MockApiRequest>(
    request: R,
    owner: TokenOwner | undefined,
    script?: (request: R) => Promise<Response | undefined>,
  ): Promise<{ response: Response; by: MockApiAnswerer } | undefined> {
    const identity = identityOf(owner);
    if (!owner || !identity) return { response: toResponse(invalidToken()), by: 'token' };
    const { method, apiPath, json } = request;
    const refused = endpointRefusal(this.#projectKey, method, apiPath, owner);
    if (refused) return { response: toResponse(refused), by: 'scope' };
    const notAssociate = this.businessUnits.guard(method, apiPath, identity);
    if (notAssociate) return { response: notAssociate, by: 'associate' };
    const scripted = script ? await script(request) : undefined;
    if (scripted) return { response: scripted, by: 'script' };
    const signIn = method === 'POST' ? apiPath.match(/^(?:\/in-store\/key=([^/]+))?\/login$/) : null;
    if (signIn) return { response: this.#login(json, signIn[1]), by: 'login' };
    const account =
      this.accounts.answer(method, apiPath, identity, json) ??
      this.businessUnits.answer(method, apiPath, identity, json);
    if (account) return { response: account, by: 'account' };
    const call: MockApiCall = {
      method,
      ...splitStore(apiPath),
      query: new URL(request.url).searchParams,
      identity,
      body: typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {},
      clientId: owner.clientId,
      ...externalUserIdOf(request.headers),
    };
    const resource =
      this.catalog.answer(call) ??
      mergeCart(this.#context, this.carts, call) ??
      this.carts.answer(call) ??
      this.orders.answer(call);
    return resource ? { response: resource, by: 'resource' } : undefined;
  }

  /** A sign-in or sign-up naming the anonymous shopper moves their cart and orders to the customer. */
  #signInCart(customerId: string, anonymousId: unknown, mode: unknown, storeKey: string | undefined) {
    this.orders.signIn(customerId, anonymousId);
    return this.carts.signIn(customerId, anonymousId, mode, storeKey);
  }

  /** The backend sign-in (`POST /login`, in a Store or not). */
  #login(json: unknown, storeKey: string | undefined): Response {
    const body = (json ?? {}) as { email?: string; password?: string; anonymousId?: string };
    const customer = this.accounts.findForSignIn(body.email, storeKey);
    if (!customer || customer.password !== body.password)
      return toResponse(apiRefusal(400, 'InvalidCredentials', 'Account with the given credentials not found.'));
    // The platform's CustomerSignInResult: the customer and their active cart (the anonymous one moved in first).
    const cart = this.#signInCart(
      customer.id,
      body.anonymousId,
      (body as Record<string, unknown>)['anonymousCartSignInMode'],
      storeKey,
    );
    return this.#context.json({ customer: this.accounts.customerBody(customer), ...(cart ? { cart } : {}) });
  }
}

function externalUserIdOf(headers: MockApiRequest['headers']): { externalUserId?: string } {
  const value = headers?.['x-external-user-id'];
  return typeof value === 'string' ? { externalUserId: value } : {};
}
