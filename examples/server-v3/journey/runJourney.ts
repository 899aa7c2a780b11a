import type { GrantRecord } from 'ctp-client/testing';
import { ShopperClient } from './ShopperClient';

export interface JourneyStep {
  name: string;
  request: string;
  status: number;
  expectedStatus: number;
  /** Token requests the auth server answered during the step. */
  grants: GrantRecord[];
  ok: boolean;
  detail: string;
  problems: string[];
}

export interface JourneyReport {
  steps: JourneyStep[];
  summary: {
    grantsByFlow: Record<string, number>;
    anonymousSessions: number;
    customerSessions: number;
    failedSteps: number;
    errorResponses: number;
  };
  ok: boolean;
}

export interface JourneyContext {
  baseUrl: string;
  grants: GrantRecord[];
  customer: { email: string; password: string };
  categoryId: string;
  sku: string;
  /** Signs the seeded customer in at the shop's identity provider: its token (External OAuth). */
  providerToken(): string;
  /** Moves the app's clock forward, so its tokens look expired. */
  advanceClock(ms: number): void;
  /** What the app's sendToken handed to the mailer: the only place a reset or verification token goes. */
  outbox: readonly { kind: string; email: string; tokenValue: string }[];
  /**
   * Resolves when the app's background work has settled (CtpSession.settled()): a sign-in answers
   * before revoking the anonymous tokens, so a step waits for that before counting its token requests.
   */
  settled?: () => Promise<void>;
}

type Body = Record<string, unknown> | undefined;

/**
 * The scripted shopper: browse as guest, create a cart (the anonymous session appears), log in (the
 * cart moves to the customer), read the profile, let the token expire and read again (one refresh),
 * let customer service change the cart under a lock, start a Checkout session (and get the same
 * again), log out; then the account steps (sign-up, password change and reset, email verification), a B2B
 * read as an associate, a Store shopper's journey, and a shopper signed in at the shop's identity
 * provider. Each step states what it expects, so the
 * journey checks itself. The embedded commercetools is started with JOURNEY_COMMERCETOOLS.
 */
export async function runJourney(context: JourneyContext): Promise<JourneyReport> {
  const shopper = new ShopperClient(context.baseUrl);
  const steps: JourneyStep[] = [];
  let anonymousId: string | undefined;
  let customerId: string | undefined;

  async function step(
    name: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    expected: { status: number; grants: GrantRecord['flow'][] },
    check: (body: Body, grants: GrantRecord[]) => { detail: string; problems?: string[] },
    client: ShopperClient = shopper,
  ): Promise<Body> {
    const before = context.grants.length;
    const answer = await client.request(method, path, body);
    await context.settled?.();
    const grants = context.grants.slice(before);
    const problems: string[] = [];
    if (answer.status !== expected.status) problems.push(`status ${answer.status}, expected ${expected.status}`);
    const flows = grants.map((g) => g.flow).join(',');
    if (flows !== expected.grants.join(','))
      problems.push(`grants [${flows}], expected [${expected.grants.join(',')}]`);
    const result = check(answer.body as Body, grants);
    problems.push(...(result.problems ?? []));
    steps.push({
      name,
      request: `${method} ${path}`,
      status: answer.status,
      expectedStatus: expected.status,
      grants,
      ok: problems.length === 0,
      detail: result.detail,
      problems,
    });
    return answer.body as Body;
  }

  await step('browse as guest', 'GET', '/products', undefined, { status: 200, grants: ['anonymous'] }, (b) => {
    const products = (b as unknown as { name: string }[] | undefined) ?? [];
    return {
      detail: `${products.length} products via the shared guest token`,
      problems: products.length > 0 ? [] : ['no products'],
    };
  });
  await step(
    'read a category as the integration',
    'GET',
    `/categories/${context.categoryId}`,
    undefined,
    { status: 200, grants: ['client_credentials'] },
    (b) => ({
      detail: `category "${(b?.['name'] as Record<string, string> | undefined)?.['en']}"`,
    }),
  );
  await step('browse again', 'GET', '/products', undefined, { status: 200, grants: [] }, () => ({
    detail: 'guest token reused, no grant',
  }));
  await step('profile before signing in', 'GET', '/me', undefined, { status: 401, grants: [] }, (b) => ({
    detail: `refused: ${String(b?.['error'])}`,
  }));
  await step(
    'create a cart',
    'POST',
    '/cart',
    { sku: context.sku, quantity: 2 },
    { status: 201, grants: ['anonymous'] },
    (b) => {
      anonymousId = b?.['anonymousId'] as string | undefined;
      return {
        detail: `cart for anonymous session ${anonymousId ?? '?'}`,
        problems: anonymousId ? [] : ['cart has no anonymousId'],
      };
    },
  );
  await step('read the cart', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `${(b?.['lineItems'] as unknown[] | undefined)?.length ?? 0} line item(s)`,
    problems: b?.['anonymousId'] === anonymousId ? [] : ['another cart came back'],
  }));
  await step(
    'log in with a wrong password',
    'POST',
    '/login',
    { email: context.customer.email, password: 'not-the-password' },
    { status: 400, grants: ['password'] },
    (b) => ({
      detail: `refused: ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_INVALID_CREDENTIALS' ? [] : ['expected CTP_INVALID_CREDENTIALS'],
    }),
  );
  await step(
    'log in',
    'POST',
    '/login',
    context.customer,
    { status: 200, grants: ['password', 'revoke', 'revoke'] },
    (b) => {
      customerId = b?.['customerId'] as string | undefined;
      return { detail: `customer ${customerId ?? '?'}; anonymous tokens revoked` };
    },
  );
  await step('read the cart as the customer', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `the anonymous cart now belongs to customer ${String(b?.['customerId'])}`,
    problems:
      b?.['customerId'] === customerId && customerId !== undefined ? [] : ['the cart did not move to the customer'],
  }));
  await step('read the profile', 'GET', '/me', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `${String(b?.['email'])}`,
    problems: b?.['email'] === context.customer.email ? [] : ['another profile came back'],
  }));
  await step(
    'customer service sets the cart email under a lock',
    'POST',
    `/agent/customers/${customerId ?? 'unknown'}/cart-email`,
    { agentId: 'agent-7', email: 'alice+support@example.com' },
    { status: 200, grants: ['client_credentials'] },
    (b, grants) => ({
      detail: `cart ${String(b?.['id'])} changed while locked, as agent-7, with a token of ${grants[0]?.scope ?? '?'}`,
      problems: [
        ...(b?.['customerEmail'] === 'alice+support@example.com' ? [] : ['the email was not set']),
        ...(b?.['lockedWhileChanged'] === true ? [] : ['the cart was not locked during the change']),
        ...(grants[0]?.scope?.includes('manage_locked_carts:') ? [] : ['not the customerService set']),
      ],
    }),
  );
  await step('read the cart after customer service', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `the shopper sees the agent's change (${String(b?.['customerEmail'])}); the lock is released`,
    problems: [
      ...(b?.['customerEmail'] === 'alice+support@example.com' ? [] : ["the agent's change is missing"]),
      ...(b?.['lock'] === undefined ? [] : ['the cart is still locked']),
    ],
  }));
  let checkoutSessionId: unknown;
  await step(
    'start checkout',
    'POST',
    '/checkout',
    {},
    { status: 200, grants: ['client_credentials'] },
    (b, grants) => {
      checkoutSessionId = b?.['sessionId'];
      return {
        detail: `Checkout session ${String(checkoutSessionId)} for the cart, created with a token of ${grants[0]?.scope ?? '?'}`,
        problems: [
          ...(typeof checkoutSessionId === 'string' ? [] : ['no sessionId']),
          ...(Object.keys(b ?? {}).join(',') === 'sessionId,expiresAt' ? [] : ['more than the session id and expiry']),
          ...(grants[0]?.scope?.split(' ').every((s) => s.startsWith('manage_sessions:'))
            ? []
            : ['not manage_sessions alone']),
        ],
      };
    },
  );
  await step('start checkout again', 'POST', '/checkout', {}, { status: 200, grants: [] }, (b) => ({
    detail: 'the same session, kept: nothing sent to Checkout',
    problems: b?.['sessionId'] === checkoutSessionId ? [] : ['another session came back'],
  }));
  context.advanceClock(49 * 3_600_000);
  await step(
    'read the profile 49 h later',
    'GET',
    '/me',
    undefined,
    { status: 200, grants: ['refresh_token', 'revoke'] },
    (b) => ({
      detail: `token expired: one refresh, the replaced access token revoked, same customer (${String(b?.['email'])})`,
      problems: b?.['email'] === context.customer.email ? [] : ['another profile came back'],
    }),
  );
  await step('log out', 'POST', '/logout', undefined, { status: 204, grants: ['revoke', 'revoke'] }, () => ({
    detail: 'access and refresh token revoked, session cleared',
  }));
  await step('profile after signing out', 'GET', '/me', undefined, { status: 401, grants: [] }, (b) => ({
    detail: `refused: ${String(b?.['error'])}`,
  }));

  // Shopper accounts (issue 13): sign-up keeps the cart, a password change keeps the session, a
  // reset's token goes to the mailer only and ends the customer's other sessions.
  const newcomer = { email: 'newcomer@example.com', password: 'Newcomer-Passw0rd!' };
  const changed = 'Changed-Passw0rd!';
  const reset = 'Reset-Passw0rd!';
  let secondCartAnonymousId: string | undefined;
  let newcomerId: string | undefined;
  await step(
    'create a cart on a second visit',
    'POST',
    '/cart',
    { sku: context.sku, quantity: 1 },
    { status: 201, grants: ['anonymous'] },
    (b) => {
      secondCartAnonymousId = b?.['anonymousId'] as string | undefined;
      return {
        detail: `cart for anonymous session ${secondCartAnonymousId ?? '?'}`,
        problems: secondCartAnonymousId ? [] : ['cart has no anonymousId'],
      };
    },
  );
  await step(
    'sign up from the anonymous cart',
    'POST',
    '/signup',
    newcomer,
    { status: 201, grants: ['client_credentials', 'password', 'revoke', 'revoke'] },
    (b) => {
      newcomerId = b?.['customerId'] as string | undefined;
      return {
        detail: `customer ${newcomerId ?? '?'} created through the integration, signed in; anonymous tokens revoked`,
      };
    },
  );
  await step('find the cart on the new account', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `the anonymous cart now belongs to customer ${String(b?.['customerId'])}`,
    problems:
      b?.['customerId'] === newcomerId && newcomerId !== undefined ? [] : ['the cart did not move to the new account'],
  }));
  await step('sign up again with the same email', 'POST', '/signup', newcomer, { status: 409, grants: [] }, (b) => ({
    detail: `refused: ${String(b?.['error'])}`,
    problems: b?.['error'] === 'CTP_EMAIL_TAKEN' ? [] : ['expected CTP_EMAIL_TAKEN'],
  }));
  await step(
    'change the password',
    'POST',
    '/password',
    { currentPassword: newcomer.password, newPassword: changed },
    { status: 204, grants: ['password', 'revoke', 'revoke'] },
    () => ({
      detail: "changed in the shopper's name; signed in again with the new password, old tokens revoked",
    }),
  );
  await step('still signed in after the change', 'GET', '/me', undefined, { status: 200, grants: [] }, (b) => ({
    detail: String(b?.['email']),
    problems: b?.['email'] === newcomer.email ? [] : ['another profile came back'],
  }));
  const otherBrowser = new ShopperClient(context.baseUrl);
  await step(
    'sign in on another browser',
    'POST',
    '/login',
    { email: newcomer.email, password: changed },
    { status: 200, grants: ['password'] },
    () => ({ detail: 'a second session of the same customer' }),
    otherBrowser,
  );
  const sentBefore = context.outbox.length;
  let resetToken: string | undefined;
  let resetAnswer = '';
  await step(
    'request a password reset',
    'POST',
    '/password/reset-request',
    { email: newcomer.email },
    { status: 202, grants: [] },
    (b) => {
      resetToken = context.outbox.slice(sentBefore).find((m) => m.kind === 'password-reset')?.tokenValue;
      resetAnswer = JSON.stringify(b);
      return {
        detail: 'token handed to the mailer; the response holds no token',
        problems: [
          ...(resetToken ? [] : ['no token reached the mailer']),
          ...(resetToken && resetAnswer.includes(resetToken) ? ['the response holds the token'] : []),
        ],
      };
    },
  );
  await step(
    'request a reset for an unknown email',
    'POST',
    '/password/reset-request',
    { email: 'nobody@example.com' },
    { status: 202, grants: [] },
    (b) => ({
      detail: 'the same answer: no account enumeration',
      problems: JSON.stringify(b) === resetAnswer ? [] : ["the answer differs from an existing email's"],
    }),
  );
  await step(
    'reset the password with the mailed token',
    'POST',
    '/password/reset',
    { tokenValue: resetToken ?? '', newPassword: reset },
    { status: 204, grants: ['revoke', 'revoke'] },
    () => ({
      detail: "password reset; this browser's session of that customer signed out and revoked",
    }),
  );
  await step(
    'use the reset link again',
    'POST',
    '/password/reset',
    { tokenValue: resetToken ?? '', newPassword: 'Another-Passw0rd!' },
    { status: 400, grants: [] },
    (b) => ({
      detail: `refused: ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_ACCOUNT_TOKEN_INVALID' ? [] : ['expected CTP_ACCOUNT_TOKEN_INVALID'],
    }),
  );
  context.advanceClock(49 * 3_600_000);
  await step(
    'the other browser at its next refresh',
    'GET',
    '/me',
    undefined,
    { status: 401, grants: ['refresh_token'] },
    (b) => ({
      detail: `the platform revoked the customer's tokens on reset: ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_SESSION_EXPIRED' ? [] : ['expected CTP_SESSION_EXPIRED'],
    }),
    otherBrowser,
  );
  await step(
    'sign in with the new password',
    'POST',
    '/login',
    { email: newcomer.email, password: reset },
    { status: 200, grants: ['password'] },
    (b) => ({
      detail: `customer ${String(b?.['customerId'])}`,
      problems: b?.['customerId'] === newcomerId ? [] : ['another customer signed in'],
    }),
  );
  const verificationsBefore = context.outbox.length;
  let verifyToken: string | undefined;
  await step(
    'request email verification',
    'POST',
    '/email/verification',
    undefined,
    { status: 202, grants: ['client_credentials'] },
    () => {
      verifyToken = context.outbox.slice(verificationsBefore).find((m) => m.kind === 'email-verification')?.tokenValue;
      return { detail: 'token handed to the mailer', problems: verifyToken ? [] : ['no token reached the mailer'] };
    },
  );
  await step(
    'confirm the email',
    'POST',
    '/email/confirm',
    { tokenValue: verifyToken ?? '' },
    { status: 204, grants: [] },
    () => ({ detail: 'email confirmed' }),
  );

  // B2B: the associate is the session's customer; the platform checks the associate's permissions.
  await step(
    'B2B: a customer who is not an associate of the unit',
    'GET',
    '/b2b/acme/carts',
    undefined,
    { status: 403, grants: [] },
    (b) => ({
      detail: `refused by the platform (AssociateMissingPermission): ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_API_FORBIDDEN' ? [] : ['expected CTP_API_FORBIDDEN'],
    }),
  );
  await step(
    'B2B: sign in as an associate of the unit',
    'POST',
    '/login',
    context.customer,
    { status: 200, grants: ['password', 'revoke', 'revoke'] },
    (b) => ({
      detail: `customer ${String(b?.['customerId'])}; the previous customer's tokens revoked`,
      problems: b?.['customerId'] === customerId ? [] : ['another customer signed in'],
    }),
  );
  let b2bCartId: string | undefined;
  await step(
    'B2B: create a cart in the business unit as the associate',
    'POST',
    '/b2b/acme/carts',
    undefined,
    { status: 201, grants: [] },
    (b) => {
      b2bCartId = b?.['id'] as string | undefined;
      return {
        detail: `cart ${b2bCartId ?? '?'} of unit ${String(b?.['businessUnit'])} for associate ${String(b?.['customerId'])} (id from the session, call with the integration token)`,
        problems:
          b?.['customerId'] === customerId && b?.['businessUnit'] === 'acme'
            ? []
            : ["the cart is not the associate's in the unit"],
      };
    },
  );
  await step(
    'B2B: carts of the business unit as the signed-in associate',
    'GET',
    '/b2b/acme/carts',
    undefined,
    { status: 200, grants: [] },
    (b) => {
      const carts = (b?.['carts'] as { id: string; customerId?: string }[] | undefined) ?? [];
      return {
        detail: `${carts.length} cart(s): the one just created, no other shopper's`,
        problems:
          carts.length === 1 && carts[0]?.id === b2bCartId
            ? []
            : [`expected exactly the unit's cart, got ${carts.length}`],
      };
    },
  );

  // A Store's shopper (another browser): the session is the Store's from its first token on, signs up
  // in that Store with the Store's scopes, and is never served in, or signed into, another Store.
  const storeShopper = new ShopperClient(context.baseUrl);
  const stina = { email: 'stina@example.com', password: 'Stina-Passw0rd!' };
  const inStore = (scope: string | undefined, name: string) =>
    (scope ?? '').split(' ').some((s) => s.startsWith(`${name}:`) && s.endsWith(':nordic'));
  const projectWide = (scope: string | undefined, name: string) =>
    (scope ?? '').split(' ').some((s) => s.startsWith(`${name}:`) && s.split(':').length === 2);
  let storeCartId: string | undefined;
  let stinaId: string | undefined;
  await step(
    'Store: create a cart in Store nordic',
    'POST',
    '/stores/nordic/cart',
    { sku: context.sku, quantity: 1 },
    { status: 201, grants: ['anonymous'] },
    (b, grants) => {
      storeCartId = b?.['id'] as string | undefined;
      const store = (b?.['store'] as { key?: string } | undefined)?.key;
      return {
        detail: `anonymous session of Store ${store ?? '?'} (its grant asked manage_my_orders for nordic only); cart ${storeCartId ?? '?'}`,
        problems: [
          ...(store === 'nordic' ? [] : ["the cart is not the Store's"]),
          ...(inStore(grants[0]?.scope, 'manage_my_orders') && !projectWide(grants[0]?.scope, 'manage_my_orders')
            ? []
            : ["the anonymous grant did not ask the Store's scopes"]),
        ],
      };
    },
    storeShopper,
  );
  await step(
    'Store: sign up in Store nordic from the anonymous cart',
    'POST',
    '/stores/nordic/signup',
    stina,
    { status: 201, grants: ['password', 'revoke', 'revoke'] },
    (b, grants) => {
      stinaId = b?.['customerId'] as string | undefined;
      return {
        detail: `customer ${stinaId ?? '?'} of Store ${String(b?.['storeKey'])}, created in the Store, signed in with the in-store password grant (manage_my_profile for nordic only); anonymous tokens revoked`,
        problems: [
          ...(b?.['storeKey'] === 'nordic' ? [] : ["the session is not the Store's"]),
          ...(inStore(grants[0]?.scope, 'manage_my_profile') && !projectWide(grants[0]?.scope, 'manage_my_profile')
            ? []
            : ["the password grant did not ask the Store's scopes"]),
          ...(grants[0]?.storeKey === 'nordic' ? [] : ["the password grant was not the Store's in-store grant"]),
        ],
      };
    },
    storeShopper,
  );
  await step(
    'Store: read the cart in the Store',
    'GET',
    '/stores/nordic/cart',
    undefined,
    { status: 200, grants: [] },
    (b) => ({
      detail: `in-store read: the Store's anonymous cart now belongs to customer ${String(b?.['customerId'])}`,
      problems:
        b?.['id'] === storeCartId && b?.['customerId'] === stinaId && stinaId !== undefined
          ? []
          : ['the cart did not move to the Store customer'],
    }),
    storeShopper,
  );
  await step(
    'Store: read the profile in the Store',
    'GET',
    '/stores/nordic/me',
    undefined,
    { status: 200, grants: [] },
    (b) => ({
      detail: `${String(b?.['email'])}, customer of Store(s) ${JSON.stringify(b?.['stores'])}`,
      problems:
        b?.['id'] === stinaId && JSON.stringify(b?.['stores']) === '["nordic"]'
          ? []
          : ["another profile, or not the Store's customer"],
    }),
    storeShopper,
  );
  await step(
    'Store: the same session asked for in Store alpine',
    'GET',
    '/stores/alpine/cart',
    undefined,
    { status: 409, grants: [] },
    (b) => ({
      detail: `refused before any call: ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_STORE_MISMATCH' ? [] : ['expected CTP_STORE_MISMATCH'],
    }),
    storeShopper,
  );
  await step(
    'Store: sign in to Store alpine on the same session',
    'POST',
    '/stores/alpine/login',
    stina,
    { status: 409, grants: [] },
    (b) => ({
      detail: `refused before any token request: ${String(b?.['error'])}`,
      problems: b?.['error'] === 'CTP_STORE_MISMATCH' ? [] : ['expected CTP_STORE_MISMATCH'],
    }),
    storeShopper,
  );
  await step(
    'Store: sign in to Store alpine on a new browser',
    'POST',
    '/stores/alpine/login',
    stina,
    { status: 400, grants: ['password'] },
    (b, grants) => ({
      detail: `the platform refuses a Store's customer in another Store (in-store grant answered ${String(grants[0]?.status)}): ${String(b?.['error'])}`,
      problems:
        b?.['error'] === 'CTP_INVALID_CREDENTIALS' && grants[0]?.status === 400 && grants[0]?.storeKey === 'alpine'
          ? []
          : ['expected CTP_INVALID_CREDENTIALS from the in-store grant of alpine'],
    }),
    new ShopperClient(context.baseUrl),
  );
  await step(
    'Store: still signed in to Store nordic',
    'GET',
    '/stores/nordic/me',
    undefined,
    { status: 200, grants: [] },
    (b) => ({
      detail: String(b?.['email']),
      problems: b?.['id'] === stinaId ? [] : ['the Store session changed'],
    }),
    storeShopper,
  );

  // A shopper signed in at the shop's identity provider (another browser): commercetools accepts the
  // provider's token through External OAuth, the visitor's cart is merged into the customer's, and
  // signing out sends nothing of the provider to commercetools.
  const federated = new ShopperClient(context.baseUrl);
  await step(
    'External: create a cart as a visitor',
    'POST',
    '/cart',
    { sku: context.sku, quantity: 1 },
    { status: 201, grants: ['anonymous'] },
    (b) => ({ detail: `cart ${String(b?.['id'])} of an anonymous session` }),
    federated,
  );
  await step(
    "External: sign in with the identity provider's token",
    'POST',
    '/login/external',
    { token: context.providerToken() },
    { status: 200, grants: ['revoke', 'revoke'] },
    (b) => {
      const signedIn = b?.['customerId'];
      return {
        detail:
          typeof signedIn === 'string'
            ? `customer ${signedIn}; the visitor's cart merged with Merge Cart, the anonymous tokens revoked`
            : `refused: ${String(b?.['error'])} ${String(b?.['message'])}`,
        problems: signedIn === customerId ? [] : ['another customer'],
      };
    },
    federated,
  );
  await step(
    "External: read the profile with the provider's token",
    'GET',
    '/me',
    undefined,
    { status: 200, grants: [] },
    (b) => ({
      detail: `${String(b?.['email'])}: commercetools asked the shop's introspection endpoint about the token`,
      problems: b?.['email'] === context.customer.email ? [] : ['another profile came back'],
    }),
    federated,
  );
  await step(
    "External: the customer's active cart after Merge Cart",
    'GET',
    '/cart',
    undefined,
    { status: 200, grants: [] },
    (b) => {
      const skus = ((b?.['lineItems'] as { variant?: { sku?: string } }[] | undefined) ?? []).map(
        (l) => l.variant?.sku,
      );
      return {
        detail: `cart of customer ${String(b?.['customerId'])}, with the visitor's item (${context.sku})`,
        problems: [
          ...(b?.['customerId'] === customerId ? [] : ['the cart is not the customer’s']),
          ...(skus.includes(context.sku) ? [] : ["the visitor's item is missing"]),
        ],
      };
    },
    federated,
  );
  await step(
    'External: log out',
    'POST',
    '/logout',
    undefined,
    { status: 204, grants: [] },
    () => ({ detail: "session cleared; the provider's token is the shop's to revoke, nothing sent to commercetools" }),
    federated,
  );

  const grantsByFlow: Record<string, number> = {};
  for (const s of steps) for (const g of s.grants) grantsByFlow[g.flow] = (grantsByFlow[g.flow] ?? 0) + 1;
  const all = steps.flatMap((s) => s.grants);
  const summary = {
    grantsByFlow,
    // The guest token is an anonymous grant too, but starts no session.
    anonymousSessions: all.filter((g) => g.flow === 'anonymous' && g.status === 200).length - 1,
    customerSessions: all.filter((g) => g.flow === 'password' && g.status === 200).length,
    failedSteps: steps.filter((s) => !s.ok).length,
    errorResponses: steps.filter((s) => s.status >= 400).length,
  };
  return { steps, summary, ok: summary.failedSteps === 0 };
}
