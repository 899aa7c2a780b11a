import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';
import { putToken, storedToken } from '../../support/session/storedToken';

let h: StrictHarness;

afterEach(async () => {
  vi.useRealTimers();
  await h?.stop();
});

describe('faults on the auth host (strict server, real HTTP)', () => {
  it('should retry 5xx with jittered backoff and succeed', async () => {
    h = await createStrictHarness();
    h.server.authFaults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    await h.client.integrationApiRoot();
    expect(h.server.grants.client_credentials).toBe(1);
    // 0.5 * 200 * 2^0, then 0.5 * 200 * 2^1
    expect(h.sleeps).toEqual([100, 200]);
    expect(h.logger.events('ctp.auth.retry')).toHaveLength(2);
  });

  it('should honour Retry-After on 429', async () => {
    h = await createStrictHarness();
    h.server.authFaults.push({ kind: 'status', status: 429, headers: { 'retry-after': '3' } });
    await h.client.integrationApiRoot();
    expect(h.sleeps).toEqual([3000]);
  });

  it('should give every concurrent waiter the same typed error, sending each attempt once', async () => {
    h = await createStrictHarness({ retry: { maxRetries: 2 } });
    h.server.authFaults.push({ kind: 'html502' }, { kind: 'html502' }, { kind: 'html502' });
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => h.client.integrationApiRoot()));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as CtpAuthUnavailableError) : undefined));
    expect(
      reasons.every((r) => r?.code === CtpErrorCode.AuthUnavailable && r.attempts === 3 && r.message.includes('HTML')),
    ).toBe(true);
    expect(new Set(reasons).size).toBe(1);
    // 3 attempts reached the server (the faults), no grant was counted, none sent twice.
    expect(h.server.authFaults).toHaveLength(0);
    expect(h.server.grants.client_credentials).toBe(0);
    await h.client.integrationApiRoot();
    expect(h.server.grants.client_credentials).toBe(1);
  });

  it('should turn truncated JSON into CTP_TOKEN_RESPONSE_INVALID and store nothing', async () => {
    h = await createStrictHarness();
    const storage = new MemorySessionStorage();
    h.server.authFaults.push({ kind: 'truncated' });
    await expect(runWithCtpSession(storage, () => h.client.customerApiRoot())).rejects.toMatchObject({
      code: CtpErrorCode.TokenResponseInvalid,
      field: 'body',
    });
    expect(await storedToken(storage)).toBeUndefined();
  });

  it('should retry a reset connection and then raise CTP_AUTH_NETWORK', async () => {
    h = await createStrictHarness({ retry: { maxRetries: 1 } });
    h.server.authFaults.push({ kind: 'reset' }, { kind: 'reset' });
    const error = (await h.client.integrationApiRoot().catch((e: unknown) => e)) as CtpAuthUnavailableError;
    expect(error.code).toBe(CtpErrorCode.AuthNetwork);
    expect(error.attempts).toBe(2);
  });

  it('should end a hang within the configured timeout', async () => {
    h = await createStrictHarness({ authTimeoutMs: 2_000, retry: { maxRetries: 0 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    h.server.authFaults.push({ kind: 'hang' });
    const pending = h.client.integrationApiRoot().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ code: CtpErrorCode.AuthTimeout, attempts: 1 });
  });

  it('should wait for a slow answer that comes within the timeout', async () => {
    h = await createStrictHarness();
    let release!: () => void;
    h.server.authFaults.push({ kind: 'slow', release: new Promise<void>((resolve) => (release = resolve)) });
    const pending = h.client.integrationApiRoot();
    setImmediate(release);
    await pending;
    expect(h.server.grants.client_credentials).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('should not retry a 400 from the auth host', async () => {
    h = await createStrictHarness();
    h.server.authFaults.push({
      kind: 'status',
      status: 400,
      body: JSON.stringify({ error: 'invalid_request', error_description: 'bad' }),
    });
    await expect(h.client.integrationApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.AuthRejected, status: 400 });
    expect(h.sleeps).toEqual([]);
  });

  it('should surface a failing session storage as CTP_SESSION_STORAGE and keep the old token', async () => {
    h = await createStrictHarness();
    const inner = new MemorySessionStorage('s');
    await runWithCtpSession(inner, () => h.session.ensureAnonymous());
    const before = await storedToken(inner);
    h.clock.advance(3_600_000);
    const failing = {
      id: 's',
      get: () => storedToken(inner),
      set: () => Promise.reject(new Error('redis down')),
      clear: () => putToken(inner, undefined),
    };
    await expect(runWithCtpSession(failing, () => h.client.customerApiRoot())).rejects.toMatchObject({
      code: CtpErrorCode.SessionStorage,
    });
    expect(await storedToken(inner)).toEqual(before);
  });
});
