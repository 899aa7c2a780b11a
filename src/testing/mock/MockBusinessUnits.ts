import {
  allows,
  associateMissingPermission,
  neededPermissions,
  parseAsAssociatePath,
  type AsAssociatePath,
} from '../associatePermissions';
import { holdsScope, mockError, mockPage, sameEmail, type MockApiContext, type MockApiIdentity } from './mockApi';

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

/**
 * Business units of the mocked commercetools: the as-associate endpoints of associateApiRoot() (an API
 * client token, the associate's permissions checked as the platform does; carts created and read,
 * other resources an empty list) and the shopper's `GET /me/business-units`.
 */
export class MockBusinessUnits {
  readonly #c: MockApiContext;
  readonly #units = new Map<string, MockBusinessUnit>();
  readonly #carts = new Map<string, AssociateCart>();
  #seq = 0;

  constructor(context: MockApiContext, units: readonly MockBusinessUnit[] = []) {
    this.#c = context;
    for (const unit of units) this.add(unit);
  }

  add(unit: MockBusinessUnit): void {
    this.#units.set(unit.key, { ...unit, associates: [...unit.associates] });
  }

  /**
   * The as-associate checks that run before any scripted answer: a business unit the mock knows is
   * guarded by the associate's permissions even where a test scripts the answer. Undefined: go on.
   */
  guard(method: string, apiPath: string, identity: MockApiIdentity): Response | undefined {
    const path = parseAsAssociatePath(apiPath);
    if (!path) return undefined;
    const scope = path.resource === undefined ? 'business_units' : (SCOPES[path.resource] ?? 'business_units');
    if (identity.kind !== 'client')
      return mockError(
        this.#c,
        403,
        'insufficient_scope',
        'The as-associate endpoints take an API client token; the associate is named in the path.',
      );
    if (
      !holdsScope(
        this.#c,
        identity,
        undefined,
        method === 'GET' ? [`view_${scope}`, `manage_${scope}`] : [`manage_${scope}`],
      )
    ) {
      return mockError(
        this.#c,
        403,
        'insufficient_scope',
        `Insufficient scope: ${method === 'GET' ? `view_${scope} or ` : ''}manage_${scope} is needed.`,
      );
    }
    if (path.businessUnitKey === undefined) return undefined;
    const unit = this.#units.get(path.businessUnitKey);
    if (!unit) return undefined; // the route (or a script) answers: 404 unless scripted
    const { action, permissions } = neededPermissions(method, path);
    if (allows(this.#permissionsOf(unit, path.associateId), permissions)) return undefined;
    return this.#c.json(associateMissingPermission(path.associateId, unit.key, action, permissions), 403);
  }

  /** The built-in answer of a business-unit route, or undefined when the path is none of them. */
  answer(method: string, apiPath: string, identity: MockApiIdentity, body: unknown): Response | undefined {
    const associate = parseAsAssociatePath(apiPath);
    if (associate)
      return this.#asAssociate(
        method,
        associate,
        (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>,
      );
    if (`${method} ${apiPath}` !== 'GET /me/business-units') return undefined;
    if (
      identity.kind !== 'customer' ||
      !holdsScope(this.#c, identity, undefined, ['manage_my_business_units', 'view_my_business_units'])
    ) {
      return mockError(this.#c, 403, 'insufficient_scope', 'Insufficient scope: manage_my_business_units.');
    }
    return mockPage(
      this.#c,
      [...this.#units.values()]
        .filter((u) => this.#permissionsOf(u, identity.customerId ?? '') !== undefined)
        .map((u) => this.#unitBody(u)),
    );
  }

  #asAssociate(method: string, path: AsAssociatePath, input: Record<string, unknown>): Response {
    const { associateId, businessUnitKey: key, resource, id } = path;
    if (!resource) {
      if (method !== 'GET')
        return mockError(this.#c, 405, 'MethodNotAllowed', 'Only reads of business units are answered by the mock.');
      if (key === undefined)
        return mockPage(
          this.#c,
          [...this.#units.values()]
            .filter((u) => this.#permissionsOf(u, associateId) !== undefined)
            .map((u) => this.#unitBody(u)),
        );
      const unit = this.#units.get(key);
      return unit
        ? this.#c.json(this.#unitBody(unit))
        : mockError(this.#c, 404, 'ResourceNotFound', `The BusinessUnit with key '${key}' was not found.`);
    }
    const unit = key === undefined ? undefined : this.#units.get(key);
    if (!unit)
      return mockError(this.#c, 404, 'ResourceNotFound', `The BusinessUnit with key '${key ?? ''}' was not found.`);
    const held = this.#permissionsOf(unit, associateId) ?? [];
    if (resource !== 'carts') {
      if (method === 'GET' && id === undefined) return mockPage(this.#c, []);
      return mockError(
        this.#c,
        404,
        'ResourceNotFound',
        `No ${resource} are kept by the mock: script the answer with mock.on('${method}', ...).`,
      );
    }
    // Carts: created and read here; "My" permissions see the associate's own, "Others" every cart of the unit.
    const visible = (cart: AssociateCart) =>
      cart.businessUnitKey === unit.key && (held.includes('ViewOthersCarts') || cart.customerId === associateId);
    if (method === 'GET' && id === undefined)
      return mockPage(
        this.#c,
        [...this.#carts.values()].filter(visible).map((c) => this.#cartBody(c)),
      );
    if (method === 'GET') {
      const cart = this.#carts.get(id ?? '');
      return cart && visible(cart)
        ? this.#c.json(this.#cartBody(cart))
        : mockError(this.#c, 404, 'ResourceNotFound', `The Cart with ID '${id ?? ''}' was not found.`);
    }
    if (method === 'POST' && id === undefined) {
      const cart: AssociateCart = {
        id: `associate-cart-${(this.#seq += 1)}`,
        version: 1,
        customerId: associateId,
        businessUnitKey: unit.key,
        currency: typeof input['currency'] === 'string' ? input['currency'] : 'EUR',
      };
      this.#carts.set(cart.id, cart);
      return this.#c.json(this.#cartBody(cart), 201);
    }
    return mockError(
      this.#c,
      404,
      'ResourceNotFound',
      `The mock keeps associate carts to create and read; script ${method} of this path with mock.on().`,
    );
  }

  #permissionsOf(unit: MockBusinessUnit, customerId: string): readonly string[] | undefined {
    const customer = this.#c.customers.find((c) => c.id === customerId);
    if (!customer) return undefined;
    return unit.associates.find((a) => sameEmail(a.email, customer.email))?.permissions;
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
        const customer = this.#c.customers.find((c) => sameEmail(c.email, a.email));
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
