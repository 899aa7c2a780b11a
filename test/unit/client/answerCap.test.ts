import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_ENGINE_NAMES, type ApiEngineName } from '../../../src/client/ApiEngine';
import { DEFAULT_MAX_ANSWER_BYTES } from '../../../src/client/ApiRootFactory';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { resolveCtpOptions } from '../../../src/module/resolveCtpOptions';
import { API_URL } from '../../support/FakePlatform';
import { createTestServices, testConfig } from '../../support/createTestServices';

const CAP = 4096;

/** A body of `size` bytes in chunks of 1 KiB, counting how many bytes were pulled from it and whether it was cancelled. */
function counted(size: number) {
  const seen = { pulled: 0, cancelled: false };
  let left = size;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(1024, left);
      left -= n;
      seen.pulled += n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

function setup(engine: ApiEngineName, answer: () => Response, options: CtpModuleOptions = {}) {
  const services = createTestServices({ ...options, api: { engine, maxAnswerBytes: CAP, ...options.api } });
  services.platform.on((call) => (call.url.startsWith(API_URL) ? answer() : undefined));
  const apiCalls = () => services.platform.calls.filter((c) => c.url.startsWith(API_URL));
  return { ...services, apiCalls };
}

afterEach(() => {
  vi.doUnmock('node:module');
  vi.resetModules();
});

describe.each(API_ENGINE_NAMES)('the API answer cap on the %s engine', (engine) => {
  it.each([200, 503])(
    'should stop reading a %i answer past the cap, cancel its body, and fail with CTP_API_ANSWER_TOO_LARGE without resending',
    async (status) => {
      const { body, seen } = counted(1024 * 1024);
      const { client, apiCalls } = setup(
        engine,
        () => new Response(body, { status, headers: { 'content-type': 'application/json' } }),
      );
      const apiRoot = await client.integrationApiRoot();
      const error = await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpApiError);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiAnswerTooLarge, status: 502, retries: 0 });
      expect((error as Error).message).toContain(`api.maxAnswerBytes (${CAP} bytes`);
      expect(seen.cancelled).toBe(true);
      // Read up to the cap and the chunk that crossed it (the stream may queue one more), never the rest.
      expect(seen.pulled).toBeLessThanOrEqual(CAP + 2 * 1024);
      expect(apiCalls()).toHaveLength(1);
    },
  );

  it('should refuse a plain answer whose Content-Length is over the cap before reading a byte', async () => {
    const { body, seen } = counted(CAP + 1);
    const { client } = setup(
      engine,
      () => new Response(body, { headers: { 'content-type': 'application/json', 'content-length': String(CAP + 1) } }),
    );
    const apiRoot = await client.integrationApiRoot();
    await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
      code: CtpErrorCode.ApiAnswerTooLarge,
    });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(1024);
  });

  it('should hand on an answer of exactly the cap, whole', async () => {
    const text = JSON.stringify({ id: 'c1', pad: 'x'.repeat(CAP - 20) });
    const padded = text + ' '.repeat(CAP - Buffer.byteLength(text));
    const { client } = setup(engine, () => new Response(padded, { headers: { 'content-type': 'application/json' } }));
    const apiRoot = await client.integrationApiRoot();
    const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
    expect(body.id).toBe('c1');
    expect((body as unknown as { pad: string }).pad).toHaveLength(CAP - 20);
  });
});

describe('api.maxAnswerBytes', () => {
  it('should default to 64 MiB', () => {
    expect(DEFAULT_MAX_ANSWER_BYTES).toBe(64 * 1024 * 1024);
    expect(resolveCtpOptions(testConfig()).api.maxAnswerBytes).toBe(DEFAULT_MAX_ANSWER_BYTES);
  });

  it.each([0, 1023, 1.5, 256 * 1024 * 1024 + 1, Number.NaN])(
    'should refuse %s with CTP_CONFIG_INVALID naming the option',
    (maxAnswerBytes) => {
      expect(() => createTestServices({ api: { maxAnswerBytes } })).toThrow(
        expect.objectContaining({
          code: CtpErrorCode.ConfigInvalid,
          message: expect.stringContaining('api.maxAnswerBytes'),
        }),
      );
    },
  );
});

describe("api.engine: 'sdk-client-v2' when @commercetools/sdk-client-v2 is not installed", () => {
  it('should fail at start with a CtpConfigError naming the package to install, and load with ts-client', async () => {
    vi.doMock('node:module', async (original) => {
      const actual = await original<typeof import('node:module')>();
      const createRequire = (from: string | URL) => {
        const require = actual.createRequire(from);
        return Object.assign((id: string) => {
          if (id === '@commercetools/sdk-client-v2')
            throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
          return require(id);
        }, require);
      };
      return { ...actual, default: { ...actual, createRequire }, createRequire };
    });
    const { engineClientFactory } = await import('../../../src/client/ApiEngine');
    expect(() => engineClientFactory('sdk-client-v2')).toThrow(CtpConfigError);
    expect(() => engineClientFactory('sdk-client-v2')).toThrow(/npm install @commercetools\/sdk-client-v2/);
    expect(() => engineClientFactory('sdk-client-v2')).toThrow(
      expect.objectContaining({ code: CtpErrorCode.ConfigInvalid }),
    );
    expect(typeof engineClientFactory('ts-client')).toBe('function');
  });
});
