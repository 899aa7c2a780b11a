import { API_URL, json, PROJECT, type FakePlatform, type RecordedCall } from '../FakePlatform';

export interface AccountState {
  /** tokenValue -> what it is for; `used` once redeemed. */
  tokens: Map<string, { kind: 'password' | 'email'; customerId: string; expiresAt: number; used: boolean }>;
  versions: Map<string, number>;
  verified: Set<string>;
  /** Simulated work per request path (ms of the injected clock), to model a slower lookup. */
  costMs: (call: RecordedCall) => number;
}

const apiError = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  json(
    { statusCode: status, message: `${code} happened`, errors: [{ code, message: `${code} happened`, ...extra }] },
    status,
  );

/**
 * The account endpoints on a FakePlatform (mocked fetch, real Responses), as commercetools answers
 * them: sign-up with cart move, /me and /me/password with versions, reset and verification tokens
 * that expire and are single-use, in-store paths. `now` is the test's clock.
 */
export function installAccountRoutes(
  platform: FakePlatform,
  now: () => number,
  advance?: (ms: number) => void,
): AccountState {
  const state: AccountState = { tokens: new Map(), versions: new Map(), verified: new Set(), costMs: () => 0 };
  let seq = 0;
  const byId = (id: string) => [...platform.customers].find(([, c]) => c.id === id);
  platform.on((call) => {
    if (!call.url.startsWith(API_URL)) return undefined;
    const match = call.path.match(new RegExp(`^/${PROJECT}(?:/in-store/key=([^/]+))?(/.*)$`));
    if (!match) return undefined;
    const path = match[2] ?? '';
    const route = `${call.method} ${path}`;
    if (route === 'POST /login' && match[1] !== undefined) {
      // The in-store backend sign-in: as the project-level one of FakePlatform.
      const signIn = JSON.parse(call.body) as { email: string; password: string; anonymousId?: string };
      const customer = platform.customers.get(signIn.email);
      if (!customer || customer.password !== signIn.password) return apiError(400, 'InvalidCredentials');
      for (const c of platform.carts.values()) {
        if (signIn.anonymousId !== undefined && c.anonymousId === signIn.anonymousId) {
          delete c.anonymousId;
          c.customerId = customer.id;
        }
      }
      return json({ customer: { id: customer.id, email: signIn.email } });
    }
    const known = [
      'POST /customers',
      'GET /me',
      'POST /me/password',
      'POST /customers/password-token',
      'POST /customers/password/reset',
      'POST /customers/email-token',
      'POST /customers/email/confirm',
    ];
    if (!known.includes(route) && !/^GET \/customers\/[^/]+$/.test(route)) return undefined;
    advance?.(state.costMs(call));
    const owner = platform.tokens.get((call.headers['authorization'] ?? '').replace(/^Bearer /, ''));
    if (!owner) return apiError(401, 'invalid_token');
    const body = (call.body ? JSON.parse(call.body) : {}) as Record<string, unknown>;
    if (route === 'GET /me' || route === 'POST /me/password') {
      if (owner.kind !== 'customer' || owner.customerId === undefined) return apiError(403, 'insufficient_scope');
      const entry = byId(owner.customerId);
      if (!entry) return apiError(404, 'ResourceNotFound');
      const version = state.versions.get(entry[1].id) ?? 1;
      if (route === 'GET /me') return json({ id: entry[1].id, email: entry[0], version });
      if (body['version'] !== version) return apiError(409, 'ConcurrentModification', { currentVersion: version });
      if (body['currentPassword'] !== entry[1].password) return apiError(400, 'InvalidCurrentPassword');
      entry[1].password = String(body['newPassword']);
      state.versions.set(entry[1].id, version + 1);
      return json({ id: entry[1].id, email: entry[0], version: version + 1 });
    }
    if (owner.kind !== 'client') return apiError(403, 'insufficient_scope');
    if (route === 'POST /customers') {
      const email = String(body['email']);
      if (platform.customers.has(email))
        return apiError(400, 'DuplicateField', { field: 'email', duplicateValue: email });
      // A password policy of the project (an API extension, say) refusing short ones.
      if (typeof body['password'] !== 'string' || body['password'].length < 4)
        return apiError(400, 'InvalidJsonInput', { field: 'password' });
      const id = `customer-new-${(seq += 1)}`;
      platform.customers.set(email, { id, password: body['password'] });
      let cart: unknown;
      for (const c of platform.carts.values()) {
        if (body['anonymousId'] !== undefined && c.anonymousId === body['anonymousId']) {
          delete c.anonymousId;
          c.customerId = id;
          cart = c;
        }
      }
      return json({ customer: { id, email, version: 1 }, ...(cart ? { cart } : {}) }, 201);
    }
    const customerRead = path.match(/^\/customers\/([^/]+)$/);
    if (call.method === 'GET' && customerRead) {
      const entry = byId(customerRead[1] ?? '');
      return entry ? json({ id: entry[1].id, email: entry[0], version: 1 }) : apiError(404, 'ResourceNotFound');
    }
    if (route === 'POST /customers/password-token' || route === 'POST /customers/email-token') {
      const kind = route.endsWith('password-token') ? 'password' : 'email';
      const entry =
        kind === 'password'
          ? [...platform.customers].find(([email]) => email === body['email'])
          : byId(String(body['id']));
      if (!entry) return apiError(404, 'ResourceNotFound');
      const value = `${kind}-token-${(seq += 1)}-SECRET`;
      const ttl = typeof body['ttlMinutes'] === 'number' ? body['ttlMinutes'] : 24 * 60;
      const expiresAt = now() + ttl * 60_000;
      state.tokens.set(value, { kind, customerId: entry[1].id, expiresAt, used: false });
      return json({
        id: `token-${seq}`,
        customerId: entry[1].id,
        value,
        expiresAt: new Date(expiresAt).toISOString(),
        createdAt: new Date(now()).toISOString(),
      });
    }
    if (route === 'POST /customers/password/reset' || route === 'POST /customers/email/confirm') {
      const kind = route.endsWith('reset') ? 'password' : 'email';
      const token = state.tokens.get(String(body['tokenValue']));
      if (!token || token.kind !== kind || token.used) return apiError(404, 'ResourceNotFound');
      if (token.expiresAt <= now())
        return apiError(400, kind === 'password' ? 'ExpiredCustomerPasswordToken' : 'ExpiredCustomerEmailToken');
      token.used = true;
      const entry = byId(token.customerId)!;
      if (kind === 'password') {
        entry[1].password = String(body['newPassword']);
        // The platform revokes the customer's password-flow tokens on reset.
        for (const [refresh, t] of platform.refreshTokens)
          if (t.customerId === token.customerId) platform.refreshTokens.delete(refresh);
        for (const [access, t] of platform.tokens)
          if (t.customerId === token.customerId) platform.tokens.delete(access);
      } else {
        state.verified.add(token.customerId);
      }
      return json({ id: entry[1].id, email: entry[0], version: 2 });
    }
    return undefined;
  });
  return state;
}
