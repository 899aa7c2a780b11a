import { afterEach, describe, expect, it } from 'vitest';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { scopeFingerprint } from '../../../src/scopes/scopeCatalog';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { useRedis } from '../../support/redis/useRedis';
import { storedToken } from '../../support/session/storedToken';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

const HOUR = 3_600_000;
const redis = useRedis();
let h: StrictHarness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const raw = async (id: string) =>
  JSON.parse((await redis.get(`ctp:session:${id}`)) ?? 'null') as Record<string, unknown> | null;

describe('the stored session format, over real Redis and the strict server', () => {
  it('should store a signed-in customer compactly: at most 320 B, the scopes as the set fingerprint', async () => {
    h = await createStrictHarness();
    const storage = new RedisSessionStorage(redis, 'compact-1');
    const token = await runWithCtpSession(storage, () => h!.session.login(h!.customer.email, h!.customer.password));
    const value = (await redis.get('ctp:session:compact-1'))!;
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(320);
    expect(JSON.parse(value)).toMatchObject({
      v: 2,
      k: 'c',
      a: token.accessToken,
      r: token.refreshToken,
      c: h.customer.id,
      s: scopeFingerprint(h.registry.scopes('customer')),
    });
    expect(await storedToken(storage, h.registry)).toEqual(token);
  });

  it('should read a session stored in the earlier full format, refresh it, and store it compact from then on', async () => {
    h = await createStrictHarness();
    const storage = new RedisSessionStorage(redis, 'old-1');
    const token = await runWithCtpSession(storage, () => h!.session.login(h!.customer.email, h!.customer.password));
    // What the earlier version wrote: the full token as JSON.
    await redis.set('ctp:session:old-1', JSON.stringify({ ...token, scopes: [...token.scopes] }));
    expect(Buffer.byteLength((await redis.get('ctp:session:old-1'))!)).toBeGreaterThan(600);

    // Read as it is (a read writes nothing) ...
    await runWithCtpSession(storage, async () => expect(await h!.session.accessToken()).toEqual(token));
    expect((await raw('old-1'))?.['accessToken']).toBe(token.accessToken);

    // ... and at its next change (a refresh: the compare-and-set matches the old format) written compact.
    h.clock.advance(48 * HOUR - 60_000);
    const refreshed = await runWithCtpSession(storage, () => h!.session.accessToken());
    expect(refreshed.accessToken).not.toBe(token.accessToken);
    expect(h.server.grants.refresh_token).toBe(1);
    expect(await raw('old-1')).toEqual({
      v: 2,
      k: 'c',
      a: refreshed.accessToken,
      r: token.refreshToken,
      i: refreshed.issuedAt,
      e: refreshed.expiresAt,
      s: scopeFingerprint(h.registry.scopes('customer')),
      c: h.customer.id,
    });
    const { body } = await runWithCtpSession(storage, async () =>
      (await h!.client.customerApiRoot()).me().get().execute(),
    );
    expect(body.id).toBe(h.customer.id);

    await runWithCtpSession(storage, () => h!.session.logout());
    expect(await raw('old-1')).toBeNull();
  });
});
