import type { FetchLike } from '../auth/AuthTransport';
import type { SharedTokenProvider } from '../tokens/SharedTokenProvider';
import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { AccountApi, type AccountRequest } from './AccountApi';

export type AnonymousCartSignInMode = 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';

export interface SignInRequest {
  email: string;
  password: string;
  anonymousId: string;
  anonymousCartSignInMode: AnonymousCartSignInMode;
  storeKey?: string | undefined;
}

export interface MergeCartRequest {
  customerId: string;
  anonymousId: string;
  mergeMode: AnonymousCartSignInMode;
  storeKey: string | undefined;
}

export interface CustomerSignInOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  timeoutMs: number;
  integration: SharedTokenProvider;
}

/**
 * Moves an anonymous session's carts and orders to the customer: the backend
 * `POST /{projectKey}/login` with the session's anonymousId, in the integration's name (its scope set
 * holds manage_customers). The password grant alone moves nothing. Sent through AccountApi, so the
 * password in the body can never end up in an SDK error, and the answer is bounded and redacted.
 */
export class CustomerSignIn {
  readonly #integration: SharedTokenProvider;
  readonly #api: AccountApi;

  constructor(options: CustomerSignInOptions) {
    this.#integration = options.integration;
    this.#api = new AccountApi(options);
  }

  /**
   * Gets the integration token ready (a grant if none is cached), so a sign-in that follows the
   * password grant does not wait for one more round trip: called alongside the password grant.
   * Never rejects; signIn() gets the token again and reports its failure.
   */
  prepare(): Promise<void> {
    return this.#integration.get().then(
      () => undefined,
      () => undefined,
    );
  }

  async signIn(request: SignInRequest): Promise<void> {
    const call: AccountRequest = {
      operation: 'sign-in',
      flow: 'login',
      method: 'POST',
      path: '/login',
      storeKey: request.storeKey,
      body: {
        email: request.email,
        password: request.password,
        anonymousId: request.anonymousId,
        anonymousCartSignInMode: request.anonymousCartSignInMode,
      },
      secrets: [request.password],
    };
    const answer = await this.#api.asIntegration(call);
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.apiCode === 'InvalidCredentials') throw new CtpInvalidCredentialsError({ status: answer.status });
    throw this.#api.failure(call, answer);
  }

  /**
   * Merge Cart, for a customer signed in at the app's identity provider (loginExternal: /login
   * cannot sign such customers in): the anonymous shopper's active cart goes to the customer, as
   * their active cart when they have none, else merged as `mergeMode` says. In the integration's
   * name (manage_orders); in the session's Store when it has one. A 404 means the anonymous shopper
   * has no cart: nothing to merge. Unlike /login it moves no orders.
   */
  async mergeCart(request: MergeCartRequest): Promise<void> {
    const call: AccountRequest = {
      operation: 'cart merge',
      flow: 'login',
      method: 'POST',
      path: `/carts/customer-id=${encodeURIComponent(request.customerId)}/merge`,
      storeKey: request.storeKey,
      body: { anonymousId: request.anonymousId, mergeMode: request.mergeMode, updateProductData: false },
      secrets: [],
      scope: 'manage_orders',
    };
    const answer = await this.#api.asIntegration(call);
    if ((answer.status >= 200 && answer.status < 300) || answer.status === 404) return;
    throw this.#api.failure(call, answer);
  }
}
