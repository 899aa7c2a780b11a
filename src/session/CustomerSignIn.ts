import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { AccountApi, type AccountApiOptions, type AccountRequest } from './AccountApi';

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

/**
 * Moves an anonymous session's carts and orders to the customer: the backend
 * `POST /{projectKey}/login` with the session's anonymousId, in the integration's name (its scope set
 * holds manage_customers). The password grant alone moves nothing.
 */
export class CustomerSignIn {
  readonly #api: AccountApi;

  constructor(private readonly options: AccountApiOptions) {
    this.#api = new AccountApi(options);
  }

  /**
   * Gets the integration token ready alongside the password grant, so the sign-in that follows does
   * not wait one more round trip. Never rejects; signIn() gets the token again and reports its failure.
   */
  prepare(): Promise<void> {
    return this.options.integration.get().then(
      () => undefined,
      () => undefined,
    );
  }

  async signIn({ email, password, anonymousId, anonymousCartSignInMode, storeKey }: SignInRequest): Promise<void> {
    const call: AccountRequest = {
      operation: 'sign-in',
      flow: 'login',
      method: 'POST',
      path: '/login',
      storeKey,
      body: { email, password, anonymousId, anonymousCartSignInMode },
      secrets: [password],
    };
    const answer = await this.#api.asIntegration(call);
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.apiCode === 'InvalidCredentials') throw new CtpInvalidCredentialsError({ status: answer.status });
    throw this.#api.failure(call, answer);
  }

  /**
   * Merge Cart, for a customer signed in at the app's identity provider (loginExternal: /login
   * cannot sign such customers in), in the integration's name (manage_orders). A 404 means the
   * anonymous shopper has no cart: nothing to merge. Unlike /login it moves no orders.
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
