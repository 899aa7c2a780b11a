import { describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import { API_ENGINE_NAMES, apiEngine, type EngineRequest } from '../../../src/client/ApiEngine';

const HOST = 'https://api.example.test';

function request(): EngineRequest {
  return { method: 'GET', uri: '/project/categories/cat-1', uriTemplate: '/{projectKey}/categories/{ID}', headers: {} };
}

function answering(status: number, body: unknown) {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn<FetchLike>(async (url, init) => {
    seen.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return { fetch, seen };
}

describe.each(API_ENGINE_NAMES)('the %s engine client', (name) => {
  const engine = apiEngine(name);

  it('should send the request with its existing token and resolve with the body and status', async () => {
    const { fetch, seen } = answering(200, { id: 'cat-1' });
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    const result = (await client.execute(request())) as { body: unknown; statusCode: number };
    expect(result.body).toEqual({ id: 'cat-1' });
    expect(result.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${HOST}/project/categories/cat-1`);
    expect(seen[0]!.init.method).toBe('GET');
    expect((seen[0]!.init.headers as Record<string, string>)['Authorization']).toBe('Bearer token-1');
  });

  it('should reject with the SDK error without onFailure', async () => {
    const { fetch } = answering(404, { statusCode: 404, message: 'not found', errors: [{ code: 'ResourceNotFound' }] });
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    const error = await client.execute(request()).catch((e: unknown) => e);
    expect(engine.failureOf(error)?.statusCode).toBe(404);
  });

  it('should hand a failure to onFailure: its value resolves the call, its throw rejects it', async () => {
    const { fetch } = answering(404, { statusCode: 404, message: 'not found' });
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    const handed: unknown[] = [];
    await expect(client.execute(request(), (error) => (handed.push(error), 'recovered'))).resolves.toBe('recovered');
    expect(engine.failureOf(handed[0])?.statusCode).toBe(404);
    const mapped = new Error('mapped');
    await expect(
      client.execute(request(), () => {
        throw mapped;
      }),
    ).rejects.toBe(mapped);
    await expect(client.execute(request(), () => Promise.reject(mapped))).rejects.toBe(mapped);
  });

  it('should never call onFailure for a success', async () => {
    const { fetch } = answering(200, { id: 'cat-1' });
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    const onFailure = vi.fn();
    await client.execute(request(), onFailure);
    expect(onFailure).not.toHaveBeenCalled();
  });
});

describe('the sdk-client-v2 engine client', () => {
  const engine = apiEngine('sdk-client-v2');

  it('should refuse a request without uri or method synchronously, as sdk-client-v2 does', () => {
    const { fetch } = answering(200, {});
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    expect(() => client.execute({ method: 'GET' } as EngineRequest)).toThrow(/uri and method/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('should compose app middlewares for every call, as sdk-client-v2 does (they may keep state per composition)', async () => {
    const { fetch, seen } = answering(200, {});
    let compositions = 0;
    const tagging = (next: (rq: EngineRequest, rs: unknown) => void) => {
      compositions += 1;
      return (rq: EngineRequest, rs: unknown) => next({ ...rq, headers: { ...rq.headers, 'X-App': 'yes' } }, rs);
    };
    const client = engine.createClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [tagging] });
    await client.execute(request());
    await client.execute(request());
    expect(compositions).toBe(2);
    expect((seen[1]!.init.headers as Record<string, string>)['X-App']).toBe('yes');
  });
});
