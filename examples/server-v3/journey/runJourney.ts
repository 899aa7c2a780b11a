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
  summary: { grantsByFlow: Record<string, number>; anonymousSessions: number; customerSessions: number; failedSteps: number; errorResponses: number };
  ok: boolean;
}

export interface JourneyContext {
  baseUrl: string;
  grants: GrantRecord[];
  customer: { email: string; password: string };
  categoryId: string;
  sku: string;
  /** Moves the app's clock forward, so its tokens look expired. */
  advanceClock(ms: number): void;
}

type Body = Record<string, unknown> | undefined;

/**
 * The scripted shopper: browse as guest, create a cart (the anonymous session appears), log in (the
 * cart moves to the customer), read the profile, let the token expire and read again (one refresh),
 * log out. Each step states what it expects, so the journey checks itself.
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
    check: (body: Body) => { detail: string; problems?: string[] },
  ): Promise<Body> {
    const before = context.grants.length;
    const answer = await shopper.request(method, path, body);
    const grants = context.grants.slice(before);
    const problems: string[] = [];
    if (answer.status !== expected.status) problems.push(`status ${answer.status}, expected ${expected.status}`);
    const flows = grants.map((g) => g.flow).join(',');
    if (flows !== expected.grants.join(',')) problems.push(`grants [${flows}], expected [${expected.grants.join(',')}]`);
    const result = check(answer.body as Body);
    problems.push(...(result.problems ?? []));
    steps.push({ name, request: `${method} ${path}`, status: answer.status, expectedStatus: expected.status, grants, ok: problems.length === 0, detail: result.detail, problems });
    return answer.body as Body;
  }

  await step('browse as guest', 'GET', '/products', undefined, { status: 200, grants: ['anonymous'] }, (b) => {
    const products = (b as unknown as { name: string }[] | undefined) ?? [];
    return { detail: `${products.length} products via the shared guest token`, problems: products.length > 0 ? [] : ['no products'] };
  });
  await step('read a category as the integration', 'GET', `/categories/${context.categoryId}`, undefined, { status: 200, grants: ['client_credentials'] }, (b) => ({
    detail: `category "${(b?.['name'] as Record<string, string> | undefined)?.['en']}"`,
  }));
  await step('browse again', 'GET', '/products', undefined, { status: 200, grants: [] }, () => ({ detail: 'guest token reused, no grant' }));
  await step('profile before signing in', 'GET', '/me', undefined, { status: 401, grants: [] }, (b) => ({ detail: `refused: ${String(b?.['error'])}` }));
  await step('create a cart', 'POST', '/cart', { sku: context.sku, quantity: 2 }, { status: 201, grants: ['anonymous'] }, (b) => {
    anonymousId = b?.['anonymousId'] as string | undefined;
    return { detail: `cart for anonymous session ${anonymousId ?? '?'}`, problems: anonymousId ? [] : ['cart has no anonymousId'] };
  });
  await step('read the cart', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `${(b?.['lineItems'] as unknown[] | undefined)?.length ?? 0} line item(s)`,
    problems: b?.['anonymousId'] === anonymousId ? [] : ['another cart came back'],
  }));
  await step('log in with a wrong password', 'POST', '/login', { email: context.customer.email, password: 'not-the-password' }, { status: 400, grants: ['password'] }, (b) => ({
    detail: `refused: ${String(b?.['error'])}`,
    problems: b?.['error'] === 'CTP_INVALID_CREDENTIALS' ? [] : ['expected CTP_INVALID_CREDENTIALS'],
  }));
  await step('log in', 'POST', '/login', context.customer, { status: 200, grants: ['password', 'revoke', 'revoke'] }, (b) => {
    customerId = b?.['customerId'] as string | undefined;
    return { detail: `customer ${customerId ?? '?'}; anonymous tokens revoked` };
  });
  await step('read the cart as the customer', 'GET', '/cart', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `the anonymous cart now belongs to customer ${String(b?.['customerId'])}`,
    problems: b?.['customerId'] === customerId && customerId !== undefined ? [] : ['the cart did not move to the customer'],
  }));
  await step('read the profile', 'GET', '/me', undefined, { status: 200, grants: [] }, (b) => ({
    detail: `${String(b?.['email'])}`,
    problems: b?.['email'] === context.customer.email ? [] : ['another profile came back'],
  }));
  context.advanceClock(49 * 3_600_000);
  await step('read the profile 49 h later', 'GET', '/me', undefined, { status: 200, grants: ['refresh_token', 'revoke'] }, (b) => ({
    detail: `token expired: one refresh, the replaced access token revoked, same customer (${String(b?.['email'])})`,
    problems: b?.['email'] === context.customer.email ? [] : ['another profile came back'],
  }));
  await step('log out', 'POST', '/logout', undefined, { status: 204, grants: ['revoke', 'revoke'] }, () => ({ detail: 'access and refresh token revoked, session cleared' }));
  await step('profile after signing out', 'GET', '/me', undefined, { status: 401, grants: [] }, (b) => ({ detail: `refused: ${String(b?.['error'])}` }));

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
