import { describe, expect, it } from 'vitest';
import { StrictAuth } from '../../../src/testing/auth/StrictAuth';
import { FakeCheckoutHost } from '../../../src/testing/checkout/FakeCheckoutHost';

const BASIC = `Basic ${Buffer.from('client:secret').toString('base64')}`;

async function world() {
  let now = Date.UTC(2026, 11, 7);
  const auth = new StrictAuth({
    projectKey: 'shop',
    clients: [{ id: 'client', secret: 'secret' }],
    now: () => now,
    expiresIn: () => 172_800,
    signIn: () => undefined,
  });
  const grant = async (scope: string) =>
    (
      (
        await auth.answer({
          path: '/oauth/token',
          authorization: BASIC,
          form: new URLSearchParams({ grant_type: 'client_credentials', scope }),
        })
      ).body as { access_token: string }
    ).access_token;
  const host = new FakeCheckoutHost({
    projectKey: 'shop',
    now: () => now,
    owner: (token) => auth.owner(token),
    cartExists: (id) => id === 'cart-1',
  });
  const post = (token: string, path: string, json: unknown) =>
    host.answer({ method: 'POST', path: `/shop${path}`, authorization: `Bearer ${token}`, json });
  const draft = { cart: { cartRef: { id: 'cart-1' } }, metadata: { applicationKey: 'app' } };
  return { host, grant, post, draft, advance: (ms: number) => (now += ms), auth };
}

describe('FakeCheckoutHost', () => {
  it('should create a session for a token holding manage_sessions, and refuse one without it (403) or an unknown token (401)', async () => {
    const w = await world();
    const created = await w.post(await w.grant('manage_sessions:shop'), '/sessions', w.draft);
    expect(created).toMatchObject({
      status: 201,
      body: { state: 'ACTIVE', activeCart: { cartRef: { id: 'cart-1' } } },
    });
    expect(await w.post(await w.grant('manage_orders:shop'), '/sessions', w.draft)).toMatchObject({
      status: 403,
      body: { errors: [{ code: 'insufficient_scope' }] },
    });
    expect((await w.post('forged', '/sessions', w.draft)).status).toBe(401);
    expect([...w.host.sessions.values()].map((s) => s.createdWith)).toEqual([['manage_sessions:shop']]);
  });

  it('should refuse an unknown cart with CartNotFound, and a draft without application key', async () => {
    const w = await world();
    const token = await w.grant('manage_sessions:shop');
    expect(await w.post(token, '/sessions', { ...w.draft, cart: { cartRef: { id: 'nope' } } })).toMatchObject({
      status: 400,
      body: { errors: [{ code: 'CartNotFound' }] },
    });
    expect((await w.post(token, '/sessions', { cart: w.draft.cart })).status).toBe(400);
  });

  it('should extend a session with the refresh action, and answer ExpiredSession once it expired', async () => {
    const w = await world();
    const token = await w.grant('manage_sessions:shop');
    const { id, expiryAt } = (await w.post(token, '/sessions', w.draft)).body as { id: string; expiryAt: string };
    w.advance(30 * 60_000);
    const refreshed = await w.post(token, `/sessions/${id}`, { actions: [{ action: 'refresh' }] });
    expect(refreshed.status).toBe(200);
    expect(Date.parse((refreshed.body as { expiryAt: string }).expiryAt)).toBe(Date.parse(expiryAt) + 30 * 60_000);
    w.advance(60 * 60_000);
    expect(await w.post(token, `/sessions/${id}`, { actions: [{ action: 'refresh' }] })).toMatchObject({
      status: 400,
      body: { errors: [{ code: 'ExpiredSession' }] },
    });
    expect((await w.post(token, '/sessions/unknown', { actions: [{ action: 'refresh' }] })).status).toBe(404);
  });
});
