import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

// Real HTTP to the strict server on 127.0.0.1; only the deadline's clock and timer are fake
// (Date and setTimeout), so undici's sockets and the server run for real and no test sleeps.
let h: StrictHarness | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  await h?.stop();
  h = undefined;
});

/** Waits, on real I/O turns, until `done()` holds; fails after `turns` turns. */
async function until(done: () => boolean, what: string, turns = 5_000): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    if (done()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('API calls past apiTimeoutMs', () => {
  describe('when the API never answers', () => {
    it('should fail each call and close its connection, leaving no connection busy after 20 timeouts', async () => {
      // No resends: each wave's five calls are the five hung requests.
      h = await createStrictHarness({ apiTimeoutMs: 1_000, api: { retry: { maxRetries: 0 } } });
      const apiRoot = await h.client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      const server = h.server;
      const errors: unknown[] = [];
      for (let wave = 0; wave < 4; wave += 1) {
        server.hangApiRequests(5);
        const calls = Array.from({ length: 5 }, () =>
          apiRoot
            .categories()
            .withId({ ID: 'c1' })
            .get()
            .execute()
            .catch((e: unknown) => e),
        );
        await until(() => server.hungApiRequests === 5, 'five hung requests at the server');
        expect(server.openConnections().busy).toBe(5);
        vi.advanceTimersByTime(1_250);
        errors.push(...(await Promise.all(calls)));
        await until(
          () => server.hungApiRequests === 0 && server.openConnections().busy === 0,
          'the hung connections to close',
        );
      }
      expect(errors).toHaveLength(20);
      for (const error of errors)
        expect(error).toMatchObject({
          code: 'CTP_API_TIMEOUT',
          status: 504,
          message: expect.stringContaining('apiTimeoutMs'),
        });
      expect(server.openConnections().busy).toBe(0);
      // undici (Node 20's 6.x, nodejs/undici#5845) opens a spare connection after an aborted one; it
      // carries no request and the next call reuses it, so spares never outnumber one wave.
      expect(server.openConnections().total).toBeLessThanOrEqual(5);
      // The API still answers on what is left.
      vi.useRealTimers();
      const { body } = await apiRoot.categories().withId({ ID: 'c2' }).get().execute();
      expect(body.id).toBe('c2');
    });
  });

  describe('when the answer comes before the deadline', () => {
    it('should not abort it, nor the calls beside it', async () => {
      h = await createStrictHarness({ apiTimeoutMs: 1_000 });
      const apiRoot = await h.client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      const answered = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          apiRoot
            .categories()
            .withId({ ID: `c${i}` })
            .get()
            .execute(),
        ),
      );
      vi.advanceTimersByTime(5_000);
      await tick();
      expect(answered.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
      expect(h.server.openConnections().busy).toBe(0);
    });
  });
});

describe('CtpServices.close', () => {
  describe('when API calls are in flight', () => {
    it('should abort them and release their connections', async () => {
      h = await createStrictHarness({ apiTimeoutMs: 60_000 });
      const apiRoot = await h.client.integrationApiRoot();
      h.server.hangApiRequests(3);
      const calls = Array.from({ length: 3 }, () =>
        apiRoot
          .categories()
          .withId({ ID: 'c1' })
          .get()
          .execute()
          .catch((e: unknown) => e),
      );
      await until(() => h!.server.hungApiRequests === 3, 'three hung requests');
      await h.close();
      for (const error of await Promise.all(calls))
        expect(error).toMatchObject({ code: 'CTP_API_CANCELLED', status: 499 });
      await until(() => h!.server.openConnections().busy === 0, 'the connections to close');
    });
  });
});
