import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopperClient } from '../../examples/server-v3/journey/ShopperClient';

// examples/server-v3-cjs as its own CommonJS process (inversify 6, inversify-express-utils
// controllers, express 4) against the embedded commercetools, driven over real HTTP on 127.0.0.1.
// Needs dist/ (npm run build): the app loads ctp-client's CommonJS build.
const root = fileURLToPath(new URL('../..', import.meta.url));
let app: ChildProcess;
let stderr = '';
let started: {
  url: string;
  format: string;
  categoryId: string;
  sku: string;
  customer: { email: string; password: string; id: string };
};

beforeAll(async () => {
  app = spawn(
    process.execPath,
    ['-r', './examples/server-v3-cjs/repositoryAliases.cjs', '-r', 'tsx/cjs', 'examples/server-v3-cjs/src/main.ts'],
    {
      cwd: root,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  app.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  started = await new Promise((resolve, reject) => {
    let out = '';
    app.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as typeof started);
    });
    app.once('exit', (code) => reject(new Error(`the CJS example exited (${code}) before listening: ${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  if (app.exitCode !== null) return;
  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  await exited;
});

describe('the CommonJS server-v3 example (inversify 6 + inversify-express-utils)', () => {
  it('should run as CommonJS', () => {
    expect(started.format).toBe('commonjs');
  });

  it("should read a category through the seed's catalog datasource, and answer an unknown one 404 through ctpErrorHandler", async () => {
    const visitor = new ShopperClient(started.url);
    expect(await visitor.request('GET', `/categories/${started.categoryId}`)).toEqual({
      status: 200,
      body: { id: started.categoryId, name: expect.objectContaining({ en: expect.any(String) }) },
    });
    expect(await visitor.request('GET', '/categories/does-not-exist')).toEqual({
      status: 404,
      body: { error: 'CTP_API_NOT_FOUND', message: 'Not found.' },
    });
    // A visitor who only reads the catalogue starts no session.
    expect(visitor.hasSession).toBe(false);
  });

  it('should move the anonymous cart to the customer on login and end the session ids on login and logout', async () => {
    const shopper = new ShopperClient(started.url);
    const created = await shopper.request('POST', '/carts', { sku: started.sku, quantity: 2 });
    expect(created.status).toBe(201);
    const cartId = (created.body as { id: string }).id;
    expect(await shopper.request('GET', `/carts/${cartId}`)).toEqual({
      status: 200,
      body: { id: cartId, customerId: null, lineItems: 1 },
    });
    const anonymousId = shopper.cookie('sid')!;
    expect(await shopper.request('GET', '/session')).toEqual({
      status: 200,
      body: { kind: 'anonymous', customerId: null },
    });

    expect(
      await shopper.request('POST', '/session', { email: started.customer.email, password: started.customer.password }),
    ).toEqual({ status: 200, body: { customerId: started.customer.id } });
    const signedInId = shopper.cookie('sid')!;
    expect(signedInId).not.toBe(anonymousId);
    // The seed's cart datasource reads the cart as the customer: it moved with the sign-in.
    expect(await shopper.request('GET', `/carts/${cartId}`)).toEqual({
      status: 200,
      body: { id: cartId, customerId: started.customer.id, lineItems: 1 },
    });
    // The id from before the sign-in (planted, or read off the wire) names nothing.
    const planted = new ShopperClient(started.url, { sid: anonymousId });
    expect(await planted.request('GET', '/session')).toEqual({ status: 200, body: { kind: null, customerId: null } });

    const logout = await fetch(`${started.url}/session`, {
      method: 'DELETE',
      headers: { cookie: `sid=${signedInId}` },
    });
    expect(logout.status).toBe(204);
    const afterLogout = logout.headers.getSetCookie().find((c) => c.startsWith('sid='));
    expect(afterLogout).toBeDefined();
    expect(afterLogout).not.toContain(signedInId);
    const replay = new ShopperClient(started.url, { sid: signedInId });
    expect(await replay.request('GET', '/session')).toEqual({ status: 200, body: { kind: null, customerId: null } });
    // Whoever replays it is a new visitor, who cannot read the customer's cart.
    expect((await replay.request('GET', `/carts/${cartId}`)).status).toBe(404);
  });

  it('should answer wrong credentials 400 and a body without them 400, as JSON', async () => {
    const shopper = new ShopperClient(started.url);
    expect(
      await shopper.request('POST', '/session', { email: started.customer.email, password: 'wrong-password-1' }),
    ).toEqual({ status: 400, body: { error: 'CTP_INVALID_CREDENTIALS', message: 'Wrong email or password.' } });
    expect(await shopper.request('POST', '/session', { email: started.customer.email })).toEqual({
      status: 400,
      body: { error: 'CTP_INVALID_ARGUMENT', message: 'The request is not valid.' },
    });
  });

  it("should type-check with inversify 6's types as a CommonJS project", async () => {
    await expect(
      promisify(execFile)(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', 'examples/server-v3-cjs/tsconfig.json'],
        { cwd: root },
      ),
    ).resolves.toBeDefined();
  }, 120_000);
});
