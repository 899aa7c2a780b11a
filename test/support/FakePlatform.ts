import {
  createMockCommercetools,
  type MockCommercetools,
  type MockCommercetoolsOptions,
  type MockIdentity,
} from '../../src/testing/mock/createMockCommercetools';

/**
 * The library's own unit tests' view of the commercetools kit of `ctp-client/testing`
 * (createMockCommercetools): every answer, token and customer is the kit's, strict as the platform.
 * This adapter only keeps what the tests were written against: `calls` in the order sent, with the
 * form body and the bearer's owner, and `on(handler)` to answer (or fail) a call before the kit does,
 * for faults the platform does not script (a 503, a WAF page, a network error).
 */
export interface RecordedCall {
  url: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  form: URLSearchParams;
  /** API calls: the bearer token's owner when it was sent, if it was live then. */
  identity?: MockIdentity | undefined;
}

type Handler = (call: RecordedCall) => Response | undefined | Promise<Response | undefined>;

export const PROJECT = 'test-project';
export const CLIENT_ID = 'client-id';
export const CLIENT_SECRET = 'client-secret-VERY-SECRET';
export const AUTH_URL = 'https://auth.example.test';
export const API_URL = 'https://api.example.test';
export const ALICE = { id: 'customer-alice', email: 'alice@example.com', password: 'alice-Passw0rd!' };
/** The test project's categories (`Shoes`), by the ids the tests read; any other id is a 404. */
export const CATEGORY_IDS = ['c', 'c1', 'c2', 'c3', 'busy', 'longer', 'x', 'cat-1', 'cat-2', 'cat-7', 'cat-8', 'cat-9'];

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function oauthError(status: number, error: string, description: string): Response {
  return json(
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

export class FakePlatform {
  /** The kit behind: `revoke(token)`, `isLive(token)`, `customers`, `requests`... */
  readonly mock: MockCommercetools;
  readonly calls: RecordedCall[] = [];
  #overrides: Handler[] = [];

  /** The test project's kit: alice (`customer-alice`), the categories, 1 h access tokens; `options` on top. */
  constructor(options: MockCommercetoolsOptions = {}) {
    this.mock = createMockCommercetools({
      projectKey: PROJECT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      authUrl: AUTH_URL,
      apiUrl: API_URL,
      customers: [ALICE],
      categories: CATEGORY_IDS.map((id) => ({ id, name: 'Shoes' })),
      expiresIn: 3600,
      ...options,
    });
  }

  /** The mocked fetch: pass as `options.fetch`. */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input);
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? request?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body =
      typeof init.body === 'string'
        ? init.body
        : init.body instanceof URLSearchParams
          ? init.body.toString()
          : request
            ? await request.clone().text()
            : '';
    const call: RecordedCall = {
      url: url.href,
      path: url.pathname,
      method: (init.method ?? request?.method ?? 'GET').toUpperCase(),
      headers,
      body,
      form: new URLSearchParams(body),
    };
    const bearer = headers['authorization']?.match(/^Bearer (.+)$/)?.[1];
    if (url.origin === new URL(API_URL).origin && bearer !== undefined) call.identity = this.mock.identityOf(bearer);
    this.calls.push(call);
    for (const handler of this.#overrides) {
      const answer = await handler(call);
      if (answer) return answer;
    }
    return this.mock.fetch(input, init);
  };

  /** Answers matching calls with `handler` before the kit does (return undefined to pass). */
  on(handler: Handler): void {
    this.#overrides.push(handler);
  }

  callsTo(path: string, grantType?: string): RecordedCall[] {
    return this.calls.filter(
      (c) => c.path === path && (grantType === undefined || c.form.get('grant_type') === grantType),
    );
  }

  grants(flow: 'client_credentials' | 'anonymous' | 'password' | 'refresh_token'): RecordedCall[] {
    switch (flow) {
      case 'client_credentials':
        return this.callsTo('/oauth/token', 'client_credentials');
      case 'refresh_token':
        return this.callsTo('/oauth/token', 'refresh_token');
      case 'anonymous':
        return this.callsTo(`/oauth/${PROJECT}/anonymous/token`);
      case 'password':
        return this.calls.filter((c) => c.path.endsWith('/customers/token'));
    }
  }

  /**
   * A grant made outside `calls` (the setup of a test, or another instance of the app): the kit's
   * token answer. `path` is the auth path (`/oauth/token`, `/oauth/{project}/customers/token`...).
   */
  async grant(path: string, form: Record<string, string>): Promise<{ access_token: string; refresh_token?: string }> {
    const answer = await this.mock.fetch(`${AUTH_URL}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });
    if (!answer.ok) throw new Error(`FakePlatform.grant: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as { access_token: string; refresh_token?: string };
  }

  /** Sends an API request (`POST /customers/password/reset`) as a backend would, outside `calls`. */
  async backend(method: string, apiPath: string, body?: unknown): Promise<Response> {
    const { access_token } = await this.grant('/oauth/token', {
      grant_type: 'client_credentials',
      scope: `manage_project:${PROJECT}`,
    });
    return this.mock.fetch(`${API_URL}/${PROJECT}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Reads an API path (`/carts/{id}`) as a backend would, outside `calls`; undefined for a 404. */
  async read<T = Record<string, unknown>>(apiPath: string): Promise<T | undefined> {
    const answer = await this.backend('GET', apiPath);
    if (answer.status === 404) return undefined;
    if (!answer.ok) throw new Error(`FakePlatform.read: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  }
}
