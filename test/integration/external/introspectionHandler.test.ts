import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import {
  createIntrospectionHandler,
  type IntrospectionHandlerOptions,
} from '../../../src/external/createIntrospectionHandler';

const AUTHORIZATION = 'Bearer introspection-shared-secret-0123456789';
const GOOD = 'provider-token-of-alice';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
}

function options(overrides: Partial<IntrospectionHandlerOptions> = {}): IntrospectionHandlerOptions {
  return {
    projectKey: 'shop',
    authorization: AUTHORIZATION,
    verify: async (token) =>
      token === GOOD ? { customerId: 'customer-alice', expiresAt: new Date(Date.now() + 600_000) } : undefined,
    ...overrides,
  };
}

/** What commercetools sends: POST, the configured Authorization, the form token=... */
function introspect(url: string, token: string, init: { authorization?: string; method?: string } = {}) {
  return fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      authorization: init.authorization ?? AUTHORIZATION,
      'content-type': 'application/x-www-form-urlencoded',
    },
    ...((init.method ?? 'POST') === 'POST' ? { body: new URLSearchParams({ token }).toString() } : {}),
  });
}

describe('createIntrospectionHandler over HTTP', () => {
  it('should answer commercetools as RFC 7662 asks: active with exp and the customer scopes, or not active', async () => {
    const url = await listen(createIntrospectionHandler(options()));
    const good = await introspect(url, GOOD);
    expect(good.status).toBe(200);
    expect(good.headers.get('cache-control')).toBe('no-store');
    const body = (await good.json()) as { active: boolean; exp: number; scope: string };
    expect(body.active).toBe(true);
    expect(body.exp).toBeGreaterThan(Date.now() / 1000);
    expect(body.scope.split(' ')).toEqual(
      expect.arrayContaining(['manage_my_orders:shop', 'manage_my_profile:shop', 'customer_id:customer-alice']),
    );
    expect(body.scope).not.toMatch(/(^| )(manage_(?!my_)|view_customers|view_orders)/);
    await expect((await introspect(url, 'someone-elses-token')).json()).resolves.toEqual({ active: false });
  });

  it('should send the scopes it is given', async () => {
    const url = await listen(createIntrospectionHandler(options({ scopes: ['manage_my_orders', 'view_categories'] })));
    await expect((await introspect(url, GOOD)).json()).resolves.toMatchObject({
      scope: 'manage_my_orders:shop view_categories:shop customer_id:customer-alice',
    });
  });

  it('should refuse a caller without the configured Authorization (401), another method (405), no token (400), a huge form (413)', async () => {
    const verify = vi.fn(options().verify);
    const url = await listen(createIntrospectionHandler(options({ verify })));
    expect((await introspect(url, GOOD, { authorization: 'Bearer guessed' })).status).toBe(401);
    expect((await introspect(url, GOOD, { authorization: `${AUTHORIZATION}x` })).status).toBe(401);
    const get = await introspect(url, GOOD, { method: 'GET' });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await introspect(url, '')).status).toBe(400);
    const huge = await fetch(url, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${'a'.repeat(64 * 1024)}`,
    }).catch((error: unknown) => error);
    // The server answers 413 and closes; the client sees the answer or, if still sending, a reset.
    if (huge instanceof Response) expect(huge.status).toBe(413);
    expect(verify).not.toHaveBeenCalled();
  });

  it('should answer not active when verify passes the budget, with the verification aborted', async () => {
    let aborted: Promise<unknown> | undefined;
    const url = await listen(
      createIntrospectionHandler(
        options({
          budgetMs: 50,
          verify: (_token, signal) => {
            aborted = new Promise((resolve) => signal.addEventListener('abort', resolve));
            return new Promise(() => undefined);
          },
        }),
      ),
    );
    await expect((await introspect(url, GOOD)).json()).resolves.toEqual({ active: false });
    await expect(aborted).resolves.toBeDefined();
  });

  it('should work as an Express route, after express.urlencoded or beside express.json', async () => {
    for (const parser of [express.urlencoded({ extended: false }), express.json()]) {
      const app = express();
      app.use(parser);
      app.post('/introspect', createIntrospectionHandler(options()));
      const url = await listen(app);
      await expect((await introspect(url, GOOD)).json()).resolves.toMatchObject({ active: true });
    }
  });

  it('should refuse bad options with every problem named and no secret echoed', () => {
    const attempt = () =>
      createIntrospectionHandler({
        projectKey: 'Shop Key',
        authorization: 'short',
        verify: 'no' as unknown as IntrospectionHandlerOptions['verify'],
        budgetMs: 500,
        scopes: ['manage_my_orders', 'view_orders', 'manage_prodcts'],
      });
    expect(attempt).toThrow(CtpError);
    try {
      attempt();
    } catch (error) {
      expect((error as CtpError).code).toBe(CtpErrorCode.ConfigInvalid);
      const { message } = error as Error;
      for (const name of ['projectKey', 'authorization', 'verify', 'budgetMs', 'view_orders', 'manage_prodcts'])
        expect(message).toContain(name);
      expect(message).not.toContain('short');
    }
  });
});
