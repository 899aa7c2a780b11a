import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpError } from '../../../src/errors/CtpError';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';
import { drain } from '../../support/session/drainScheduler';
import { scheduledStorage } from '../../support/session/scheduledStorage';

const HOUR = 3_600_000;

/** `logoutAfterLogin`: on the other instance, as soon as loginExternal answered (its background work still running). */
type Op = 'loginExternal' | 'logout' | 'logoutElsewhere' | 'logoutAfterLogin' | 'access';

/**
 * loginExternal racing logout (on this instance, or on another sharing the store) and a request,
 * over the real door and the strict mock, with every storage call and every request to the
 * platform finishing in an order the scheduler picks.
 */
async function scenario(s: fc.Scheduler, ops: Op[]) {
  const now = Date.UTC(2026, 11, 7, 12);
  const provider = new Map<string, string>([['provider.token-1', 'cust-ext']]);
  const mock = createMockCommercetools({
    now: () => now,
    customers: [{ id: 'cust-ext', email: 'ext@example.com', password: 'unused-Passw0rd!' }],
    externalOAuth: {
      introspect: async (token) => {
        const customerId = provider.get(token);
        return customerId === undefined
          ? { active: false }
          : { active: true, exp: now / 1000 + 3600, scope: `manage_my_orders:test-project customer_id:${customerId}` };
      },
    },
  });
  let scheduling = false;
  const scheduled = s.scheduleFunction(mock.fetch);
  const fetch: FetchLike = (input, init) => (scheduling ? scheduled(input, init) : mock.fetch(input, init));
  const instance = () => createCtpServices(loadCtpConfig(mock.env), { fetch, clock: { now: () => now } });
  const here = instance();
  const elsewhere = instance();
  // An anonymous shopper with a cart, set up before the race.
  const setup = new MemorySessionStorage('setup');
  const root = await runWithCtpSession(setup, () => here.client.customerApiRoot());
  const cart = await runWithCtpSession(setup, () =>
    root
      .me()
      .carts()
      .post({ body: { currency: 'EUR' } })
      .execute(),
  );
  const storage = scheduledStorage(s, 'session-1', true);
  storage.seed((await runWithCtpSession(setup, () => here.session.current()))!);
  scheduling = true;

  const finished: string[] = [];
  const failures: unknown[] = [];
  let loggedIn: Promise<unknown> = Promise.resolve();
  const run = async (op: Op) => {
    if (op === 'logoutAfterLogin') await loggedIn.catch(() => undefined);
    const session = op === 'logoutElsewhere' || op === 'logoutAfterLogin' ? elsewhere.session : here.session;
    const work = () => {
      switch (op) {
        case 'loginExternal':
          return session.loginExternal('provider.token-1', {
            customerId: 'cust-ext',
            expiresAt: new Date(now + HOUR),
          });
        case 'access':
          return session.accessToken({ createAnonymous: false });
        default:
          return session.logout();
      }
    };
    const running = runWithCtpSession(storage, work);
    if (op === 'loginExternal') loggedIn = running;
    return running.then(
      () => void finished.push(op),
      (error: unknown) => {
        finished.push(`${op}:failed`);
        failures.push({ op, error });
      },
    );
  };
  // loginExternal first: a chained logout waits for it.
  await Promise.all([...ops.map(run), drain(s, () => finished.length === ops.length)]);
  let settled = false;
  const settling = Promise.all([here.session.settled(), elsewhere.session.settled()]).then(() => (settled = true));
  await Promise.all([settling, drain(s, () => settled)]);
  scheduling = false;
  return {
    mock,
    storage,
    finished,
    failures,
    cartId: cart.body.id,
    closeAll: () => Promise.all([here.close(), elsewhere.close()]),
  };
}

describe('loginExternal racing logout, over interleavings', { timeout: 120_000 }, () => {
  it('should leave the session empty after a logout that followed the sign-in, keep only the external session otherwise, and nothing live that the library obtained', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.shuffledSubarray(['logout', 'logoutElsewhere', 'logoutAfterLogin', 'access'] as Op[], { minLength: 1 }),
        async (s, others) => {
          const ops: Op[] = ['loginExternal', ...others];
          const r = await scenario(s, ops);
          try {
            // Only typed failures: a sign-in that lost, an access to a session signed out meanwhile.
            for (const { error } of r.failures as { error: unknown }[]) expect(error).toBeInstanceOf(CtpError);
            const stored = r.storage.raw();
            // A logout that began once the sign-in answered wins over everything of it still running.
            if (r.finished.includes('logoutAfterLogin')) expect(stored).toBeUndefined();
            // Otherwise a logout beside it may come first or last; what stays is only ever the external session.
            if (stored !== undefined) {
              expect(stored).toMatchObject({ external: true, customerId: 'cust-ext' });
              expect(r.finished).toContain('loginExternal');
            }
            // Every shopper token the library obtained is revoked: only the integration's stays live.
            const live = r.mock.issuedTokens.filter((t) => r.mock.isLive(t));
            for (const token of live) expect(r.mock.identityOf(token)?.kind).toBe('client');
            // The provider's token never went to commercetools' auth host.
            for (const q of r.mock.requests.filter((q) => q.host === 'auth'))
              expect(q.body).not.toContain('provider.token-1');
          } finally {
            await r.closeAll();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
