/** What the mock's built-in API answers (accounts, business units) share. */

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
  storeKey?: string;
}

export interface MockApiContext {
  projectKey: string;
  /** The mock's customers, shared and mutable: sign-ups add to it, password changes write to it. */
  customers: MockAccountCustomer[];
  json: (body: unknown, status?: number) => Response;
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
