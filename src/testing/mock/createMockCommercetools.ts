import { MockAccounts } from './MockAccounts';
import { MockBusinessUnits, type MockBusinessUnit } from './MockBusinessUnits';
import type { MockAccountCustomer } from './mockApi';

export type { MockAccountCustomer } from './mockApi';
export type { MockAssociate, MockBusinessUnit } from './MockBusinessUnits';

/**
 * A commercetools auth host and API behind a mocked `fetch`, for an app's unit tests: every grant
 * ctp-client makes is answered as the platform would (scopes granted exactly, the shopper's identity
 * in the scope, refresh and revocation), every request is recorded, and a test scripts the API
 * answers it needs per method and path. No server, no port, no network. The account endpoints
 * (sign-up, password change and reset, email verification, their in-store variants, business units
 * as an associate) answer by themselves, as the platform does (see MockAccounts, MockBusinessUnits).
 */

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
   * The scopes the API client holds (without `:projectKey`); a grant asking for another answers
   * 400 invalid_scope, as the platform does. Default: every scope is held.
   */
  clientScopes?: readonly string[];
  /** Access-token lifetime in seconds (the platform's default, 2 days). */
  expiresIn?: number;
  /** Business units and their associates, for the as-associate endpoints (associateApiRoot). */
  businessUnits?: readonly MockBusinessUnit[];
  /** The mock's clock, for the expiry of reset and verification tokens (default Date.now). */
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
  host: 'auth' | 'api';
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
  env: Record<'CTP_PROJECT_KEY' | 'CTP_CLIENT_ID' | 'CTP_CLIENT_SECRET' | 'CTP_AUTH_URL' | 'CTP_API_URL', string>;
  projectKey: string;
  /** The customers, with those signed up meanwhile; passwords as changed or reset. */
  customers: readonly MockAccountCustomer[];
  /**
   * Scripts an API answer. `path` is relative to the project (`/categories/cat-1`), exact or a
   * RegExp; later scripts win over earlier ones. Unscripted API requests answer 404 ResourceNotFound.
   */
  on(method: string, path: string | RegExp, answer: MockAnswer, status?: number): MockCommercetools;
  /** The grants made, by flow. */
  grants(flow?: 'client_credentials' | 'anonymous' | 'password' | 'refresh_token'): MockRequest[];
  /** Revokes a token as if its session ended elsewhere (its next use answers 401). */
  revoke(token: string): void;
  /** Adds (or replaces) a business unit, e.g. for a customer who signed up during the test. */
  addBusinessUnit(unit: MockBusinessUnit): MockCommercetools;
  /** Whether the customer confirmed the email with a verification token. */
  isEmailVerified(customerId: string): boolean;
}

interface Issued extends MockIdentity {
  refreshToken?: string;
}

function identityOf(issued: Issued | undefined): MockIdentity | undefined {
  if (!issued) return undefined;
  const { kind, scopes, customerId, anonymousId, storeKey } = issued;
  return {
    kind,
    scopes,
    ...(customerId ? { customerId } : {}),
    ...(anonymousId ? { anonymousId } : {}),
    ...(storeKey ? { storeKey } : {}),
  };
}

/** The Store of store-scoped scopes (`name:projectKey:storeKey`), if any. */
function storeOfScopes(scopes: readonly string[]): string | undefined {
  return scopes.map((s) => s.split(':')[2]).find((store) => store !== undefined);
}

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function oauthError(status: number, error: string, description: string): Response {
  return jsonResponse(
    {
      statusCode: status,
      message: description,
      errors: [{ code: error, message: description }],
      error,
      error_description: description,
    },
    status,
  );
}

function apiError(status: number, code: string, message: string): Response {
  return jsonResponse({ statusCode: status, message, errors: [{ code, message }] }, status);
}

function headersOf(init: RequestInit | undefined, request: Request | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? request?.headers).forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

export function createMockCommercetools(options: MockCommercetoolsOptions = {}): MockCommercetools {
  const projectKey = options.projectKey ?? 'test-project';
  const clientId = options.clientId ?? 'mock-client';
  const clientSecret = options.clientSecret ?? 'mock-client-secret';
  const authUrl = (options.authUrl ?? 'https://auth.mock.test').replace(/\/+$/, '');
  const apiUrl = (options.apiUrl ?? 'https://api.mock.test').replace(/\/+$/, '');
  const expiresIn = options.expiresIn ?? 172_800;
  const customers: MockAccountCustomer[] = (
    options.customers ?? [{ email: 'alice@example.com', password: 'alice-Passw0rd!' }]
  ).map((c, i) => ({ ...c, id: c.id ?? `customer-${i + 1}` }));
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const tokens = new Map<string, Issued>();
  const refreshTokens = new Map<string, Issued>();
  const scripts: { method: string; path: string | RegExp; answer: MockAnswer; status: number }[] = [];
  const requests: MockRequest[] = [];
  let seq = 0;
  const accounts = new MockAccounts({
    projectKey,
    customers,
    now: options.now ?? Date.now,
    json: jsonResponse,
    revokeCustomerTokens: (customerId) => {
      for (const [token, issued] of tokens) if (issued.customerId === customerId) tokens.delete(token);
      for (const [token, issued] of refreshTokens) if (issued.customerId === customerId) refreshTokens.delete(token);
    },
  });
  const businessUnits = new MockBusinessUnits({ projectKey, customers, json: jsonResponse }, options.businessUnits);

  const next = (prefix: string) => {
    seq += 1;
    // Token-charset only (RFC 6750 b64token), like the platform's.
    return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 12)}`;
  };

  /** Checks the scope parameter against the client's scopes; returns the granted scope list or an error. */
  const grantScopes = (scope: string | null): string[] | Response => {
    const scopes = (scope ?? '').split(' ').filter((s) => s !== '');
    if (scopes.length === 0) return oauthError(400, 'invalid_scope', 'A scope is required.');
    for (const s of scopes) {
      const [name, key] = s.split(':');
      if (key !== projectKey)
        return oauthError(400, 'invalid_scope', `Scope ${s} does not name project ${projectKey}.`);
      if (options.clientScopes && !options.clientScopes.includes(name ?? ''))
        return oauthError(400, 'invalid_scope', `The client does not hold ${s}.`);
    }
    return scopes;
  };

  const tokenAnswer = (issued: Issued, withRefresh: boolean): Response => {
    const access = next('mock-access');
    tokens.set(access, issued);
    const identity = issued.customerId
      ? [`customer_id:${issued.customerId}`]
      : issued.anonymousId
        ? [`anonymous_id:${issued.anonymousId}`]
        : [];
    return jsonResponse({
      access_token: access,
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope: [...issued.scopes, ...identity].join(' '),
      ...(withRefresh && issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    });
  };

  const withRefresh = (issued: Issued): Issued => {
    const refreshToken = `${projectKey}:${next('mock-refresh')}`;
    const stored = { ...issued, refreshToken };
    refreshTokens.set(refreshToken, stored);
    return stored;
  };

  const auth = (request: MockRequest): Response => {
    if (request.headers['authorization'] !== basic)
      return oauthError(
        401,
        'invalid_client',
        'Please provide valid client credentials using HTTP Basic Authentication.',
      );
    const { form, path } = request;
    const grantType = form.get('grant_type');
    if (path === '/oauth/token/revoke') {
      const token = form.get('token') ?? '';
      tokens.delete(token);
      refreshTokens.delete(token);
      return new Response(null, { status: 200 });
    }
    if (path === '/oauth/token' && grantType === 'refresh_token') {
      const original = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!original) return oauthError(400, 'invalid_grant', 'The refresh token was not found. It may have expired.');
      return tokenAnswer(original, false);
    }
    if (path === '/oauth/token' && grantType === 'client_credentials') {
      const scopes = grantScopes(form.get('scope'));
      return scopes instanceof Response ? scopes : tokenAnswer({ kind: 'client', scopes }, false);
    }
    if (path === `/oauth/${projectKey}/anonymous/token` && grantType === 'client_credentials') {
      const scopes = grantScopes(form.get('scope'));
      if (scopes instanceof Response) return scopes;
      const storeKey = storeOfScopes(scopes);
      return tokenAnswer(
        withRefresh({
          kind: 'anonymous',
          scopes,
          anonymousId: form.get('anonymous_id') ?? next('anonymous'),
          ...(storeKey ? { storeKey } : {}),
        }),
        true,
      );
    }
    const customerToken = path.match(new RegExp(`^/oauth/${projectKey}(?:/in-store/key=([^/]+))?/customers/token$`));
    if (customerToken && grantType === 'password') {
      // In a Store: that Store's customers and the global ones; a customer of another Store is refused as the platform does.
      const storeKey = customerToken[1];
      const customer = accounts.findForSignIn(form.get('username'), storeKey);
      if (!customer || customer.password !== form.get('password')) {
        return oauthError(
          400,
          'invalid_customer_account_credentials',
          'Customer account with the given credentials not found.',
        );
      }
      const scopes = grantScopes(form.get('scope'));
      if (scopes instanceof Response) return scopes;
      return tokenAnswer(
        withRefresh({ kind: 'customer', scopes, customerId: customer.id, ...(storeKey ? { storeKey } : {}) }),
        true,
      );
    }
    return oauthError(
      400,
      'unsupported_grant_type',
      `No such grant: ${request.method} ${path} (${grantType ?? 'no grant_type'}).`,
    );
  };

  const login = (request: MockRequest, storeKey: string | undefined): Response => {
    const body = (request.json ?? {}) as { email?: string; password?: string };
    const customer = accounts.findForSignIn(body.email, storeKey);
    if (!customer || customer.password !== body.password)
      return apiError(400, 'InvalidCredentials', 'Account with the given credentials not found.');
    return jsonResponse({ customer: { id: customer.id, email: customer.email, version: 1 } });
  };

  const api = async (request: MockRequest): Promise<Response> => {
    if (!request.identity)
      return jsonResponse(
        {
          statusCode: 401,
          message: 'invalid_token',
          errors: [{ code: 'invalid_token', message: 'invalid_token' }],
          error: 'invalid_token',
        },
        401,
      );
    // An associate's permissions are checked before any script, so a scripted answer cannot skip them.
    const refused = businessUnits.guard(request.method, request.apiPath, request.identity);
    if (refused) return refused;
    for (let i = scripts.length - 1; i >= 0; i -= 1) {
      const script = scripts[i]!;
      const pathMatches =
        typeof script.path === 'string' ? script.path === request.apiPath : script.path.test(request.apiPath);
      if (script.method !== request.method || !pathMatches) continue;
      const answer =
        typeof script.answer === 'function'
          ? await (script.answer as (r: MockRequest) => unknown)(request)
          : script.answer;
      return answer instanceof Response ? answer : jsonResponse(answer, script.status);
    }
    const signIn = request.method === 'POST' ? request.apiPath.match(/^(?:\/in-store\/key=([^/]+))?\/login$/) : null;
    if (signIn) return login(request, signIn[1]);
    const account =
      accounts.answer(request.method, request.apiPath, request.identity, request.json) ??
      businessUnits.answer(request.method, request.apiPath, request.identity, request.json);
    if (account) return account;
    return apiError(
      404,
      'ResourceNotFound',
      `No answer scripted for ${request.method} ${request.apiPath}: mock.on('${request.method}', '${request.apiPath}', body).`,
    );
  };

  const mock: MockCommercetools = {
    requests,
    projectKey,
    customers,
    env: {
      CTP_PROJECT_KEY: projectKey,
      CTP_CLIENT_ID: clientId,
      CTP_CLIENT_SECRET: clientSecret,
      CTP_AUTH_URL: authUrl,
      CTP_API_URL: apiUrl,
    },
    fetch: async (input, init) => {
      const incoming = input instanceof Request ? input : undefined;
      const url = new URL(incoming ? incoming.url : String(input));
      const method = (init?.method ?? incoming?.method ?? 'GET').toUpperCase();
      const body =
        typeof init?.body === 'string'
          ? init.body
          : init?.body instanceof URLSearchParams
            ? init.body.toString()
            : incoming
              ? await incoming.clone().text()
              : '';
      const headers = headersOf(init, incoming);
      const origin = url.origin;
      const host = origin === new URL(authUrl).origin ? 'auth' : origin === new URL(apiUrl).origin ? 'api' : undefined;
      if (!host)
        throw new TypeError(`fetch failed: the commercetools mock answers ${authUrl} and ${apiUrl}, not ${origin}`);
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const bearer = (headers['authorization'] ?? '').replace(/^Bearer /, '');
      const prefix = `/${projectKey}`;
      const request: MockRequest = {
        method,
        url: url.href,
        path: url.pathname,
        apiPath:
          host === 'api' && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname,
        host,
        headers,
        body,
        json,
        form: new URLSearchParams(host === 'auth' ? body : ''),
        identity: host === 'api' ? identityOf(tokens.get(bearer)) : undefined,
      };
      requests.push(request);
      return host === 'auth' ? auth(request) : api(request);
    },
    on(method, path, answer, status = 200) {
      scripts.push({ method: method.toUpperCase(), path, answer, status });
      return mock;
    },
    grants(flow) {
      const grants = requests.filter((r) => r.host === 'auth' && r.path !== '/oauth/token/revoke');
      const flowOf = (r: MockRequest) =>
        r.form.get('grant_type') === 'password'
          ? 'password'
          : r.form.get('grant_type') === 'refresh_token'
            ? 'refresh_token'
            : r.path.endsWith('/anonymous/token')
              ? 'anonymous'
              : 'client_credentials';
      return flow === undefined ? grants : grants.filter((r) => flowOf(r) === flow);
    },
    revoke(token) {
      tokens.delete(token);
      refreshTokens.delete(token);
    },
    addBusinessUnit(unit) {
      businessUnits.add(unit);
      return mock;
    },
    isEmailVerified: (customerId) => accounts.isEmailVerified(customerId),
  };
  return mock;
}
