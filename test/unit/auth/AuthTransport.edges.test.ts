import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

// Edges of AuthTransport the mutation run of 2026-12-07 found untested: a Retry-After exactly at the
// cap is waited for, a 300 answer is refused like any redirect, and no attempt leaves its deadline armed.

const SCOPE = `view_products:${PROJECT}`;
const ok = () => json({ access_token: 'tok-after-retry', token_type: 'Bearer', expires_in: 60, scope: SCOPE });

afterEach(() => {
  vi.useRealTimers();
});

describe('AuthTransport edges', () => {
  it('should wait a Retry-After equal to maxDelayMs, not give up', async () => {
    const sleeps: number[] = [];
    const { platform, oauth } = createTestServices({
      sleep: async (ms) => void sleeps.push(ms),
      retry: { maxDelayMs: 2000 },
    });
    let n = 0;
    platform.on(() => (++n === 1 ? new Response('', { status: 429, headers: { 'retry-after': '2' } }) : ok()));
    await oauth.clientCredentials(SCOPE);
    expect(sleeps).toEqual([2000]);
  });

  it('should refuse a 300 answer as a redirect, with the redirect message', async () => {
    const { platform, oauth } = createTestServices();
    platform.on(() => new Response('', { status: 300, headers: { location: 'https://elsewhere.example/token' } }));
    const error = await oauth.clientCredentials(SCOPE).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CtpErrorCode.RedirectRefused, status: 300 });
    expect((error as Error).message).toContain('redirect');
  });

  it('should leave no timer armed once an attempt has its answer', async () => {
    vi.useFakeTimers();
    const { platform, oauth } = createTestServices();
    platform.on(() => ok());
    await oauth.clientCredentials(SCOPE);
    expect(vi.getTimerCount()).toBe(0);
  });
});
