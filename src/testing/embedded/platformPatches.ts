import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { applyAssociatePatches } from './associatePatches';

/**
 * Where @labdigital/commercetools-mock is laxer than the platform in ways the journey depends on,
 * these hooks make it behave like the platform. None of them loosens what ctp-client checks.
 *
 * The auth host and the tokens' scopes, expiry and revocation are the strict front's (strictFront.ts).
 *
 * - the backend sign-in `POST /{projectKey}/login` (and its in-store form) is missing: added, with the
 *   anonymous session's carts moving to the customer (merge simplified: they become the customer's
 *   carts).
 * - Stores: an in-store sign-up makes the customer the Store's, and a Store's customer signs in
 *   (password grant, backend sign-in) only in that Store; a global customer anywhere.
 * - reset and verification tokens work once; a password reset revokes the customer's tokens.
 * - `/me` and `/me/carts` (and their in-store forms) are not bound to the token's shopper: carts get
 *   the owner of the token that created them, and a shopper reads only her own carts and profile.
 * - the as-associate endpoints check nothing: see associatePatches.
 */
export interface Identity {
  customerId?: string;
  anonymousId?: string;
}

export interface GrantRecord {
  flow: 'client_credentials' | 'anonymous' | 'password' | 'refresh_token' | 'revoke';
  scope: string | undefined;
  status: number;
  /** The Store of an in-store password grant (`/oauth/{projectKey}/in-store/key={storeKey}/customers/token`). */
  storeKey?: string;
}

interface StoredToken {
  access_token: string;
  refresh_token?: string;
  scope: string;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function identityOf(scope: string): Identity {
  const identity: Identity = {};
  for (const item of scope.split(' ')) {
    if (item.startsWith('customer_id:')) identity.customerId = item.slice('customer_id:'.length);
    if (item.startsWith('anonymous_id:')) identity.anonymousId = item.slice('anonymous_id:'.length);
  }
  return identity;
}

function notFound(reply: FastifyReply, message = 'The Resource was not found.') {
  return reply.status(404).send({ statusCode: 404, message, errors: [{ code: 'ResourceNotFound', message }] });
}

function flowOf(url: string, grantType: unknown): GrantRecord['flow'] | undefined {
  if (url.startsWith('/oauth/token/revoke')) return 'revoke';
  if (url.includes('/anonymous/token')) return 'anonymous';
  if (url.includes('/customers/token')) return 'password';
  if (url.startsWith('/oauth/token') && grantType === 'refresh_token') return 'refresh_token';
  if (url.startsWith('/oauth/token') && grantType === 'client_credentials') return 'client_credentials';
  return undefined;
}

export function applyPlatformPatches(
  mock: CommercetoolsMock,
  projectKey: string,
  grants: GrantRecord[],
  revokeCustomer: (customerId: string) => void,
): { assignCart: (cartId: string, customerId: string) => void } {
  const app: FastifyInstance = mock.app;
  const store = mock.authStore() as unknown as { tokens: StoredToken[]; validateToken(token: string): boolean };
  // A token for the embedded server's own calls into the mock (seeding, moving carts).
  const admin = mock.authStore().getClientToken('embedded-admin', '', `manage_project:${projectKey}`).access_token;
  const cartOwners = new Map<string, Identity>();

  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const tokenIdentity = (request: FastifyRequest): Identity | undefined => {
    const token = bearer(request);
    if (!token || !store.validateToken(token)) return undefined;
    const found = store.tokens.find((t) => t.access_token === token);
    return found ? identityOf(found.scope) : undefined;
  };
  const owns = (identity: Identity, owner: Identity | undefined) =>
    owner !== undefined &&
    ((identity.customerId !== undefined && owner.customerId === identity.customerId) ||
      (identity.anonymousId !== undefined && owner.anonymousId === identity.anonymousId));

  app.addHook('preHandler', async (request, reply) => {
    const url = request.url.split('?')[0] ?? '';

    const me = url.match(new RegExp(`^/${projectKey}(?:/in-store/key=[^/]+)?/me(/.*)?$`));
    if (!me) return undefined;
    const identity = tokenIdentity(request);
    if (!identity) return undefined; // the mock's own check answers 401 invalid_token
    const rest = me[1] ?? '';
    if (rest === '' && request.method === 'GET') {
      if (!identity.customerId) return notFound(reply, 'No customer is signed in with this token.');
      const customer = await inject('GET', `/${projectKey}/customers/${identity.customerId}`);
      return reply.status(customer.status).send(customer.body);
    }
    const cartId = rest.match(/^\/carts\/([^/]+)$/)?.[1];
    if (cartId && !owns(identity, cartOwners.get(cartId))) return notFound(reply);
    if (rest === '/active-cart' && request.method === 'GET') {
      const ids = [...cartOwners].filter(([, owner]) => owns(identity, owner)).map(([id]) => id);
      for (const id of ids.reverse()) {
        const cart = await inject('GET', `/${projectKey}/carts/${id}`);
        if (cart.status === 200 && cart.body['cartState'] === 'Active') return reply.send(cart.body);
      }
      return notFound(reply, 'No active cart exists.');
    }
    return undefined;
  });

  // Store membership, as on the platform: a customer created in a Store is that Store's; a Store's
  // customer signs in only in that Store (backend sign-in, and through it the password grant of the
  // strict front), a global one anywhere. The mock creates in-store customers without the Store and
  // signs anyone in anywhere.
  const signsInHere = (stores: string[] | undefined, storeKey: string | undefined) =>
    stores !== undefined && (stores.length === 0 || (storeKey !== undefined && stores.includes(storeKey)));
  app.addHook('preHandler', (request, _reply, done) => {
    const url = request.url.split('?')[0] ?? '';
    const body = (request.body ?? {}) as Record<string, unknown>;
    const signUp =
      request.method === 'POST' ? url.match(new RegExp(`^/${projectKey}/in-store/key=([^/]+)/customers$`)) : null;
    if (signUp && body['stores'] === undefined)
      body['stores'] = [{ typeId: 'store', key: decodeURIComponent(signUp[1]!) }];
    done();
  });

  applyAssociatePatches({ app, projectKey, inject, tokenIdentity });

  // A cart created through /me belongs to the token's shopper, as on the platform.
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.url.split('?')[0] ?? '';
    if (
      request.method !== 'POST' ||
      !new RegExp(`^/${projectKey}(?:/in-store/key=[^/]+)?/me/carts$`).test(url) ||
      reply.statusCode !== 201 ||
      typeof payload !== 'string'
    )
      return payload;
    const identity = tokenIdentity(request);
    const cart = JSON.parse(payload) as { id: string; version: number };
    if (!identity) return payload;
    cartOwners.set(cart.id, identity);
    const action = identity.customerId
      ? { action: 'setCustomerId', customerId: identity.customerId }
      : { action: 'setAnonymousId', anonymousId: identity.anonymousId };
    const updated = await inject('POST', `/${projectKey}/carts/${cart.id}`, {
      version: cart.version,
      actions: [action],
    });
    return JSON.stringify(updated.body);
  });

  app.addHook('onResponse', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const flow = flowOf(request.url, body['grant_type']);
    const inStore = request.url.match(/\/in-store\/key=([^/]+)\/customers\/token/)?.[1];
    if (flow)
      grants.push({
        flow,
        scope: typeof body['scope'] === 'string' ? body['scope'] : undefined,
        status: reply.statusCode,
        ...(inStore === undefined ? {} : { storeKey: decodeURIComponent(inStore) }),
      });
  });

  const login = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(request);
    if (!token || !store.validateToken(token))
      return reply.status(401).send({
        statusCode: 401,
        message: 'invalid_token',
        errors: [{ code: 'invalid_token', message: 'invalid_token' }],
        error: 'invalid_token',
      });
    const body = request.body as { email?: string; password?: string; anonymousId?: string };
    const signIn = await app.inject({
      method: 'POST',
      url: `/${projectKey}/me/login`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: body.email, password: body.password }),
    });
    if (signIn.statusCode !== 200) return reply.status(signIn.statusCode).send(signIn.json());
    const customer = signIn.json<{ customer: { id: string; stores?: { key?: string }[] } }>().customer;
    const storeKey = (request.params as { storeKey?: string }).storeKey;
    const stores = (customer.stores ?? []).flatMap((s) => (s.key === undefined ? [] : [s.key]));
    if (!signsInHere(stores, storeKey)) {
      const message = 'Account with the given credentials not found.';
      return reply.status(400).send({ statusCode: 400, message, errors: [{ code: 'InvalidCredentials', message }] });
    }
    let cart: unknown;
    for (const [id, owner] of cartOwners) {
      if (!body.anonymousId || owner.anonymousId !== body.anonymousId) continue;
      const current = await inject('GET', `/${projectKey}/carts/${id}`);
      const moved = await inject('POST', `/${projectKey}/carts/${id}`, {
        version: current.body['version'],
        actions: [{ action: 'setCustomerId', customerId: customer.id }],
      });
      cartOwners.set(id, { customerId: customer.id });
      cart = moved.body;
    }
    return reply.status(200).send({ customer, ...(cart ? { cart } : {}) });
  };
  app.post(`/${projectKey}/login`, login);
  // In-store sign-in: Store membership checked as above; the cart moves the same way.
  app.post(`/${projectKey}/in-store/key=:storeKey/login`, login);

  // Reset and verification tokens as on the platform: each works once, and a password reset revokes
  // every password-flow and refresh-flow token of the customer (the mock does neither).
  const usedAccountTokens = new Set<string>();
  const accountTokenRoute = /\/customers\/(password\/reset|email\/confirm)$/;
  app.addHook('preHandler', async (request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    if (request.method !== 'POST' || !accountTokenRoute.test(url)) return undefined;
    const tokenValue = (request.body as Record<string, unknown> | undefined)?.['tokenValue'];
    if (typeof tokenValue === 'string' && usedAccountTokens.has(tokenValue))
      return notFound(reply, 'The token was not found.');
    return undefined;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.url.split('?')[0] ?? '';
    const match = url.match(accountTokenRoute);
    if (request.method !== 'POST' || !match || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    const tokenValue = (request.body as Record<string, unknown> | undefined)?.['tokenValue'];
    if (typeof tokenValue === 'string') usedAccountTokens.add(tokenValue);
    if (match[1] === 'password/reset') {
      const customerId = (JSON.parse(payload) as { id?: unknown }).id;
      if (typeof customerId === 'string') revokeCustomer(customerId);
    }
    return payload;
  });
  // Merge Cart (mergeCartPatch) hands a cart to a customer: /me sees it as theirs from then on.
  return { assignCart: (cartId, customerId) => void cartOwners.set(cartId, { customerId }) };
}
