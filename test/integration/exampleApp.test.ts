import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtpConfig, CtpIdentifiers, type CtpSession } from 'ctp-client';
import { createApp, type ExampleApp } from '../../examples/server-v3/app/createApp';
import { OffsetClock } from '../../examples/server-v3/app/OffsetClock';
import type { EmbeddedCommercetools } from '../../src/testing/embedded/startEmbeddedCommercetools';
import { ShopperClient } from '../../examples/server-v3/journey/ShopperClient';
import {
  startJourneyCommercetools,
  type JourneyCommercetools,
} from '../../examples/server-v3/journey/startJourneyCommercetools';
import { runJourney } from '../../examples/server-v3/journey/runJourney';

// The example app against the embedded commercetools, over real HTTP on 127.0.0.1.
describe('the example server-v3 app', () => {
  let embedded: EmbeddedCommercetools;
  let world: JourneyCommercetools;
  let server: Server;
  let app: ExampleApp;
  let baseUrl: string;
  const clock = new OffsetClock();
  const outbox: { kind: string; email: string; tokenValue: string }[] = [];

  beforeAll(async () => {
    world = await startJourneyCommercetools(() => clock.now());
    embedded = world.embedded;
    const config = createCtpConfig({
      projectKey: embedded.projectKey,
      clientId: embedded.clientId,
      clientSecret: embedded.clientSecret,
      authUrl: embedded.authUrl,
      apiUrl: embedded.apiUrl,
      checkout: embedded.checkout,
    });
    app = createApp(config, {
      clock,
      sendToken: async (message) => void outbox.push(message),
      passwordResetFloorMs: 50,
      identityProvider: world.provider,
    });
    server = app.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
    await world.stop();
  });

  it('should run the whole shopper journey with the expected grants at every step', async () => {
    const report = await runJourney({
      baseUrl,
      grants: embedded.grants,
      customer: embedded.seeded.customer,
      categoryId: embedded.seeded.categoryIds[0]!,
      sku: embedded.seeded.skus[0]!,
      providerToken: () => world.provider.issue(embedded.seeded.customer.id),
      advanceClock: (ms) => clock.advance(ms),
      outbox,
      settled: () => app.container.get<CtpSession>(CtpIdentifiers.CtpSession).settled(),
    });
    for (const step of report.steps)
      expect({ step: step.name, problems: step.problems }).toEqual({ step: step.name, problems: [] });
    // One refresh of the signed-in customer, one refused refresh of the session the reset ended.
    expect(report.summary.grantsByFlow['refresh_token']).toBe(2);
    expect(report.summary.anonymousSessions).toBe(4);
    expect(report.ok).toBe(true);
  });

  it("should keep two shoppers in parallel apart: neither sees the other's cart", async () => {
    const [a, b] = [new ShopperClient(baseUrl), new ShopperClient(baseUrl)];
    const [cartA, cartB] = await Promise.all([
      a.request('POST', '/cart', { sku: embedded.seeded.skus[1], quantity: 1 }),
      b.request('POST', '/cart', { sku: embedded.seeded.skus[2], quantity: 3 }),
    ]);
    const idA = (cartA.body as { id: string }).id;
    const idB = (cartB.body as { id: string }).id;
    expect(idA).not.toBe(idB);
    const [ownA, ownB, crossA, crossB] = await Promise.all([
      a.request('GET', '/cart'),
      b.request('GET', '/cart'),
      a.request('GET', `/carts/${idB}`),
      b.request('GET', `/carts/${idA}`),
    ]);
    expect((ownA.body as { id: string }).id).toBe(idA);
    expect((ownB.body as { id: string }).id).toBe(idB);
    expect(crossA.status).toBe(404);
    expect(crossB.status).toBe(404);
    expect((await a.request('GET', `/carts/${idA}`)).status).toBe(200);
  });

  it('should answer 401 on /me and /cart for a visitor without a session, and create none', async () => {
    const visitor = new ShopperClient(baseUrl);
    const before = embedded.grants.length;
    expect((await visitor.request('GET', '/me')).status).toBe(401);
    expect((await visitor.request('GET', '/cart')).status).toBe(401);
    expect(embedded.grants.slice(before).filter((g) => g.flow === 'anonymous')).toHaveLength(0);
  });

  it('should refuse a logged-out session on /me', async () => {
    const shopper = new ShopperClient(baseUrl);
    expect((await shopper.request('POST', '/login', embedded.seeded.customer)).status).toBe(200);
    expect((await shopper.request('GET', '/me')).status).toBe(200);
    expect((await shopper.request('POST', '/logout')).status).toBe(204);
    const after = await shopper.request('GET', '/me');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'CTP_NO_SESSION', message: expect.any(String) });
  });

  it('should answer bad input with 400 and JSON, never a stack trace', async () => {
    const shopper = new ShopperClient(baseUrl);
    const missing = await shopper.request('POST', '/login', { email: 'x' });
    expect(missing.status).toBe(400);
    const wrong = await shopper.request('POST', '/login', {
      email: embedded.seeded.customer.email,
      password: 'wrong-password-1',
    });
    expect(wrong).toEqual({
      status: 400,
      body: { error: 'CTP_INVALID_CREDENTIALS', message: 'Wrong email or password.' },
    });
    const unknown = await shopper.request('GET', '/categories/does-not-exist');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).not.toMatch(/at .*\.ts|Bearer/);
  });
});
