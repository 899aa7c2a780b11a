import { randomBytes } from 'node:crypto';
import {
  holdsScope,
  mockError,
  sameEmail,
  type MockAccountCustomer,
  type MockApiContext,
  type MockApiIdentity,
} from './mockApi';

export type { MockAccountCustomer } from './mockApi';

export interface MockAccountsContext extends MockApiContext {
  now: () => number;
  /** Revokes every access and refresh token of a customer (a password reset does this on the platform). */
  revokeCustomerTokens: (customerId: string) => void;
  /** A sign-up with `anonymousId`: moves the anonymous shopper's cart and orders; the customer's active cart then. */
  signInCart?: (
    customerId: string,
    anonymousId: unknown,
    mode: unknown,
    storeKey: string | undefined,
  ) => Record<string, unknown> | undefined;
}

interface AccountToken {
  kind: 'password' | 'email';
  customerId: string;
  storeKey: string | undefined;
  expiresAt: number;
  used: boolean;
}

/**
 * The account and Store endpoints of the mocked commercetools (createMockCommercetools),
 * answered as the platform answers them, so that an app's unit tests can run every CtpSession
 * account operation without scripting the API: sign-up (`POST /customers`), the shopper's own
 * profile and password (`GET /me`, `POST /me/password`), reset and verification tokens (single use,
 * expiring, older ones invalidated when one is used), each under `/in-store/key={storeKey}` too.
 *
 * Store rules as on the platform: a customer created in a Store is that Store's; an in-store call sees
 * the Store's customers and the global ones (an in-store sign-in of a customer of another Store is
 * refused as invalid credentials); a project-level sign-in sees global customers only, the other
 * project-level backend calls every customer.
 */
export class MockAccounts {
  readonly #c: MockAccountsContext;
  readonly #tokens = new Map<string, AccountToken>();
  readonly #versions = new Map<string, number>();
  readonly #verified = new Set<string>();
  #seq = 0;

  constructor(context: MockAccountsContext) {
    this.#c = context;
  }

  /** Whether a customer confirmed the email (for tests' assertions). */
  isEmailVerified(customerId: string): boolean {
    return this.#verified.has(customerId);
  }

  /** The customer a password grant or backend sign-in may sign in: in a Store, that Store's and the global ones. */
  findForSignIn(email: unknown, storeKey: string | undefined): MockAccountCustomer | undefined {
    const c = this.#c.customers.find((x) => sameEmail(x.email, email));
    return c && (c.storeKey === undefined || c.storeKey === storeKey) ? c : undefined;
  }

  /** The built-in answer of an account route, or undefined when the path is none of them. */
  answer(method: string, apiPath: string, identity: MockApiIdentity, body: unknown): Response | undefined {
    const inStore = apiPath.match(/^\/in-store\/key=([^/]+)(\/.*)$/);
    const storeKey = inStore?.[1];
    const path = inStore?.[2] ?? apiPath;
    const route = `${method} ${path}`;
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (route === 'GET /me' || route === 'POST /me/password') {
      if (identity.kind !== 'customer')
        return mockError(this.#c, 403, 'insufficient_scope', 'A customer token is needed.');
      if (!holdsScope(this.#c, identity, storeKey, ['manage_my_profile', 'view_my_profile']))
        return mockError(this.#c, 403, 'insufficient_scope', 'Insufficient scope: manage_my_profile.');
      const customer = this.#c.customers.find((c) => c.id === identity.customerId);
      if (!customer || (storeKey !== undefined && customer.storeKey !== undefined && customer.storeKey !== storeKey))
        return mockError(this.#c, 404, 'ResourceNotFound', 'The Customer was not found.');
      const version = this.#versions.get(customer.id) ?? 1;
      if (route === 'GET /me') return this.#c.json(this.customerBody(customer));
      if (input['version'] !== version)
        return mockError(
          this.#c,
          409,
          'ConcurrentModification',
          `Object ${customer.id} has a different version than expected. Expected: ${String(input['version'])} - Actual: ${version}.`,
          { currentVersion: version },
        );
      if (input['currentPassword'] !== customer.password)
        return mockError(this.#c, 400, 'InvalidCurrentPassword', 'The given current password does not match.');
      if (typeof input['newPassword'] !== 'string' || input['newPassword'] === '')
        return mockError(this.#c, 400, 'InvalidJsonInput', 'newPassword is required.', { field: 'newPassword' });
      customer.password = input['newPassword'];
      this.#versions.set(customer.id, version + 1);
      return this.#c.json(this.customerBody(customer));
    }

    const backend = [
      'POST /customers',
      'POST /customers/password-token',
      'POST /customers/password/reset',
      'POST /customers/email-token',
      'POST /customers/email/confirm',
    ];
    const customerRead = method === 'GET' ? path.match(/^\/customers\/([^/]+)$/) : null;
    if (!backend.includes(route) && !customerRead) return undefined;
    if (identity.kind !== 'client')
      return mockError(this.#c, 403, 'insufficient_scope', 'An API client token is needed.');
    if (customerRead) {
      if (!holdsScope(this.#c, identity, storeKey, ['view_customers', 'manage_customers']))
        return mockError(this.#c, 403, 'insufficient_scope', 'Insufficient scope: view_customers.');
      const customer = this.#c.customers.find((c) => c.id === decodeURIComponent(customerRead[1] ?? ''));
      return customer && this.#inScope(customer, storeKey)
        ? this.#c.json(this.customerBody(customer))
        : mockError(this.#c, 404, 'ResourceNotFound', 'The Customer was not found.');
    }
    if (!holdsScope(this.#c, identity, storeKey, ['manage_customers']))
      return mockError(this.#c, 403, 'insufficient_scope', 'Insufficient scope: manage_customers.');
    if (route === 'POST /customers') return this.#signUp(input, storeKey);
    if (route === 'POST /customers/password-token' || route === 'POST /customers/email-token') {
      const kind = route.endsWith('password-token') ? 'password' : 'email';
      const customer =
        kind === 'password'
          ? this.#c.customers.find((c) => sameEmail(c.email, input['email']))
          : this.#c.customers.find((c) => c.id === input['id']);
      if (!customer || !this.#inScope(customer, storeKey))
        return mockError(this.#c, 404, 'ResourceNotFound', 'The Customer was not found.');
      if (kind === 'email' && typeof input['ttlMinutes'] !== 'number')
        return mockError(this.#c, 400, 'InvalidJsonInput', 'ttlMinutes is required.', { field: 'ttlMinutes' });
      const ttl = typeof input['ttlMinutes'] === 'number' ? input['ttlMinutes'] : 24 * 60;
      if (input['invalidateOlderTokens'] === true)
        for (const t of this.#tokens.values()) if (t.customerId === customer.id && t.kind === kind) t.used = true;
      const value = `mock-${kind}-token-${randomBytes(12).toString('hex')}`;
      const now = this.#c.now();
      const expiresAt = now + ttl * 60_000;
      this.#tokens.set(value, { kind, customerId: customer.id, storeKey, expiresAt, used: false });
      return this.#c.json({
        id: `customer-token-${(this.#seq += 1)}`,
        customerId: customer.id,
        value,
        expiresAt: new Date(expiresAt).toISOString(),
        createdAt: new Date(now).toISOString(),
      });
    }
    // password/reset or email/confirm
    const kind = route.endsWith('reset') ? 'password' : 'email';
    const token = this.#tokens.get(String(input['tokenValue']));
    if (!token || token.kind !== kind || token.used || token.storeKey !== storeKey)
      return mockError(
        this.#c,
        404,
        'ResourceNotFound',
        `The Customer with ${kind === 'password' ? 'password' : 'email'} token was not found.`,
      );
    if (token.expiresAt <= this.#c.now()) {
      return mockError(
        this.#c,
        400,
        kind === 'password' ? 'ExpiredCustomerPasswordToken' : 'ExpiredCustomerEmailToken',
        'The token expired.',
      );
    }
    const customer = this.#c.customers.find((c) => c.id === token.customerId);
    if (!customer) return mockError(this.#c, 404, 'ResourceNotFound', 'The Customer was not found.');
    if (kind === 'password' && (typeof input['newPassword'] !== 'string' || input['newPassword'] === ''))
      return mockError(this.#c, 400, 'InvalidJsonInput', 'newPassword is required.', { field: 'newPassword' });
    // Using a token invalidates it and every older one of the customer of that kind.
    for (const t of this.#tokens.values()) if (t.customerId === customer.id && t.kind === kind) t.used = true;
    if (kind === 'password') {
      customer.password = String(input['newPassword']);
      // The platform revokes the customer's password-flow and refresh-flow tokens on a reset.
      this.#c.revokeCustomerTokens(customer.id);
    } else {
      this.#verified.add(customer.id);
    }
    this.#versions.set(customer.id, (this.#versions.get(customer.id) ?? 1) + 1);
    return this.#c.json(this.customerBody(customer));
  }

  #signUp(draft: Record<string, unknown>, storeKey: string | undefined): Response {
    const email = draft['email'];
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))
      return mockError(
        this.#c,
        400,
        'InvalidJsonInput',
        'Request body does not contain valid JSON: email is missing or invalid.',
        { field: 'email' },
      );
    if (typeof draft['password'] !== 'string' || draft['password'] === '')
      return mockError(
        this.#c,
        400,
        'InvalidJsonInput',
        'Request body does not contain valid JSON: password is missing.',
        { field: 'password' },
      );
    if (this.#c.customers.some((c) => sameEmail(c.email, email))) {
      return mockError(
        this.#c,
        400,
        'DuplicateField',
        'There is already an existing customer with the provided email.',
        { field: 'email', duplicateValue: email },
      );
    }
    const id = `customer-${this.#c.customers.length + 1}-${randomBytes(4).toString('hex')}`;
    const customer: MockAccountCustomer = {
      email,
      password: draft['password'],
      id,
      ...(storeKey === undefined ? {} : { storeKey }),
    };
    this.#c.customers.push(customer);
    const names = Object.fromEntries(
      ['firstName', 'lastName', 'key', 'locale'].filter((f) => typeof draft[f] === 'string').map((f) => [f, draft[f]]),
    );
    const cart = this.#c.signInCart?.(id, draft['anonymousId'], draft['anonymousCartSignInMode'], storeKey);
    return this.#c.json({ customer: { ...this.customerBody(customer), ...names }, ...(cart ? { cart } : {}) }, 201);
  }

  /** A customer a backend call in `storeKey` may see: the Store's and the global ones; at project level, all. */
  #inScope(customer: MockAccountCustomer, storeKey: string | undefined): boolean {
    return storeKey === undefined || customer.storeKey === undefined || customer.storeKey === storeKey;
  }

  /** The platform's Customer shape of `c`. */
  customerBody(c: MockAccountCustomer): Record<string, unknown> {
    return {
      id: c.id,
      version: this.#versions.get(c.id) ?? 1,
      email: c.email,
      isEmailVerified: this.#verified.has(c.id),
      stores: c.storeKey === undefined ? [] : [{ typeId: 'store', key: c.storeKey }],
      addresses: [],
      authenticationMode: 'Password',
    };
  }
}
