import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSweeper } from '../../../src/client/DeadlineSweeper';
import { API_URL } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

describe(DeadlineSweeper, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should pass a result through and forget the call', async () => {
    const sweeper = new DeadlineSweeper();
    await expect(sweeper.race(Promise.resolve(42), 1_000)).resolves.toBe(42);
    await expect(sweeper.race(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });

  it('should fail a call that outlives its deadline, within one tick', async () => {
    vi.useFakeTimers();
    const sweeper = new DeadlineSweeper(() => Date.now(), 250);
    const pending = sweeper.race(new Promise(() => undefined), 1_000).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(251);
    expect(await pending).toMatchObject({ name: 'TimeoutError' });
  });
});

describe('an API call that hangs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should be failed after apiTimeoutMs', async () => {
    const { platform, client } = createTestServices({ apiTimeoutMs: 2_000 });
    const apiRoot = await client.integrationApiRoot();
    vi.useFakeTimers();
    platform.on((call) => (call.url.startsWith(API_URL) ? new Promise<Response>(() => undefined) : undefined));
    const pending = apiRoot.categories().withId({ ID: 'c' }).get().execute().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_300);
    const error = (await pending) as { message: string; statusCode: number };
    expect(error.message).toContain('apiTimeoutMs');
    expect(error.statusCode).toBe(0);
  });
});
