import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenIntrospector, type ExternalIdentity } from '../../../src/external/TokenIntrospector';
import type { Logger } from '../../../src/util/Logger';

const HOUR = 3_600_000;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.provider-token-secret.sig';

function recordingLogger() {
  const lines: unknown[] = [];
  const log = (obj: object, msg?: string) => lines.push({ ...obj, msg });
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

describe('TokenIntrospector', () => {
  let now: number;
  beforeEach(() => {
    vi.useFakeTimers();
    now = Date.UTC(2026, 11, 7, 12);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function introspector(
    verify: (token: string, signal: AbortSignal) => Promise<ExternalIdentity | undefined | null>,
    logger: Logger = recordingLogger().logger,
  ) {
    return new TokenIntrospector({
      verify,
      scope: 'manage_my_orders:shop manage_my_profile:shop',
      budgetMs: 400,
      clock: { now: () => now },
      logger,
    });
  }

  it('should answer active with exp in seconds, the shopper scopes and customer_id, and external_user_id when given', async () => {
    const verify = vi.fn(async () => ({
      customerId: 'c-1',
      expiresAt: new Date(now + 1_800_500),
      externalUserId: 'auth0|42',
    }));
    await expect(introspector(verify).introspect(TOKEN)).resolves.toEqual({
      active: true,
      exp: Math.floor((now + 1_800_500) / 1000),
      scope: 'manage_my_orders:shop manage_my_profile:shop customer_id:c-1 external_user_id:auth0|42',
    });
    expect(verify).toHaveBeenCalledWith(TOKEN, expect.any(AbortSignal));
  });

  it('should answer not active for a token verify refuses, one already expired, or verify throwing', async () => {
    const answers: (ExternalIdentity | undefined | null | Error)[] = [
      undefined,
      null,
      { customerId: 'c-1', expiresAt: new Date(now) },
      new Error(`bad signature on ${TOKEN}`),
    ];
    const { logger, lines } = recordingLogger();
    for (const [i, answer] of answers.entries()) {
      const verify = async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      };
      await expect(introspector(verify, logger).introspect(`${TOKEN}-${i}`)).resolves.toEqual({ active: false });
    }
    expect(lines).toEqual([expect.objectContaining({ event: 'ctp.introspection.verify-failed', error: 'Error' })]);
    expect(JSON.stringify(lines)).not.toContain('provider-token-secret');
  });

  it.each([
    ['a customerId with a space', { customerId: 'c-1 manage_project:shop', expiresAt: new Date(HOUR * 500_000) }],
    ['an empty customerId', { customerId: '', expiresAt: new Date(HOUR * 500_000) }],
    ['a customerId with a control character', { customerId: 'c-1\n', expiresAt: new Date(HOUR * 500_000) }],
    [
      'an externalUserId with a space',
      { customerId: 'c-1', externalUserId: 'a b', expiresAt: new Date(HOUR * 500_000) },
    ],
    ['expiresAt as seconds, not a Date', { customerId: 'c-1', expiresAt: 1_900_000_000 }],
    ['an invalid Date', { customerId: 'c-1', expiresAt: new Date('nope') }],
  ])('should answer not active, and log an error, for an identity with %s', async (_, identity) => {
    const { logger, lines } = recordingLogger();
    const verify = async () => identity as unknown as ExternalIdentity;
    await expect(introspector(verify, logger).introspect(TOKEN)).resolves.toEqual({ active: false });
    expect(lines).toEqual([expect.objectContaining({ event: 'ctp.introspection.invalid-identity' })]);
  });

  it('should verify once for concurrent requests of one token, and once per token', async () => {
    const pending: ((identity: ExternalIdentity) => void)[] = [];
    const verify = vi.fn(
      (token: string) =>
        new Promise<ExternalIdentity>((resolve) => {
          pending.push(resolve);
          void token;
        }),
    );
    const subject = introspector(verify);
    const same = Array.from({ length: 20 }, () => subject.introspect(TOKEN));
    const other = subject.introspect(`${TOKEN}-other`);
    expect(verify).toHaveBeenCalledTimes(2);
    for (const resolve of pending) resolve({ customerId: 'c-1', expiresAt: new Date(now + HOUR) });
    const answers = await Promise.all([...same, other]);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ active: true });
  });

  it('should answer from its cache until the token expires, then verify again', async () => {
    const verify = vi.fn(async () => ({ customerId: 'c-1', expiresAt: new Date(now + 10 * 60_000) }));
    const subject = introspector(verify);
    await subject.introspect(TOKEN);
    now += 10 * 60_000 - 1;
    await expect(subject.introspect(TOKEN)).resolves.toMatchObject({ active: true });
    expect(verify).toHaveBeenCalledTimes(1);
    now += 1;
    await subject.introspect(TOKEN);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('should keep a cached answer at most an hour, however long the token lives', async () => {
    const verify = vi.fn(async () => ({ customerId: 'c-1', expiresAt: new Date(now + 24 * HOUR) }));
    const subject = introspector(verify);
    await subject.introspect(TOKEN);
    now += HOUR - 1;
    await subject.introspect(TOKEN);
    expect(verify).toHaveBeenCalledTimes(1);
    now += 1;
    await subject.introspect(TOKEN);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('should not cache a refusal: a token the provider refused now may be valid on the next request (clock skew, key rotation)', async () => {
    const verify = vi
      .fn<() => Promise<ExternalIdentity | undefined>>()
      .mockResolvedValueOnce(undefined)
      .mockResolvedValueOnce({ customerId: 'c-1', expiresAt: new Date(now + HOUR) });
    const subject = introspector(verify);
    await expect(subject.introspect(TOKEN)).resolves.toEqual({ active: false });
    await expect(subject.introspect(TOKEN)).resolves.toMatchObject({ active: true });
  });

  it('should answer not active when verify passes the budget, abort its signal, log it, and verify afresh next time', async () => {
    const signals: AbortSignal[] = [];
    const verify = vi.fn((_token: string, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<ExternalIdentity>(() => undefined);
    });
    const { logger, lines } = recordingLogger();
    const subject = introspector(verify, logger);
    let answer: unknown;
    void subject.introspect(TOKEN).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(399);
    expect(answer).toBeUndefined();
    expect(signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toEqual({ active: false });
    expect(signals[0]!.aborted).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ event: 'ctp.introspection.slow', budgetMs: 400 })]);
    void subject.introspect(TOKEN);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('should bound its cache: the oldest answer goes first', async () => {
    const verify = vi.fn(async (token: string) => ({ customerId: token.slice(-6), expiresAt: new Date(now + HOUR) }));
    const subject = introspector(verify);
    for (let i = 0; i < 10_001; i += 1) await subject.introspect(`token-${String(i).padStart(6, '0')}`);
    expect(verify).toHaveBeenCalledTimes(10_001);
    await subject.introspect('token-010000');
    await subject.introspect('token-000001');
    expect(verify).toHaveBeenCalledTimes(10_001);
    await subject.introspect('token-000000');
    expect(verify).toHaveBeenCalledTimes(10_002);
  });
});
