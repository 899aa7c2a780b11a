import { apiRefusal, toResponse } from '../auth/fakeAnswers';
import { externalOwner } from '../auth/ExternalOAuth';
import { StrictAuth, type TokenOwner } from '../auth/StrictAuth';
import { FakeCheckoutHost } from '../checkout/FakeCheckoutHost';
import type { MockAnswer, MockCommercetools, MockCommercetoolsOptions, MockRequest } from './MockCommercetools';
import type { MockAccountCustomer } from './mockApi';
import { identityOf, MockPlatformApi } from './MockPlatformApi';

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
  const api = new MockPlatformApi({
    projectKey,
    customers,
    now,
    revokeCustomerTokens: (customerId) => auth.revokeCustomer(customerId),
    categories: options.categories,
    products: options.products,
    businessUnits: options.businessUnits,
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
      const customer = api.accounts.findForSignIn(email, storeKey);
      return customer && customer.password === password ? customer.id : undefined;
    },
  });
  const checkoutUrl = options.checkout
    ? (options.checkout.url ?? 'https://session.mock.test').replace(/\/+$/, '')
    : undefined;
  const checkout = new FakeCheckoutHost({
    projectKey,
    now,
    owner: (token) => auth.owner(token),
    cartExists: (cartId) => api.carts.get(cartId)?.['cartState'] === 'Active',
  });
  let seq = 0;
  const next = (prefix: string) => {
    seq += 1;
    return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 12)}`;
  };
  // Scripts come after the token and scope checks (a scripted answer cannot skip them) and before the built-in resources.
  const script = async (request: MockRequest): Promise<Response | undefined> => {
    for (let i = scripts.length - 1; i >= 0; i -= 1) {
      const entry = scripts[i]!;
      const pathMatches =
        typeof entry.path === 'string' ? entry.path === request.apiPath : entry.path.test(request.apiPath);
      if (entry.method !== request.method || !pathMatches) continue;
      const answer =
        typeof entry.answer === 'function'
          ? await (entry.answer as (r: MockRequest) => unknown)(request)
          : entry.answer;
      return answer instanceof Response ? answer : jsonResponse(answer, entry.status);
    }
    return undefined;
  };

  const answerApi = async (request: MockRequest, owner: TokenOwner | undefined): Promise<Response> => {
    const answered = await api.answer(request, owner, script);
    return (
      answered?.response ??
      toResponse(
        apiRefusal(
          404,
          'ResourceNotFound',
          `No answer scripted for ${request.method} ${request.apiPath}: mock.on('${request.method}', '${request.apiPath}', body).`,
        ),
      )
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
      ...(options.checkout && checkoutUrl
        ? { CTP_CHECKOUT_APPLICATION_KEY: options.checkout.applicationKey, CTP_CHECKOUT_URL: checkoutUrl }
        : {}),
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
      const host =
        origin === new URL(authUrl).origin
          ? 'auth'
          : origin === new URL(apiUrl).origin
            ? 'api'
            : checkoutUrl !== undefined && origin === new URL(checkoutUrl).origin
              ? 'checkout'
              : undefined;
      if (!host)
        throw new TypeError(`fetch failed: the commercetools mock answers ${authUrl} and ${apiUrl}, not ${origin}`);
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const bearer = (headers['authorization'] ?? '').replace(/^Bearer /, '');
      // A token the auth host did not issue: commercetools asks the project's External OAuth endpoint.
      const external =
        host === 'api' && options.externalOAuth && bearer !== '' && auth.owner(bearer) === undefined
          ? await externalOwner(options.externalOAuth, projectKey, bearer, now())
          : undefined;
      const owner =
        host === 'auth' ? undefined : (auth.owner(bearer) ?? (external === 'failed' ? undefined : external));
      const prefix = `/${projectKey}`;
      const request: MockRequest = {
        method,
        url: url.href,
        path: url.pathname,
        apiPath:
          host !== 'auth' && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname,
        host,
        headers,
        body,
        json,
        form: new URLSearchParams(host === 'auth' ? body : ''),
        identity: identityOf(owner),
      };
      requests.push(request);
      if (external === 'failed')
        return toResponse(apiRefusal(401, 'ExternalOAuthFailed', 'The External OAuth introspection failed.'));
      if (host === 'api') return answerApi(request, owner);
      if (host === 'checkout')
        return toResponse(
          await checkout.answer({ method, path: url.pathname, authorization: headers['authorization'], json }),
        );
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
      api.businessUnits.add(unit);
      return mock;
    },
    isEmailVerified: (customerId) => api.accounts.isEmailVerified(customerId),
    checkoutSessions: checkout.sessions,
  };
  return mock;
}
