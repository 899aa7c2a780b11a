import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

const HOUR = 3_600_000;
const SESSIONS_PER_KIND = 100;
const CALLS_PER_SESSION = 4;
let h: StrictHarness;

afterEach(async () => {
  await h?.stop();
});

describe('isolation under load (strict server, real HTTP)', () => {
  it('should keep 200 sessions apart through two expiries, with exactly one refresh per session per expiry', async () => {
    // 800 calls and 200 refreshes plus their revocations at once on a busy 2-core machine: an auth
    // request can wait seconds for the event loop. A timeout would be retried and counted as a second
    // refresh, which is not what this test is about (one refresh per session per expiry).
    h = await createStrictHarness({ authTimeoutMs: 120_000 });
    h.server.accessTokenTtlSeconds = 3600;
    const sessions: { tag: string; storage: MemorySessionStorage; customerId?: string; anonymousId?: string }[] = [];
    for (let i = 0; i < SESSIONS_PER_KIND; i += 1) {
      const email = `shopper${i}@example.com`;
      const customerId = h.server.addCustomer(email, `pw-${i}-secret`);
      const storage = new MemorySessionStorage(`c${i}`);
      await runWithCtpSession(storage, () => h.session.login(email, `pw-${i}-secret`));
      sessions.push({ tag: `c${i}`, storage, customerId });
    }
    for (let i = 0; i < SESSIONS_PER_KIND; i += 1) {
      const storage = new MemorySessionStorage(`a${i}`);
      const token = await runWithCtpSession(storage, () => h.session.ensureAnonymous());
      sessions.push({ tag: `a${i}`, storage, anonymousId: token.anonymousId! });
    }

    const wave = () =>
      Promise.all(
        sessions.flatMap((s) =>
          Array.from({ length: CALLS_PER_SESSION }, () =>
            runWithCtpSession(s.storage, async () => {
              const apiRoot = await h.client.customerApiRoot();
              const headers = { 'x-session': s.tag };
              if (s.customerId) await apiRoot.me().get({ headers }).execute();
              else
                await apiRoot
                  .me()
                  .carts()
                  .post({ body: { currency: 'EUR' }, headers })
                  .execute();
            }),
          ),
        ),
      );

    await wave();
    h.clock.advance(HOUR); // every token expired, on the server too
    await wave();
    h.clock.advance(HOUR);
    await wave();

    const calls = h.server.apiCalls.filter((c) => c.sessionTag !== undefined);
    expect(calls).toHaveLength(3 * sessions.length * CALLS_PER_SESSION);
    const byTag = new Map(sessions.map((s) => [s.tag, s]));
    const mixed = calls.filter((c) => {
      const s = byTag.get(c.sessionTag!)!;
      return s.customerId
        ? c.customerId !== s.customerId || c.kind !== 'customer'
        : c.anonymousId !== s.anonymousId || c.kind !== 'anonymous';
    });
    expect(mixed).toEqual([]);
    expect(calls.every((c) => c.status === 200 || c.status === 201)).toBe(true);
    expect(h.logger.events('ctp.auth.retry')).toEqual([]);
    expect(h.server.grants.refresh_token).toBe(2 * sessions.length);
    expect([...h.server.refreshesBySession.values()].every((n) => n === 2)).toBe(true);
    expect(h.server.refreshesBySession.size).toBe(sessions.length);
  }, 60_000);
});
