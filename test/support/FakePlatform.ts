/**
 * An in-process commercetools auth and API fake behind a mocked `fetch` that answers with real
 * Response objects and records every call (URL, method, headers, body) for assertions.
 */
export interface RecordedCall {
  url: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  form: URLSearchParams;
}

type Handler = (call: RecordedCall) => Response | undefined | Promise<Response | undefined>;

interface IssuedToken {
  kind: 'client' | 'anonymous' | 'customer';
  scope: string;
  customerId?: string;
  anonymousId?: string;
  refreshToken?: string;
}

export const PROJECT = 'test-project';
export const CLIENT_ID = 'client-id';
export const CLIENT_SECRET = 'client-secret-VERY-SECRET';
export const AUTH_URL = 'https://auth.example.test';
export const API_URL = 'https://api.example.test';

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
  readonly calls: RecordedCall[] = [];
  readonly tokens = new Map<string, IssuedToken>();
  /** refresh token -> what it refreshes */
  readonly refreshTokens = new Map<string, IssuedToken>();
  readonly customers = new Map<string, { id: string; password: string }>([
    ['alice@example.com', { id: 'customer-alice', password: 'alice-Passw0rd!' }],
  ]);
  readonly carts = new Map<string, { id: string; anonymousId?: string; customerId?: string }>();
  readonly signIns: { email: string; anonymousId?: string; mode?: string }[] = [];
  expiresIn = 3600;
  #seq = 0;
  #overrides: Handler[] = [];

  /** The mocked fetch: pass as `options.fetch`. */
  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init.body === 'string' ? init.body : '';
    const call: RecordedCall = {
      url: input,
      path: url.pathname,
      method: init.method ?? 'GET',
      headers,
      body,
      form: new URLSearchParams(body),
    };
    this.calls.push(call);
    for (const handler of this.#overrides) {
      const answer = await handler(call);
      if (answer) return answer;
    }
    return this.#route(call);
  };

  /** Answers matching calls with `handler` before the default routes (return undefined to pass). */
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

  issue(token: IssuedToken): { access: string; refresh?: string } {
    this.#seq += 1;
    const access = `access-${token.kind}-${this.#seq}-${'x'.repeat(8)}`;
    this.tokens.set(access, token);
    return { access, ...(token.refreshToken ? { refresh: token.refreshToken } : {}) };
  }

  #tokenAnswer(token: IssuedToken, withRefresh: boolean): Response {
    const { access } = this.issue(token);
    const identity = token.customerId
      ? ` customer_id:${token.customerId}`
      : token.anonymousId
        ? ` anonymous_id:${token.anonymousId}`
        : '';
    return json({
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      scope: `${token.scope}${identity}`,
      ...(withRefresh && token.refreshToken ? { refresh_token: token.refreshToken } : {}),
    });
  }

  #route(call: RecordedCall): Response {
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    if (call.url.startsWith(AUTH_URL)) {
      if (call.headers['authorization'] !== basic)
        return oauthError(
          401,
          'invalid_client',
          'Please provide valid client credentials using HTTP Basic Authentication.',
        );
      const scope = call.form.get('scope') ?? '';
      const grantType = call.form.get('grant_type');
      if (call.path === '/oauth/token' && grantType === 'client_credentials')
        return this.#tokenAnswer({ kind: 'client', scope }, false);
      if (call.path === `/oauth/${PROJECT}/anonymous/token`) {
        this.#seq += 1;
        const token: IssuedToken = {
          kind: 'anonymous',
          scope,
          anonymousId: call.form.get('anonymous_id') ?? `anon-${this.#seq}`,
          refreshToken: `refresh-anon-${this.#seq}-${'y'.repeat(8)}`,
        };
        this.refreshTokens.set(token.refreshToken!, token);
        return this.#tokenAnswer(token, true);
      }
      if (call.path.endsWith('/customers/token')) {
        const customer = this.customers.get(call.form.get('username') ?? '');
        if (!customer || customer.password !== call.form.get('password')) {
          return oauthError(
            400,
            'invalid_customer_account_credentials',
            'Customer account with the given credentials not found.',
          );
        }
        this.#seq += 1;
        const token: IssuedToken = {
          kind: 'customer',
          scope,
          customerId: customer.id,
          refreshToken: `refresh-cust-${this.#seq}-${'z'.repeat(8)}`,
        };
        this.refreshTokens.set(token.refreshToken!, token);
        return this.#tokenAnswer(token, true);
      }
      if (call.path === '/oauth/token' && grantType === 'refresh_token') {
        const original = this.refreshTokens.get(call.form.get('refresh_token') ?? '');
        if (!original) return oauthError(400, 'invalid_grant', 'The refresh token was not found. It may have expired.');
        return this.#tokenAnswer(original, false);
      }
      if (call.path === '/oauth/token/revoke') {
        const token = call.form.get('token') ?? '';
        this.tokens.delete(token);
        this.refreshTokens.delete(token);
        return new Response(null, { status: 200 });
      }
      return oauthError(404, 'not_found', 'no such endpoint');
    }
    const bearer = (call.headers['authorization'] ?? '').replace(/^Bearer /, '');
    const owner = this.tokens.get(bearer);
    if (!owner)
      return json(
        {
          statusCode: 401,
          message: 'invalid_token',
          errors: [{ code: 'invalid_token', message: 'invalid_token' }],
          error: 'invalid_token',
        },
        401,
      );
    const categoryMatch = call.path.match(new RegExp(`^/${PROJECT}/categories/([^/]+)$`));
    if (categoryMatch && call.method === 'GET')
      return json({ id: categoryMatch[1], version: 1, name: { en: 'Shoes' } });
    if (call.path === `/${PROJECT}/me/carts` && call.method === 'POST') {
      const id = `cart-${this.carts.size + 1}`;
      const cart = {
        id,
        ...(owner.anonymousId ? { anonymousId: owner.anonymousId } : {}),
        ...(owner.customerId ? { customerId: owner.customerId } : {}),
      };
      this.carts.set(id, cart);
      return json({ ...cart, version: 1, lineItems: [] }, 201);
    }
    const cartMatch = call.path.match(new RegExp(`^/${PROJECT}/me/carts/([^/]+)$`));
    if (cartMatch && call.method === 'GET') {
      const cart = this.carts.get(cartMatch[1] ?? '');
      const mine =
        cart &&
        ((owner.customerId && cart.customerId === owner.customerId) ||
          (owner.anonymousId && cart.anonymousId === owner.anonymousId));
      if (!mine)
        return json(
          { statusCode: 404, message: 'not found', errors: [{ code: 'ResourceNotFound', message: 'not found' }] },
          404,
        );
      return json({ ...cart, version: 1, lineItems: [] });
    }
    if (call.path === `/${PROJECT}/login` && call.method === 'POST') {
      const body = JSON.parse(call.body) as {
        email: string;
        password: string;
        anonymousId?: string;
        anonymousCartSignInMode?: string;
      };
      const customer = this.customers.get(body.email);
      if (!customer || customer.password !== body.password) {
        return json(
          {
            statusCode: 400,
            message: 'Account with the given credentials not found.',
            errors: [{ code: 'InvalidCredentials', message: 'Account with the given credentials not found.' }],
          },
          400,
        );
      }
      this.signIns.push({
        email: body.email,
        ...(body.anonymousId ? { anonymousId: body.anonymousId } : {}),
        ...(body.anonymousCartSignInMode ? { mode: body.anonymousCartSignInMode } : {}),
      });
      for (const cart of this.carts.values()) {
        if (body.anonymousId && cart.anonymousId === body.anonymousId) {
          delete cart.anonymousId;
          cart.customerId = customer.id;
        }
      }
      return json({ customer: { id: customer.id, email: body.email } });
    }
    return json({ statusCode: 404, message: `no route ${call.method} ${call.path}` }, 404);
  }
}
