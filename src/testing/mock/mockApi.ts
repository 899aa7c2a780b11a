/** What the mock's built-in API answers (accounts, business units, catalogue, carts, orders) share. */

/** One customer of the mock, as its tests see it. */
export interface MockAccountCustomer {
  email: string;
  password: string;
  id: string;
  /** The Store the customer belongs to; undefined for a global customer. */
  storeKey?: string;
}

/** Who a request's bearer belongs to (as createMockCommercetools knows it). */
export interface MockApiIdentity {
  kind: 'client' | 'anonymous' | 'customer';
  scopes: string[];
  customerId?: string;
  anonymousId?: string;
  storeKey?: string;
}

/** One API request as the built-in resources see it: the path without its in-store prefix. */
export interface MockApiCall {
  method: string;
  /** The path after `/{projectKey}` and after `/in-store/key={storeKey}` (`/me/carts/c-1`). */
  path: string;
  /** The Store of an in-store path. */
  storeKey: string | undefined;
  query: URLSearchParams;
  identity: MockApiIdentity;
  /** The JSON body as an object ({} when there is none). */
  body: Record<string, unknown>;
  /** The API client the token was granted to. */
  clientId?: string;
  /** The X-External-User-ID header (customer service attribution), when sent. */
  externalUserId?: string;
}

/** Splits the in-store prefix off an API path. */
export function splitStore(apiPath: string): { storeKey: string | undefined; path: string } {
  const inStore = apiPath.match(/^\/in-store\/key=([^/]+)(\/.*)$/);
  return { storeKey: inStore ? decodeURIComponent(inStore[1]!) : undefined, path: inStore?.[2] ?? apiPath };
}

/** The platform's money shape (`CentPrecisionMoney`); currencies without minor units have 0 fraction digits. */
export function money(currencyCode: string, centAmount: number): Record<string, unknown> {
  const fractionDigits = ['JPY', 'KRW', 'CLP', 'ISK', 'VND'].includes(currencyCode) ? 0 : 2;
  return { type: 'centPrecision', currencyCode, centAmount, fractionDigits };
}

/** The platform's 409 answer to an update or delete with a stale version. */
export function versionConflict(c: MockApiContext, id: string, expected: unknown, current: number): Response {
  return mockError(
    c,
    409,
    'ConcurrentModification',
    `Object ${id} has a different version than expected. Expected: ${String(expected)} - Actual: ${current}.`,
    { currentVersion: current },
  );
}

export interface MockApiContext {
  projectKey: string;
  /** The mock's customers, shared and mutable: sign-ups add to it, password changes write to it. */
  customers: MockAccountCustomer[];
  json: (body: unknown, status?: number) => Response;
  /** The mock's clock, for createdAt and lastModifiedAt. */
  now: () => number;
}

/** Emails compare case-insensitively, as the platform's sign-in and sign-up do. */
export function sameEmail(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** The platform's error body. */
export function mockError(
  c: MockApiContext,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({ statusCode: status, message, errors: [{ code, message, ...extra }] }, status);
}

export function mockPage(c: MockApiContext, results: unknown[]): Response {
  return c.json({ limit: 20, offset: 0, count: results.length, total: results.length, results });
}

/** Whether the token holds one of `names` for the project (or as `name:projectKey:storeKey` for this Store's in-store call). */
export function holdsScope(
  c: MockApiContext,
  identity: MockApiIdentity,
  storeKey: string | undefined,
  names: readonly string[],
): boolean {
  return identity.scopes.some((s) => {
    const [name = '', project, store] = s.split(':');
    if (project !== c.projectKey) return false;
    return name === 'manage_project' || (names.includes(name) && (store === undefined || store === storeKey));
  });
}
