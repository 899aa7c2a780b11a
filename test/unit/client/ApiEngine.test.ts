import { describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import { API_ENGINE_NAMES, engineClientFactory, type EngineRequest } from '../../../src/client/ApiEngine';

const HOST = 'https://api.example.test';

function request(): EngineRequest {
  return {
    method: 'POST',
    uri: '/project/carts',
    uriTemplate: '/{projectKey}/carts',
    headers: { 'X-Custom': 'kept' },
    body: { currency: 'EUR' },
  };
}

function answering(status: number, body: unknown) {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn<FetchLike>(async (url, init) => {
    seen.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return { fetch, seen };
}

const headersOf = (init: RequestInit) => Object.fromEntries(new Headers(init.headers));

describe.each(API_ENGINE_NAMES)('the %s engine client (its own createClient)', (name) => {
  const newClient = engineClientFactory(name);

  it('should send the request once with its existing token, JSON body and headers, and resolve with body and status', async () => {
    const { fetch, seen } = answering(201, { id: 'cart-1' });
    const client = newClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    const result = (await client.execute(request())) as { body: unknown; statusCode: number };
    expect(result).toMatchObject({ body: { id: 'cart-1' }, statusCode: 201 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${HOST}/project/carts`);
    expect(seen[0]!.init.method).toBe('POST');
    expect(seen[0]!.init.body).toBe('{"currency":"EUR"}');
    expect(headersOf(seen[0]!.init)).toMatchObject({
      authorization: 'Bearer token-1',
      'x-custom': 'kept',
      'content-type': 'application/json',
    });
  });

  it('should reject an error answer once, without resending it (the library resends, not the engine)', async () => {
    const { fetch } = answering(503, { statusCode: 503, message: 'busy' });
    const client = newClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [] });
    await expect(client.execute({ ...request(), method: 'GET' })).rejects.toMatchObject({ statusCode: 503 });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("should run the app's middleware after the existing-token one and before HTTP", async () => {
    const { fetch, seen } = answering(200, {});
    const authorizations: unknown[] = [];
    // Both engines call a middleware as next => request => ...; sdk-client-v2 adds a response argument.
    const tagging = (next: (rq: EngineRequest, rs?: unknown) => unknown) => (rq: EngineRequest, rs?: unknown) => {
      authorizations.push(rq.headers?.['Authorization']);
      return next({ ...rq, headers: { ...rq.headers, 'X-App': 'yes' } }, rs);
    };
    const client = newClient({ host: HOST, authorization: 'Bearer token-1', fetch, middlewares: [tagging] });
    await client.execute(request());
    expect(authorizations).toEqual(['Bearer token-1']);
    expect(headersOf(seen[0]!.init)['x-app']).toBe('yes');
  });
});
