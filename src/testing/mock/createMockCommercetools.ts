import { endpointRefusal } from '../auth/endpointScopes';
import { apiRefusal, invalidToken, toResponse } from '../auth/fakeAnswers';
import { StrictAuth, type TokenOwner } from '../auth/StrictAuth';
import { MockAccounts } from './MockAccounts';
import { MockBusinessUnits } from './MockBusinessUnits';
import { MockCarts } from './MockCarts';
import { MockCatalog } from './MockCatalog';
import type {
  MockAnswer,
  MockCommercetools,
  MockCommercetoolsOptions,
  MockIdentity,
  MockRequest,
} from './MockCommercetools';
import { splitStore, type MockAccountCustomer, type MockApiCall } from './mockApi';
import { MockOrders } from './MockOrders';

export type { MockAccountCustomer } from './mockApi';
export type { MockAssociate, MockBusinessUnit } from './MockBusinessUnits';
export type { MockCategory, MockLocalized, MockPrice, MockProduct, MockVariant } from './MockCatalog';
export type { FakeApiClient } from '../auth/StrictAuth';
export type {
  MockAnswer,
  MockCommercetools,
  MockCommercetoolsOptions,
  MockCustomer,
  MockIdentity,
  MockRequest,
} from './MockCommercetools';

/** The identity a test sees for a token owner (no client id, no refresh token). */
function identityOf(owner: TokenOwner | undefined): MockIdentity | undefined {
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

const jsonResponse = (body: unknown, status = 200): Response => toResponse({ status, body });

function headersOf(init: RequestInit | undefined, request: Request | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? request?.headers).forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

/**
 * A commercetools auth host and API behind a mocked `fetch`, for an app's unit tests: every grant
 * ctp-client makes is answered as the platform would (StrictAuth: the client secret, the scopes the
 * client holds, expiry on the mock's clock, refresh and revocation), every API call's token must hold
 * the endpoint's scope (endpointScopes), every request is recorded, and a test scripts the API
 * answers it needs per method and path. No server, no port, no network. The account endpoints
 * (sign-up, password change and reset, email verification, their in-store variants, business units
 * as an associate) answer by themselves, as the platform does (see MockAccounts, MockBusinessUnits).
 */
export function createMockCommercetools(options: MockCommercetoolsOptions = {}): MockCommercetools {
  const projectKey = options.projectKey ?? 'test-project';
  const clientId = options.clientId ?? 'mock-client';
  const clientSecret = options.clientSecret ?? 'mock-client-secret';
  const authUrl = (options.authUrl ?? 'https://auth.mock.test').replace(/\/+$/, '');
  const apiUrl = (options.apiUrl ?? 'https://api.mock.test').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const customers: MockAccountCustomer[] = (
    options.customers ?? [{ email: 'alice@example.com', password: 'alice-Passw0rd!' }]
  ).map((c, i) => ({ ...c, id: c.id ?? `customer-${i + 1}` }));
  const scripts: { method: string; path: string | RegExp; answer: MockAnswer; status: number }[] = [];
  const requests: MockRequest[] = [];
  const context = { projectKey, customers, now, json: jsonResponse };
  const catalog = new MockCatalog(context, options.categories, options.products);
  const carts = new MockCarts(context, catalog);
  const orders = new MockOrders(context, carts);
  // A sign-in or sign-up naming the anonymous shopper moves their cart and orders to the customer.
  const signInCart = (customerId: string, anonymousId: unknown, mode: unknown, storeKey: string | undefined) => {
    orders.signIn(customerId, anonymousId);
    return carts.signIn(customerId, anonymousId, mode, storeKey);
  };
  const accounts = new MockAccounts({
    ...context,
    revokeCustomerTokens: (customerId) => auth.revokeCustomer(customerId),
    signInCart,
  });
  const auth = new StrictAuth({
    projectKey,
    clients: [
      { id: clientId, secret: clientSecret, ...(options.clientScopes ? { scopes: options.clientScopes } : {}) },
      ...(options.otherClients ?? []),
    ],
    now,
    expiresIn: () => options.expiresIn ?? 172_800,
    ids: { access: () => next('mock-access'), refresh: () => next('mock-refresh'), anonymous: () => next('anonymous') },
    signIn: (email, password, storeKey) => {
      // In a Store: that Store's customers and the global ones; a customer of another Store is refused as the platform does.
      const customer = accounts.findForSignIn(email, storeKey);
      return customer && customer.password === password ? customer.id : undefined;
    },
  });
  let seq = 0;
  const next = (prefix: string) => {
    seq += 1;
    return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 12)}`;
  };
  const businessUnits = new MockBusinessUnits(context, options.businessUnits);

  const login = (request: MockRequest, storeKey: string | undefined): Response => {
    const body = (request.json ?? {}) as { email?: string; password?: string; anonymousId?: string };
    const customer = accounts.findForSignIn(body.email, storeKey);
    if (!customer || customer.password !== body.password)
      return toResponse(apiRefusal(400, 'InvalidCredentials', 'Account with the given credentials not found.'));
    // The platform's CustomerSignInResult: the customer and their active cart (the anonymous one moved in first).
    const cart = signInCart(
      customer.id,
      body.anonymousId,
      (body as Record<string, unknown>)['anonymousCartSignInMode'],
      storeKey,
    );
    return jsonResponse({ customer: accounts.customerBody(customer), ...(cart ? { cart } : {}) });
  };

  const api = async (request: MockRequest, owner: TokenOwner | undefined): Promise<Response> => {
    if (!request.identity || !owner) return toResponse(invalidToken());
    // The token's scopes and an associate's permissions are checked before any script, so a scripted answer cannot skip them.
    const refused = endpointRefusal(projectKey, request.method, request.apiPath, owner);
    if (refused) return toResponse(refused);
    const notAssociate = businessUnits.guard(request.method, request.apiPath, request.identity);
    if (notAssociate) return notAssociate;
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
    const call: MockApiCall = {
      method: request.method,
      ...splitStore(request.apiPath),
      query: new URL(request.url).searchParams,
      identity: request.identity,
      body: typeof request.json === 'object' && request.json !== null ? (request.json as Record<string, unknown>) : {},
    };
    const resource = catalog.answer(call) ?? carts.answer(call) ?? orders.answer(call);
    if (resource) return resource;
    return toResponse(
      apiRefusal(
        404,
        'ResourceNotFound',
        `No answer scripted for ${request.method} ${request.apiPath}: mock.on('${request.method}', '${request.apiPath}', body).`,
      ),
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
      const url = new URL(input instanceof Request ? input.url : input);
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
        identity: host === 'api' ? identityOf(auth.owner(bearer)) : undefined,
      };
      requests.push(request);
      if (host === 'api') return api(request, auth.owner(bearer));
      return toResponse(
        await auth.answer({ path: url.pathname, authorization: headers['authorization'], form: request.form }),
      );
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
    revoke: (token) => auth.revoke(token),
    isLive: (token) => auth.owner(token) !== undefined || auth.refreshes(token),
    identityOf: (accessToken) => identityOf(auth.owner(accessToken)),
    issuedTokens: auth.issued,
    addBusinessUnit(unit) {
      businessUnits.add(unit);
      return mock;
    },
    isEmailVerified: (customerId) => accounts.isEmailVerified(customerId),
  };
  return mock;
}
