import { randomBytes } from 'node:crypto';
import { allows, associateMissingPermission, neededPermissions, parseAsAssociatePath, type AsAssociatePath } from '../associatePermissions';

/**
 * The account, Store and as-associate endpoints of the mocked commercetools (createMockCommercetools),
 * answered as the platform answers them, so that an app's unit tests can run every CtpSession
 * account operation without scripting the API: sign-up (`POST /customers`), the shopper's own
 * profile and password (`GET /me`, `POST /me/password`), reset and verification tokens (single use,
 * expiring, older ones invalidated when one is used), each under `/in-store/key={storeKey}` too, and
 * business units read as an associate with the associate's permissions checked.
 *
 * Store rules as on the platform: a customer created in a Store is that Store's; an in-store call sees
 * the Store's customers and the global ones (an in-store sign-in of a customer of another Store is
 * refused as invalid credentials), a project-level call sees global customers only.
 */

export interface MockAccountCustomer {
  email: string;
  password: string;
  id: string;
  /** The Store the customer belongs to; undefined for a global customer. */
  storeKey?: string;
}

/** One associate of a business unit: the customer (by email) and the permissions of their roles. */
export interface MockAssociate {
  email: string;
  /** commercetools Permissions, e.g. `ViewMyCarts`, `CreateMyCarts`, `ViewOthersOrders`. */
  permissions: readonly string[];
}

export interface MockBusinessUnit {
  key: string;
  /** Default: the key. */
  name?: string;
  associates: readonly MockAssociate[];
}

/** Who a request's bearer belongs to (as createMockCommercetools knows it). */
export interface MockAccountIdentity {
  kind: 'client' | 'anonymous' | 'customer';
  scopes: string[];
  customerId?: string;
  storeKey?: string;
}

export interface MockAccountsContext {
  projectKey: string;
  customers: MockAccountCustomer[];
  now: () => number;
  /** Revokes every access and refresh token of a customer (a password reset does this on the platform). */
  revokeCustomerTokens: (customerId: string) => void;
  json: (body: unknown, status?: number) => Response;
}

interface AccountToken {
  kind: 'password' | 'email';
  customerId: string;
  storeKey: string | undefined;
  expiresAt: number;
  used: boolean;
}

interface AssociateCart {
  id: string;
  version: number;
  customerId: string;
  businessUnitKey: string;
  currency: string;
}

/** The scope stem (`view_…` / `manage_…`) each as-associate resource needs of the calling token. */
const SCOPES: Record<string, string> = {
  carts: 'orders',
  orders: 'orders',
  quotes: 'quotes',
  'quote-requests': 'quote_requests',
  'shopping-lists': 'shopping_lists',
  'approval-rules': 'approval_rules',
  'approval-flows': 'approval_flows',
};

const lower = (email: unknown) => (typeof email === 'string' ? email.toLowerCase() : '');

export class MockAccounts {
  readonly #c: MockAccountsContext;
  readonly #tokens = new Map<string, AccountToken>();
  readonly #versions = new Map<string, number>();
  readonly #verified = new Set<string>();
  readonly #units = new Map<string, MockBusinessUnit>();
  readonly #carts = new Map<string, AssociateCart>();
  #seq = 0;

  constructor(context: MockAccountsContext, units: readonly MockBusinessUnit[] = []) {
    this.#c = context;
    for (const unit of units) this.addBusinessUnit(unit);
  }

  addBusinessUnit(unit: MockBusinessUnit): void {
    this.#units.set(unit.key, { ...unit, associates: [...unit.associates] });
  }

  /** Whether a customer confirmed the email (for tests' assertions). */
  isEmailVerified(customerId: string): boolean {
    return this.#verified.has(customerId);
  }

  /** The customer a password grant or backend sign-in may sign in: in a Store, that Store's and the global ones. */
  findForSignIn(email: unknown, storeKey: string | undefined): MockAccountCustomer | undefined {
    const c = this.#c.customers.find((x) => lower(x.email) === lower(email));
    return c && (c.storeKey === undefined || c.storeKey === storeKey) ? c : undefined;
  }

  /**
   * The as-associate checks that run before any scripted answer: a business unit the mock knows is
   * guarded by the associate's permissions even where a test scripts the answer. Undefined: go on.
   */
  guard(method: string, apiPath: string, identity: MockAccountIdentity): Response | undefined {
    const path = parseAsAssociatePath(apiPath);
    if (!path) return undefined;
    const scope = path.resource === undefined ? 'business_units' : (SCOPES[path.resource] ?? 'business_units');
    if (identity.kind !== 'client') return this.#error(403, 'insufficient_scope', 'The as-associate endpoints take an API client token; the associate is named in the path.');
    if (!this.#holds(identity, undefined, method === 'GET' ? [`view_${scope}`, `manage_${scope}`] : [`manage_${scope}`])) {
      return this.#error(403, 'insufficient_scope', `Insufficient scope: ${method === 'GET' ? `view_${scope} or ` : ''}manage_${scope} is needed.`);
    }
    if (path.businessUnitKey === undefined) return undefined;
    const unit = this.#units.get(path.businessUnitKey);
    if (!unit) return undefined; // the route (or a script) answers: 404 unless scripted
    const { action, permissions } = neededPermissions(method, path);
    if (allows(this.#permissionsOf(unit, path.associateId), permissions)) return undefined;
    return this.#c.json(associateMissingPermission(path.associateId, unit.key, action, permissions), 403);
  }

  /** The built-in answer of an account route, or undefined when the path is none of them. */
  answer(method: string, apiPath: string, identity: MockAccountIdentity, body: unknown): Response | undefined {
    const inStore = apiPath.match(/^\/in-store\/key=([^/]+)(\/.*)$/);
    const storeKey = inStore?.[1];
    const path = inStore?.[2] ?? apiPath;
    const route = `${method} ${path}`;
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const associate = parseAsAssociatePath(apiPath);
    if (associate) return this.#asAssociate(method, associate, input);

    if (route === 'GET /me/business-units') {
      if (identity.kind !== 'customer' || !this.#holds(identity, undefined, ['manage_my_business_units', 'view_my_business_units'])) return this.#error(403, 'insufficient_scope', 'Insufficient scope: manage_my_business_units.');
      const results = [...this.#units.values()].filter((u) => this.#permissionsOf(u, identity.customerId ?? '') !== undefined).map((u) => this.#unitBody(u));
      return this.#page(results);
    }
    if (route === 'GET /me' || route === 'POST /me/password') {
      if (identity.kind !== 'customer') return this.#error(403, 'insufficient_scope', 'A customer token is needed.');
      if (!this.#holds(identity, storeKey, ['manage_my_profile', 'view_my_profile'])) return this.#error(403, 'insufficient_scope', 'Insufficient scope: manage_my_profile.');
      const customer = this.#c.customers.find((c) => c.id === identity.customerId);
      if (!customer || (storeKey !== undefined && customer.storeKey !== undefined && customer.storeKey !== storeKey)) return this.#error(404, 'ResourceNotFound', 'The Customer was not found.');
      const version = this.#versions.get(customer.id) ?? 1;
      if (route === 'GET /me') return this.#c.json(this.#customerBody(customer));
      if (input['version'] !== version) return this.#error(409, 'ConcurrentModification', `Object ${customer.id} has a different version than expected. Expected: ${String(input['version'])} - Actual: ${version}.`, { currentVersion: version });
      if (input['currentPassword'] !== customer.password) return this.#error(400, 'InvalidCurrentPassword', 'The given current password does not match.');
      if (typeof input['newPassword'] !== 'string' || input['newPassword'] === '') return this.#error(400, 'InvalidJsonInput', 'newPassword is required.', { field: 'newPassword' });
      customer.password = input['newPassword'];
      this.#versions.set(customer.id, version + 1);
      return this.#c.json(this.#customerBody(customer));
    }

    const backend = ['POST /customers', 'POST /customers/password-token', 'POST /customers/password/reset', 'POST /customers/email-token', 'POST /customers/email/confirm'];
    const customerRead = method === 'GET' ? path.match(/^\/customers\/([^/]+)$/) : null;
    if (!backend.includes(route) && !customerRead) return undefined;
    if (identity.kind !== 'client') return this.#error(403, 'insufficient_scope', 'An API client token is needed.');
    if (customerRead) {
      if (!this.#holds(identity, storeKey, ['view_customers', 'manage_customers'])) return this.#error(403, 'insufficient_scope', 'Insufficient scope: view_customers.');
      const customer = this.#c.customers.find((c) => c.id === decodeURIComponent(customerRead[1] ?? ''));
      return customer && this.#inScope(customer, storeKey) ? this.#c.json(this.#customerBody(customer)) : this.#error(404, 'ResourceNotFound', 'The Customer was not found.');
    }
    if (!this.#holds(identity, storeKey, ['manage_customers'])) return this.#error(403, 'insufficient_scope', 'Insufficient scope: manage_customers.');
    if (route === 'POST /customers') return this.#signUp(input, storeKey);
    if (route === 'POST /customers/password-token' || route === 'POST /customers/email-token') {
      const kind = route.endsWith('password-token') ? 'password' : 'email';
      const customer = kind === 'password' ? this.#c.customers.find((c) => lower(c.email) === lower(input['email'])) : this.#c.customers.find((c) => c.id === input['id']);
      if (!customer || !this.#inScope(customer, storeKey)) return this.#error(404, 'ResourceNotFound', 'The Customer was not found.');
      if (kind === 'email' && typeof input['ttlMinutes'] !== 'number') return this.#error(400, 'InvalidJsonInput', 'ttlMinutes is required.', { field: 'ttlMinutes' });
      const ttl = typeof input['ttlMinutes'] === 'number' ? input['ttlMinutes'] : 24 * 60;
      if (input['invalidateOlderTokens'] === true) for (const t of this.#tokens.values()) if (t.customerId === customer.id && t.kind === kind) t.used = true;
      const value = `mock-${kind}-token-${randomBytes(12).toString('hex')}`;
      const now = this.#c.now();
      const expiresAt = now + ttl * 60_000;
      this.#tokens.set(value, { kind, customerId: customer.id, storeKey, expiresAt, used: false });
      return this.#c.json({ id: `customer-token-${(this.#seq += 1)}`, customerId: customer.id, value, expiresAt: new Date(expiresAt).toISOString(), createdAt: new Date(now).toISOString() });
    }
    // password/reset or email/confirm
    const kind = route.endsWith('reset') ? 'password' : 'email';
    const token = this.#tokens.get(String(input['tokenValue']));
    if (!token || token.kind !== kind || token.used || token.storeKey !== storeKey) return this.#error(404, 'ResourceNotFound', `The Customer with ${kind === 'password' ? 'password' : 'email'} token was not found.`);
    if (token.expiresAt <= this.#c.now()) {
      return this.#error(400, kind === 'password' ? 'ExpiredCustomerPasswordToken' : 'ExpiredCustomerEmailToken', 'The token expired.');
    }
    const customer = this.#c.customers.find((c) => c.id === token.customerId);
    if (!customer) return this.#error(404, 'ResourceNotFound', 'The Customer was not found.');
    if (kind === 'password' && (typeof input['newPassword'] !== 'string' || input['newPassword'] === '')) return this.#error(400, 'InvalidJsonInput', 'newPassword is required.', { field: 'newPassword' });
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
    return this.#c.json(this.#customerBody(customer));
  }

  #signUp(draft: Record<string, unknown>, storeKey: string | undefined): Response {
    const email = draft['email'];
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) return this.#error(400, 'InvalidJsonInput', 'Request body does not contain valid JSON: email is missing or invalid.', { field: 'email' });
    if (typeof draft['password'] !== 'string' || draft['password'] === '') return this.#error(400, 'InvalidJsonInput', 'Request body does not contain valid JSON: password is missing.', { field: 'password' });
    if (this.#c.customers.some((c) => lower(c.email) === lower(email))) {
      return this.#error(400, 'DuplicateField', 'There is already an existing customer with the provided email.', { field: 'email', duplicateValue: email });
    }
    const id = `customer-${this.#c.customers.length + 1}-${randomBytes(4).toString('hex')}`;
    const customer: MockAccountCustomer = { email, password: draft['password'], id, ...(storeKey === undefined ? {} : { storeKey }) };
    this.#c.customers.push(customer);
    const names = Object.fromEntries(['firstName', 'lastName', 'key', 'locale'].filter((f) => typeof draft[f] === 'string').map((f) => [f, draft[f]]));
    return this.#c.json({ customer: { ...this.#customerBody(customer), ...names } }, 201);
  }

  #asAssociate(method: string, path: AsAssociatePath, input: Record<string, unknown>): Response {
    const { associateId, businessUnitKey: key, resource, id } = path;
    if (!resource) {
      if (method !== 'GET') return this.#error(405, 'MethodNotAllowed', 'Only reads of business units are answered by the mock.');
      if (key === undefined) return this.#page([...this.#units.values()].filter((u) => this.#permissionsOf(u, associateId) !== undefined).map((u) => this.#unitBody(u)));
      const unit = this.#units.get(key);
      return unit ? this.#c.json(this.#unitBody(unit)) : this.#error(404, 'ResourceNotFound', `The BusinessUnit with key '${key}' was not found.`);
    }
    const unit = key === undefined ? undefined : this.#units.get(key);
    if (!unit) return this.#error(404, 'ResourceNotFound', `The BusinessUnit with key '${key ?? ''}' was not found.`);
    const held = this.#permissionsOf(unit, associateId) ?? [];
    if (resource !== 'carts') {
      if (method === 'GET' && id === undefined) return this.#page([]);
      return this.#error(404, 'ResourceNotFound', `No ${resource} are kept by the mock: script the answer with mock.on('${method}', ...).`);
    }
    // Carts: created and read here; "My" permissions see the associate's own, "Others" every cart of the unit.
    const visible = (cart: AssociateCart) => cart.businessUnitKey === unit.key && (held.includes('ViewOthersCarts') || cart.customerId === associateId);
    if (method === 'GET' && id === undefined) return this.#page([...this.#carts.values()].filter(visible).map((c) => this.#cartBody(c)));
    if (method === 'GET') {
      const cart = this.#carts.get(id ?? '');
      return cart && visible(cart) ? this.#c.json(this.#cartBody(cart)) : this.#error(404, 'ResourceNotFound', `The Cart with ID '${id ?? ''}' was not found.`);
    }
    if (method === 'POST' && id === undefined) {
      const cart: AssociateCart = { id: `associate-cart-${(this.#seq += 1)}`, version: 1, customerId: associateId, businessUnitKey: unit.key, currency: typeof input['currency'] === 'string' ? input['currency'] : 'EUR' };
      this.#carts.set(cart.id, cart);
      return this.#c.json(this.#cartBody(cart), 201);
    }
    return this.#error(404, 'ResourceNotFound', `The mock keeps associate carts to create and read; script ${method} of this path with mock.on().`);
  }

  #permissionsOf(unit: MockBusinessUnit, customerId: string): readonly string[] | undefined {
    const customer = this.#c.customers.find((c) => c.id === customerId);
    if (!customer) return undefined;
    return unit.associates.find((a) => lower(a.email) === lower(customer.email))?.permissions;
  }

  /** A customer a backend call in `storeKey` may see: the Store's and the global ones; at project level, all. */
  #inScope(customer: MockAccountCustomer, storeKey: string | undefined): boolean {
    return storeKey === undefined || customer.storeKey === undefined || customer.storeKey === storeKey;
  }

  /** A scope of the project (or `name:projectKey:storeKey` of this Store, for an in-store call). */
  #holds(identity: MockAccountIdentity, storeKey: string | undefined, names: readonly string[]): boolean {
    return identity.scopes.some((s) => {
      const [name = '', project, store] = s.split(':');
      if (project !== this.#c.projectKey) return false;
      return name === 'manage_project' || (names.includes(name) && (store === undefined || store === storeKey));
    });
  }

  #error(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Response {
    return this.#c.json({ statusCode: status, message, errors: [{ code, message, ...extra }] }, status);
  }

  #page(results: unknown[]): Response {
    return this.#c.json({ limit: 20, offset: 0, count: results.length, total: results.length, results });
  }

  #customerBody(c: MockAccountCustomer): Record<string, unknown> {
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

  #unitBody(u: MockBusinessUnit): Record<string, unknown> {
    return {
      id: `business-unit-${u.key}`,
      version: 1,
      key: u.key,
      name: u.name ?? u.key,
      unitType: 'Company',
      status: 'Active',
      storeMode: 'Explicit',
      stores: [],
      addresses: [],
      associateMode: 'Explicit',
      associates: u.associates.flatMap((a) => {
        const customer = this.#c.customers.find((c) => lower(c.email) === lower(a.email));
        return customer ? [{ customer: { typeId: 'customer', id: customer.id }, associateRoleAssignments: [] }] : [];
      }),
    };
  }

  #cartBody(c: AssociateCart): Record<string, unknown> {
    return {
      id: c.id,
      version: c.version,
      customerId: c.customerId,
      businessUnit: { typeId: 'business-unit', key: c.businessUnitKey },
      cartState: 'Active',
      lineItems: [],
      totalPrice: { type: 'centPrecision', currencyCode: c.currency, centAmount: 0, fractionDigits: 2 },
    };
  }
}
