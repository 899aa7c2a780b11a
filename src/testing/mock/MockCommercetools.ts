import type { FakeExternalOAuth } from '../auth/ExternalOAuth';
import type { FakeApiClient } from '../auth/StrictAuth';
import type { FakeCheckoutSession } from '../checkout/FakeCheckoutHost';
import type { MockAccountCustomer } from './mockApi';
import type { MockBusinessUnit } from './MockBusinessUnits';
import type { MockCategory, MockProduct } from './MockCatalog';

/** The options and the handle of createMockCommercetools. */

export interface MockCustomer {
  email: string;
  password: string;
  /** Default: `customer-<n>`. */
  id?: string;
  /** A customer of this Store (signs in through the Store's in-store endpoints only); default global. */
  storeKey?: string;
}

export interface MockCommercetoolsOptions {
  /** Default `test-project`. */
  projectKey?: string;
  clientId?: string;
  clientSecret?: string;
  /** Default `https://auth.mock.test`. */
  authUrl?: string;
  /** Default `https://api.mock.test`. */
  apiUrl?: string;
  /** Default: one, alice@example.com. */
  customers?: readonly MockCustomer[];
  /**
   * The scopes the API client holds (without `:projectKey`); a grant asking for another, or for a
   * scope commercetools does not know, answers 400 invalid_scope, as the platform does. Default:
   * every scope is held. API calls need the scopes commercetools' API reference names (403
   * insufficient_scope), in-store `/me` calls the plain scope or that Store's.
   */
  clientScopes?: readonly string[];
  /** More API clients the auth host knows (each token is bound to the client that got it). */
  otherClients?: readonly FakeApiClient[];
  /** Access-token lifetime in seconds (the platform's default, 2 days); tokens expire on the mock's clock. */
  expiresIn?: number;
  /** Business units and their associates, for the as-associate endpoints (associateApiRoot). */
  businessUnits?: readonly MockBusinessUnit[];
  /**
   * The catalogue the API answers by itself (categories by id, `key=` and query; products and
   * product projections likewise). Carts take their line items' prices from these products.
   */
  categories?: readonly MockCategory[];
  /** The products the API answers by itself; carts price their line items from these. */
  products?: readonly MockProduct[];
  /**
   * commercetools Checkout: the mock also answers its session host (default `https://session.mock.test`)
   * and `env` carries CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL. Sessions need a token holding
   * `manage_sessions` (403 without) and an active cart (CartNotFound), last an hour on the mock's clock,
   * refresh with the `refresh` action and answer `ExpiredSession` after.
   */
  checkout?: { applicationKey: string; url?: string };
  /**
   * The project's External OAuth: a bearer token the mock's auth host did not issue is accepted only
   * when `introspect` (the app's endpoint, or its `verify` wrapped) answers within 500 ms `active:
   * true` with an `exp` still ahead; the token then holds the answer's `name:{projectKey}` scopes and
   * `customer_id:{id}` binds `/me` to that customer. Otherwise 401 (`ExternalOAuthFailed` when the
   * endpoint failed or was too slow). Answers are not cached: a token the provider revoked is refused at once.
   */
  externalOAuth?: FakeExternalOAuth;
  /** The mock's clock, for the expiry of access tokens and of reset and verification tokens (default Date.now). */
  now?: () => number;
}

/** Who a request's bearer token belongs to. */
export interface MockIdentity {
  kind: 'client' | 'anonymous' | 'customer';
  scopes: string[];
  customerId?: string;
  anonymousId?: string;
  /** The Store of an in-store grant (or of store-scoped anonymous scopes). */
  storeKey?: string;
}

export interface MockRequest {
  method: string;
  url: string;
  /** The URL's path, e.g. `/test-project/me/carts/cart-1`. */
  path: string;
  /** The path after `/{projectKey}` on the API host (`/me/carts/cart-1`); the full path on the auth host. */
  apiPath: string;
  host: 'auth' | 'api' | 'checkout';
  headers: Record<string, string>;
  body: string;
  /** The JSON body, parsed, when there is one. */
  json: unknown;
  /** The form body (auth requests). */
  form: URLSearchParams;
  /** API requests: the bearer token's owner; undefined when the token is unknown or revoked. */
  identity: MockIdentity | undefined;
}

/** A JSON body (answered with the script's status), a Response, or a function of the request giving either. */
export type MockAnswer = ((request: MockRequest) => unknown) | Response | object | string | number | boolean | null;

export interface MockCommercetools {
  /** Pass as `ctpModule(config, { fetch })` / `createCtpServices(config, { fetch })`. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Every request, in order. */
  requests: MockRequest[];
  /** Ready CTP_* variables: `loadCtpConfig(mock.env)`. */
  env: Record<'CTP_PROJECT_KEY' | 'CTP_CLIENT_ID' | 'CTP_CLIENT_SECRET' | 'CTP_AUTH_URL' | 'CTP_API_URL', string> &
    Partial<Record<'CTP_CHECKOUT_APPLICATION_KEY' | 'CTP_CHECKOUT_URL', string>>;
  projectKey: string;
  /** The customers, with those signed up meanwhile; passwords as changed or reset. */
  customers: readonly MockAccountCustomer[];
  /**
   * Scripts an API answer. `path` is relative to the project (`/categories/cat-1`), exact or a
   * RegExp; later scripts win over earlier ones and over the built-in resources (accounts, business
   * units, catalogue, carts, orders). Other API requests answer 404 ResourceNotFound.
   */
  on(method: string, path: string | RegExp, answer: MockAnswer, status?: number): MockCommercetools;
  /** The grants made, by flow. */
  grants(flow?: 'client_credentials' | 'anonymous' | 'password' | 'refresh_token'): MockRequest[];
  /**
   * Revokes one access or refresh token as if its session ended elsewhere (an access token's next
   * use answers 401, a refresh token's 400 invalid_grant); the other token of the pair stays live.
   */
  revoke(token: string): void;
  /**
   * Whether a token still works: an access token is live until it expires on the mock's clock or is
   * revoked, a refresh token until it is revoked (by a logout, `revoke()` or a password reset).
   */
  isLive(token: string): boolean;
  /** Who a live access token belongs to, as `requests[].identity` shows it; undefined otherwise. */
  identityOf(accessToken: string): MockIdentity | undefined;
  /** Every access and refresh token issued so far, e.g. to check that none reached a log. */
  issuedTokens: readonly string[];
  /** Adds (or replaces) a business unit, e.g. for a customer who signed up during the test. */
  addBusinessUnit(unit: MockBusinessUnit): MockCommercetools;
  /** The Checkout sessions created, by id (with the cart, application, expiry and the scopes of the token that created each). */
  checkoutSessions: ReadonlyMap<string, FakeCheckoutSession>;
  /** Whether the customer confirmed the email with a verification token. */
  isEmailVerified(customerId: string): boolean;
}
