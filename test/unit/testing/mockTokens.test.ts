import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';

describe('createMockCommercetools: isLive and identityOf', () => {
  it('should tell a live token from an expired or revoked one, and whom a live access token belongs to', async () => {
    let now = Date.UTC(2026, 0, 1);
    const mock = createMockCommercetools({ now: () => now, expiresIn: 3600 });
    const { session } = createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, clock: { now: () => now } });
    const storage = new MemorySessionStorage();
    const token = await runWithCtpSession(storage, () => session.login('alice@example.com', 'alice-Passw0rd!'));
    expect(mock.isLive(token.accessToken)).toBe(true);
    expect(mock.isLive(token.refreshToken)).toBe(true);
    expect(mock.identityOf(token.accessToken)).toMatchObject({ kind: 'customer', customerId: 'customer-1' });
    // A refresh token is no access token: it answers no API call.
    expect(mock.identityOf(token.refreshToken)).toBeUndefined();
    expect(mock.isLive('never-issued')).toBe(false);

    now += 3600_000; // the access token expired on the mock's clock; the refresh token lives on
    expect(mock.isLive(token.accessToken)).toBe(false);
    expect(mock.identityOf(token.accessToken)).toBeUndefined();
    expect(mock.isLive(token.refreshToken)).toBe(true);

    await runWithCtpSession(storage, () => session.logout());
    await session.settled();
    expect(mock.isLive(token.refreshToken)).toBe(false);
  });
});
