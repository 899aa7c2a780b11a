import { describe, expect, it, vi } from 'vitest';
import type { ApiCall } from '../../../src/client/ApiCall';
import { DEFAULT_RETRY_POLICY } from '../../../src/auth/RetryPolicy';
import { API_ENGINE_NAMES } from '../../../src/client/ApiEngine';
import {
  ApiRootFactory,
  DEFAULT_MAX_ANSWER_BYTES,
  type ApiRootFactoryOptions,
} from '../../../src/client/ApiRootFactory';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { CtpTelemetry } from '../../../src/telemetry/CtpTelemetry';
import type { TokenSource } from '../../../src/tokens/TokenSource';
import { CapturingLogger } from '../../support/createTestServices';

// ApiRootFactory on its own: a fetch that answers from a list, token sources made here.
const API = 'https://api.example.test';

function source(accessToken: string, key: object = {}, recover = () => Promise.resolve('renewed')): TokenSource {
  return { owner: 'integration', accessToken, key, recover };
}

function factory(answers: (() => Response)[], options: Partial<ApiRootFactoryOptions> = {}) {
  const requests: { url: string; headers: Headers }[] = [];
  const f = new ApiRootFactory({
    apiUrl: API,
    projectKey: 'p',
    timeoutMs: 5_000,
    logger: new CapturingLogger(),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    maxAnswerBytes: DEFAULT_MAX_ANSWER_BYTES,
    engine: 'ts-client',
    retry: DEFAULT_RETRY_POLICY,
    userAgent: 'ua-test/0',
    middlewares: [],
    fetch: () => (url, init) => {
      requests.push({ url, headers: new Headers(init.headers) });
      const answer = answers.shift() ?? (() => Response.json({ id: 'c1' }));
      return Promise.resolve(answer());
    },
    ...options,
  });
  return { f, requests };
}

describe.each(API_ENGINE_NAMES)('ApiRootFactory on the %s engine', (engine) => {
  describe('builders', () => {
    it('should reuse a builder for the same token and source, and make another for another source of the same token', () => {
      const { f } = factory([], { engine });
      const key = {};
      const first = f.forSource(source('t1', key));
      expect(f.forSource(source('t1', key))).toBe(first);
      expect(f.forSource(source('t1', {}))).not.toBe(first);
      expect(f.forSource(source('t2', key))).not.toBe(first);
    });

    it('should keep cacheSize builders, dropping the oldest first', () => {
      const { f } = factory([], { engine, cacheSize: 2 });
      const key = {};
      const a = f.forSource(source('a', key));
      const b = f.forSource(source('b', key));
      f.forSource(source('c', key));
      expect(f.forSource(source('b', key))).toBe(b);
      expect(f.forSource(source('a', key))).not.toBe(a);
    });

    it('should send the builder token, our User-Agent and correlation ID, and not the call tag', async () => {
      const { f, requests } = factory([], { engine, userAgent: 'ua-test/1' });
      await f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute();
      expect(requests).toHaveLength(1);
      expect(requests[0]!.url).toBe(`${API}/p/categories/c1`);
      expect(requests[0]!.headers.get('authorization')).toBe('Bearer tok');
      expect(requests[0]!.headers.get('user-agent')).toBe('ua-test/1');
      expect(requests[0]!.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(requests[0]!.headers.get('x-ctp-client-call')).toBeNull();
    });
  });

  describe('what it tells', () => {
    it('should call onRetry for each resend and onRecovery for the 401 recovery, with the call', async () => {
      const retried: ApiCall[] = [];
      const recovered: ApiCall[] = [];
      const { f, requests } = factory(
        [
          () => Response.json({ message: 'busy' }, { status: 503 }),
          () => Response.json({ error: 'invalid_token' }, { status: 401 }),
        ],
        { engine, onRetry: (call) => retried.push(call), onRecovery: (call) => recovered.push(call) },
      );
      const { body } = await f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
      expect(requests.map((r) => r.headers.get('authorization'))).toEqual([
        'Bearer tok',
        'Bearer tok',
        'Bearer renewed',
      ]);
      expect(retried.map((c) => [c.method, c.retries])).toEqual([['GET', 1]]);
      expect(recovered).toHaveLength(1);
      expect(recovered[0]!.recovered).toBe(true);
    });

    it('should run each call in a span when telemetry is given', async () => {
      const spans: string[] = [];
      const api = {
        trace: {
          getTracer: () => ({
            startActiveSpan: (name: string, _o: unknown, fn: (span: unknown) => unknown) => {
              spans.push(name);
              return fn({ setAttribute: () => undefined, setStatus: () => undefined, end: () => undefined });
            },
          }),
        },
        metrics: { getMeter: () => undefined },
      };
      const { f } = factory([], {
        engine,
        telemetry: new CtpTelemetry(api as unknown as ConstructorParameters<typeof CtpTelemetry>[0]),
      });
      await f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute();
      expect(spans).toEqual(['ctp.api.call']);
    });
  });

  describe('the answer cap', () => {
    it('should refuse a stated Content-Length one byte over the cap, and not one of exactly the cap', async () => {
      const stated = (length: number) => () =>
        new Response('{"id":"c1"}', {
          headers: { 'content-type': 'application/json', 'content-length': String(length) },
        });
      const { f } = factory([stated(DEFAULT_MAX_ANSWER_BYTES + 1), stated(DEFAULT_MAX_ANSWER_BYTES)], { engine });
      const root = f.forSource(source('tok'));
      const refused = (await root
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e)) as Error & { code: string };
      expect(refused.code).toBe(CtpErrorCode.ApiAnswerTooLarge);
      expect(refused.message).toContain(`(${DEFAULT_MAX_ANSWER_BYTES} bytes`);
      // Read and counted: what the body holds decides, not what its Content-Length claims.
      const { body } = await root.categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
    });
  });

  describe('close()', () => {
    it('should abort the calls in flight, and neither the calls that ended before nor those after', async () => {
      const signals: AbortSignal[] = [];
      const { f } = factory([], {
        engine,
        fetch: () => (_url, init) => {
          signals.push(init.signal!);
          if (signals.length === 2)
            return new Promise<Response>((_resolve, reject) =>
              init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error), { once: true }),
            );
          return Promise.resolve(
            new Response('{"id":"c1"}', { headers: { 'content-type': 'application/json', 'content-length': '11' } }),
          );
        },
      });
      const root = f.forSource(source('tok'));
      await root.categories().withId({ ID: 'c1' }).get().execute();
      const pending = root
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      while (signals.length < 2) await new Promise((resolve) => setImmediate(resolve));
      f.close();
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499 });
      await root.categories().withId({ ID: 'c1' }).get().execute();
      expect(signals.map((s) => s.aborted)).toEqual([false, true, false]);
    });
  });

  describe("a caller's own call-tag header", () => {
    it('should be replaced by ours whatever its spelling, so the call keeps its resends', async () => {
      const { f, requests } = factory([() => Response.json({ message: 'busy' }, { status: 503 })], { engine });
      const { body } = await f
        .forSource(source('tok'))
        .categories()
        .withId({ ID: 'c1' })
        .get({ headers: { 'X-Ctp-Client-Call': '1' } })
        .execute();
      expect(body.id).toBe('c1');
      expect(requests).toHaveLength(2);
      expect(requests.map((r) => r.headers.get('x-ctp-client-call'))).toEqual([null, null]);
    });
  });

  describe('without onRetry and onRecovery, and with what can fail beside the API', () => {
    it('should resend and recover with no hook given', async () => {
      const { f, requests } = factory(
        [
          () => Response.json({ message: 'busy' }, { status: 503 }),
          () => Response.json({ error: 'invalid_token' }, { status: 401 }),
        ],
        { engine },
      );
      const { body } = await f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
      expect(requests).toHaveLength(3);
    });

    it("should end the call with the token source's own error when it cannot renew", async () => {
      const refused = new CtpSessionExpiredError('the session ended');
      const { f } = factory([() => Response.json({ error: 'invalid_token' }, { status: 401 })], { engine });
      const root = f.forSource(source('tok', {}, () => Promise.reject(refused)));
      await expect(root.categories().withId({ ID: 'c1' }).get().execute()).rejects.toBe(refused);
    });

    it('should leave no timer of the recovery behind', async () => {
      const { f } = factory([() => Response.json({ error: 'invalid_token' }, { status: 401 })], { engine });
      const root = f.forSource(source('tok'));
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        await root.categories().withId({ ID: 'c1' }).get().execute();
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        vi.useRealTimers();
      }
    });

    it('should keep the answer as the error when the backoff sleep itself fails, not call it cancelled', async () => {
      const { f } = factory([() => Response.json({ message: 'busy' }, { status: 503 })], {
        engine,
        sleep: () => Promise.reject(new Error('the timer broke')),
      });
      await expect(f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiUnavailable,
        status: 503,
      });
    });

    it('should leave the signal of a backoff wait that ended alone on close()', async () => {
      const waits: AbortSignal[] = [];
      const { f } = factory([() => Response.json({ message: 'busy' }, { status: 503 })], {
        engine,
        sleep: (_ms, signal) => {
          waits.push(signal!);
          return Promise.resolve();
        },
      });
      await f.forSource(source('tok')).categories().withId({ ID: 'c1' }).get().execute();
      f.close();
      expect(waits).toHaveLength(1);
      expect(waits[0]!.aborted).toBe(false);
    });
  });
});
