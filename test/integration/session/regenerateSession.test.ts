import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import type { CtpClient } from '../../../src/client/CtpClient';
import { CtpError } from '../../../src/errors/CtpError';
import { ctpErrorHandler } from '../../../src/http/ctpErrorHandler';
import { ctpModule } from '../../../src/module/ctpModule';
import type { CtpSession } from '../../../src/session/CtpSession';
import { ctpSessionMiddleware } from '../../../src/session/ctpSessionMiddleware';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { regenerateSession } from '../../../src/session/regenerateSession';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../../src/testing/embedded/startEmbeddedCommercetools';
import { ShopperClient } from '../../../examples/server-v3/journey/ShopperClient';

// regenerateSession(req) in a real express + express-session app against the embedded commercetools,
// over real HTTP on 127.0.0.1: the session id changes on sign-in and sign-out, the anonymous cart
// moves to the customer, and an id planted before the sign-in names nothing after it.
let embedded: EmbeddedCommercetools;
const servers: Server[] = [];
beforeAll(async () => {
  embedded = await startEmbeddedCommercetools();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await embedded.stop();
});

/** express-session's store, whose destroy() (the first half of regenerate) can be made to fail. */
class FlakyStore extends session.MemoryStore {
  failDestroy = false;
  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    if (this.failDestroy) callback?.(new Error('store down'));
    else super.destroy(sid, callback);
  }
}

interface Served {
  url: string;
  store: FlakyStore;
  /** Whether the store holds a session for the signed cookie value `s:<id>.<signature>`. */
  holds(cookie: string): Promise<boolean>;
}

async function serve(
  middleware: Parameters<typeof ctpSessionMiddleware>[0] = {},
  install?: (app: express.Express) => void,
): Promise<Served> {
  const container = new Container();
  container.load(
    ctpModule(
      createCtpConfig({
        projectKey: embedded.projectKey,
        clientId: embedded.clientId,
        clientSecret: embedded.clientSecret,
        authUrl: embedded.authUrl,
        apiUrl: embedded.apiUrl,
      }),
    ),
  );
  const ctpClient = container.get<CtpClient>('CtpClient');
  const ctpSession = container.get<CtpSession>('CtpSession');
  const store = new FlakyStore();
  const app = express();
  app.use(express.json());
  install?.(app);
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false, name: 'sid', store }));
  app.use(ctpSessionMiddleware(middleware));
  app.post('/cart', async (_req, res) => {
    const root = await ctpClient.customerApiRoot();
    const { body } = await root
      .me()
      .carts()
      .post({ body: { currency: 'EUR', lineItems: [{ sku: embedded.seeded.skus[0]!, quantity: 1 }] } })
      .execute();
    res.status(201).json({ id: body.id });
  });
  app.get('/cart', async (_req, res) => {
    const root = await ctpClient.customerApiRoot({ createAnonymous: false });
    const { body } = await root.me().activeCart().get().execute();
    res.json({ id: body.id, customerId: body.customerId ?? null });
  });
  app.get('/me', async (_req, res) => {
    res.json({ kind: (await ctpSession.current())?.kind ?? null });
  });
  app.post('/login', async (req, res) => {
    await regenerateSession(req);
    const token = await ctpSession.login(req.body.email as string, req.body.password as string);
    res.json({ customerId: token.customerId });
  });
  app.post('/logout', async (req, res) => {
    await ctpSession.logout();
    await regenerateSession(req);
    res.status(204).end();
  });
  app.post('/regenerate', async (req, res) => {
    await regenerateSession(req);
    res.status(204).end();
  });
  app.use(ctpErrorHandler());
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const holds = async (cookie: string) => {
    const id = decodeURIComponent(cookie)
      .replace(/^s:/, '')
      .replace(/\.[^.]*$/, '');
    return new Promise<boolean>((resolve, reject) =>
      store.get(id, (error, value) => (error ? reject(error) : resolve(value !== null && value !== undefined))),
    );
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, holds };
}

const customer = () => ({ email: embedded.customers[0]!.email, password: embedded.customers[0]!.password });

describe('regenerateSession', () => {
  it('should give a new session id on sign-in, move the anonymous cart to the customer, and end the planted id', async () => {
    const served = await serve();
    const shopper = new ShopperClient(served.url);
    const cart = (await shopper.request('POST', '/cart')).body as { id: string };
    const planted = shopper.cookie('sid')!;
    expect(await served.holds(planted)).toBe(true);

    const login = await shopper.request('POST', '/login', customer());
    expect(login).toEqual({ status: 200, body: { customerId: embedded.customers[0]!.id } });
    const signedIn = shopper.cookie('sid')!;
    expect(signedIn).not.toBe(planted);
    expect(await shopper.request('GET', '/me')).toEqual({ status: 200, body: { kind: 'customer' } });
    expect(await shopper.request('GET', '/cart')).toEqual({
      status: 200,
      body: { id: cart.id, customerId: embedded.customers[0]!.id },
    });

    // Whoever planted (or read) the id from before the sign-in holds nothing.
    expect(await served.holds(planted)).toBe(false);
    const attacker = new ShopperClient(served.url, { sid: planted });
    expect(await attacker.request('GET', '/me')).toEqual({ status: 200, body: { kind: null } });
    expect((await attacker.request('GET', '/cart')).status).toBe(401);
  });

  it('should give a new session id on sign-out and end the signed-in one', async () => {
    const served = await serve();
    const shopper = new ShopperClient(served.url);
    await shopper.request('POST', '/login', customer());
    const signedIn = shopper.cookie('sid')!;
    expect(await served.holds(signedIn)).toBe(true);
    expect((await shopper.request('POST', '/logout')).status).toBe(204);
    expect(await served.holds(signedIn)).toBe(false);
    expect(await shopper.request('GET', '/me')).toEqual({ status: 200, body: { kind: null } });
    const replay = new ShopperClient(served.url, { sid: signedIn });
    expect(await replay.request('GET', '/me')).toEqual({ status: 200, body: { kind: null } });
  });

  it('should carry the token under the key the middleware was given', async () => {
    const served = await serve({ key: 'shopperToken' });
    const shopper = new ShopperClient(served.url);
    const cart = (await shopper.request('POST', '/cart')).body as { id: string };
    const before = shopper.cookie('sid')!;
    expect((await shopper.request('POST', '/regenerate')).status).toBe(204);
    expect(shopper.cookie('sid')).not.toBe(before);
    expect(await served.holds(before)).toBe(false);
    expect(await shopper.request('GET', '/cart')).toEqual({ status: 200, body: { id: cart.id, customerId: null } });
  });

  it("should fail with CTP_SESSION_STORAGE when the store cannot destroy the old session, before the sign-in, keeping the shopper's cart", async () => {
    const served = await serve();
    const shopper = new ShopperClient(served.url);
    const cart = (await shopper.request('POST', '/cart')).body as { id: string };
    const before = shopper.cookie('sid')!;
    served.store.failDestroy = true;
    expect(await shopper.request('POST', '/login', customer())).toEqual({
      status: 500,
      body: { error: 'CTP_SESSION_STORAGE', message: expect.any(String) },
    });
    served.store.failDestroy = false;
    // The sign-in did not happen; the anonymous session and its cart went on under the new id.
    expect(shopper.cookie('sid')).not.toBe(before);
    expect(await shopper.request('GET', '/me')).toEqual({ status: 200, body: { kind: 'anonymous' } });
    expect(await shopper.request('GET', '/cart')).toEqual({ status: 200, body: { id: cart.id, customerId: null } });
  });

  it("should refuse a middleware with the app's own storage with CtpConfigError", async () => {
    const storages = new Map<string, MemorySessionStorage>();
    const served = await serve({
      storage: (req) =>
        storages.get(req.sessionID!) ?? storages.set(req.sessionID!, new MemorySessionStorage()).get(req.sessionID!)!,
    });
    const shopper = new ShopperClient(served.url);
    expect(await shopper.request('POST', '/regenerate')).toEqual({
      status: 500,
      body: { error: 'CTP_CONFIG_INVALID', message: expect.any(String) },
    });
  });

  it('should refuse a request that did not go through ctpSessionMiddleware, or has no express-session', async () => {
    await expect(regenerateSession({ session: {} })).rejects.toSatisfy(
      (e) => CtpError.is(e, 'CTP_NO_SESSION_CONTEXT') && /ctpSessionMiddleware\(\)/.test((e as Error).message),
    );
    const req = { session: {} as object, sessionID: 'x' };
    ctpSessionMiddleware()(req, undefined, () => undefined);
    await expect(regenerateSession(req)).rejects.toSatisfy(
      (e) => CtpError.is(e, 'CTP_NO_SESSION_CONTEXT') && /regenerate\(\)/.test((e as Error).message),
    );
  });
});
