import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import { DeadlineSweeper } from '../../../src/client/DeadlineSweeper';
import { API_URL, FakePlatform } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const URL_ = 'https://api.example/p/categories/c1';

/** A fetch double that keeps what it was called with; `answer` decides what it returns. */
function recordingFetch(answer: (init: RequestInit) => Promise<Response>) {
  const calls: { input: string; init: RequestInit }[] = [];
  const fetch: FetchLike = (input, init) => {
    calls.push({ input, init });
    return answer(init);
  };
  return { fetch, calls, signal: () => calls[0]!.init.signal! };
}

/** An answer that never comes, from a fetch that honours its signal as every fetch does. */
const never = (init: RequestInit) =>
  new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }));

describe(DeadlineSweeper, () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('.fetch', () => {
    describe('when many calls fall into one tick', () => {
      it('should share each signal among at most 8 calls (Node\'s fetch lists a signal\'s listeners on every request), and abort every one of them at the deadline', async () => {
        const sweeper = new DeadlineSweeper(() => Date.now(), 250);
        const f = recordingFetch(never);
        const calls = Array.from({ length: 20 }, () => sweeper.fetch(f.fetch, URL_, { method: 'GET', headers: {} }, 1_000).catch((e: unknown) => e));
        const signals = f.calls.map((c) => c.init.signal!);
        const uses = new Map<AbortSignal, number>();
        for (const signal of signals) uses.set(signal, (uses.get(signal) ?? 0) + 1);
        expect([...uses.values()]).toEqual([8, 8, 4]);
        await vi.advanceTimersByTimeAsync(1_500);
        const errors = await Promise.all(calls);
        expect(signals.every((signal) => signal.aborted)).toBe(true);
        expect(errors.every((e) => (e as Error).name === 'TimeoutError')).toBe(true);
        expect(sweeper.size).toBe(0);
      });
    });

    describe('when the answer comes in time', () => {
      it('should pass it through with the caller\'s init and a signal, and forget the call', async () => {
        const sweeper = new DeadlineSweeper(() => Date.now(), 250);
        const f = recordingFetch(async () => new Response('{"id":"c1"}', { status: 200, headers: { 'x-a': '1' } }));
        const response = await sweeper.fetch(f.fetch, URL_, { method: 'GET', headers: { authorization: 'Bearer t' } }, 1_000);
        expect(f.calls[0]!.input).toBe(URL_);
        expect(f.calls[0]!.init).toMatchObject({ method: 'GET', headers: { authorization: 'Bearer t' } });
        expect(f.signal()).toBeInstanceOf(AbortSignal);
        expect([response.ok, response.status, response.headers.get('x-a')]).toEqual([true, 200, '1']);
        expect(sweeper.size).toBe(0);
        expect(await response.text()).toBe('{"id":"c1"}');
        await vi.advanceTimersByTimeAsync(2_000);
        expect(f.signal().aborted).toBe(false);
        expect(vi.getTimerCount()).toBe(0);
      });

      it('should pass a failure of fetch through and forget the call', async () => {
        const sweeper = new DeadlineSweeper(() => Date.now(), 250);
        await expect(sweeper.fetch(async () => Promise.reject(new Error('ECONNRESET')), URL_, {}, 1_000)).rejects.toThrow('ECONNRESET');
        expect(sweeper.size).toBe(0);
      });

    });

    describe('when no answer comes', () => {
      it('should abort the request\'s signal and fail the caller within one tick of the deadline', async () => {
        const sweeper = new DeadlineSweeper(() => Date.now(), 250);
        const f = recordingFetch(never);
        const pending = sweeper.fetch(f.fetch, URL_, {}, 1_000).catch((e: unknown) => e);
        await vi.advanceTimersByTimeAsync(999);
        expect(f.signal().aborted).toBe(false);
        await vi.advanceTimersByTimeAsync(251);
        expect(f.signal().aborted).toBe(true);
        expect(f.signal().reason).toMatchObject({ name: 'TimeoutError' });
        expect(await pending).toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('apiTimeoutMs') });
        expect(sweeper.size).toBe(0);
        expect(vi.getTimerCount()).toBe(0);
      });
    });

  });

  describe('when several calls are in flight', () => {
    it('should share one signal within a tick, and abort only the ticks with an open call', async () => {
      const sweeper = new DeadlineSweeper(() => Date.now(), 250);
      const signals: AbortSignal[] = [];
      let finish!: (r: Response) => void;
      const fetch: FetchLike = (_input, init) => {
        signals.push(init.signal!);
        return signals.length === 2 ? new Promise<Response>((r) => (finish = r)) : never(init);
      };
      vi.setSystemTime(Math.ceil(Date.now() / 250) * 250 + 1);
      const hung = sweeper.fetch(fetch, URL_, {}, 1_000).catch((e: unknown) => e);
      const done = sweeper.fetch(fetch, URL_, {}, 1_000);
      await vi.advanceTimersByTimeAsync(300);
      const later = sweeper.fetch(fetch, URL_, {}, 1_000).catch((e: unknown) => e);
      expect(signals[0]).toBe(signals[1]);
      expect(signals[2]).not.toBe(signals[0]);
      finish(new Response('{}'));
      await done;
      expect(sweeper.size).toBe(2);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(signals[0]!.aborted).toBe(true);
      expect(await hung).toMatchObject({ name: 'TimeoutError' });
      expect(signals[2]!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(500);
      expect(await later).toMatchObject({ name: 'TimeoutError' });
      expect(sweeper.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('should drop a finished tick without aborting the requests that used it', async () => {
      const sweeper = new DeadlineSweeper(() => Date.now(), 250);
      const f = recordingFetch(async () => new Response('{}'));
      await sweeper.fetch(f.fetch, URL_, {}, 1_000);
      vi.advanceTimersByTime(300);
      // The next call opens another tick, so the finished one is dropped at once.
      const g = recordingFetch(async () => new Response('{}'));
      await sweeper.fetch(g.fetch, URL_, {}, 1_000);
      await vi.advanceTimersByTimeAsync(5_000);
      expect([f.signal().aborted, g.signal().aborted]).toEqual([false, false]);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('.close', () => {
    it('should abort the calls in flight and stop the interval', async () => {
      const sweeper = new DeadlineSweeper(() => Date.now(), 250);
      const f = recordingFetch(never);
      const pending = sweeper.fetch(f.fetch, URL_, {}, 60_000).catch((e: unknown) => e);
      expect(vi.getTimerCount()).toBe(1);
      sweeper.close();
      expect(vi.getTimerCount()).toBe(0);
      expect(f.signal().aborted).toBe(true);
      expect(await pending).toMatchObject({ name: 'AbortError' });
      expect(sweeper.size).toBe(0);
      sweeper.close();
    });
  });
});

describe('an API call that hangs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should be failed after apiTimeoutMs with CTP_API_TIMEOUT', async () => {
    const platform = new FakePlatform();
    // The API hangs; the auth host answers.
    const fetch: FetchLike = (input, init) => (input.startsWith(API_URL) ? never(init) : platform.fetch(input, init));
    const { client } = createTestServices({ apiTimeoutMs: 2_000, fetch, api: { retry: { maxRetries: 0 } } });
    const apiRoot = await client.integrationApiRoot();
    vi.useFakeTimers();
    const pending = apiRoot.categories().withId({ ID: 'c' }).get().execute().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_300);
    const error = (await pending) as { message: string; statusCode: number };
    expect(error).toMatchObject({ code: 'CTP_API_TIMEOUT', status: 504, statusCode: 504, retries: 0, method: 'GET', uriTemplate: '/{projectKey}/categories/{ID}' });
    expect(error.message).toContain('apiTimeoutMs');
    expect((error as unknown as { cause: unknown }).cause).toMatchObject({ statusCode: 0 });
  });
});
