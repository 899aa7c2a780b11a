import type express from 'express';
import type { Request } from 'express';
import type { Container } from 'inversify';
import { regenerateSession, type CtpSession } from 'ctp-client';
import { StoreShopperDatasource } from './datasources/StoreShopperDatasource';
import { readBody } from './readBody';

const storeKeyOf = (req: Request) => req.params['storeKey'] as string;

/**
 * A Store's storefront under `/stores/:storeKey`: the Store comes from the URL (a real app takes it
 * from the host or the path), and the library keeps the shopper in it.
 */
export function installStoreRoutes(app: express.Express, container: Container, ctpSession: CtpSession): void {
  app.post('/stores/:storeKey/cart', async (req, res) => {
    const body = readBody(req.body, { sku: 'string', quantity: 'quantity?' });
    res
      .status(201)
      .json(await container.get(StoreShopperDatasource).createCart(storeKeyOf(req), body.sku, body.quantity ?? 1));
  });
  app.get('/stores/:storeKey/cart', async (req, res) => {
    res.json(await container.get(StoreShopperDatasource).activeCart(storeKeyOf(req)));
  });
  app.get('/stores/:storeKey/me', async (req, res) => {
    const customer = await container.get(StoreShopperDatasource).me(storeKeyOf(req));
    res.json({ id: customer.id, email: customer.email, stores: customer.stores?.map((s) => s.key) ?? [] });
  });
  app.post('/stores/:storeKey/signup', async (req, res) => {
    const { email, password } = readBody(req.body, { email: 'string', password: 'string' });
    // A new session id, the anonymous token carried along so its cart moves.
    await regenerateSession(req);
    const token = await ctpSession.signUp({ email, password }, { storeKey: storeKeyOf(req) });
    res.status(201).json({ customerId: token.customerId, storeKey: token.storeKey });
  });
  app.post('/stores/:storeKey/login', async (req, res) => {
    const { email, password } = readBody(req.body, { email: 'string', password: 'string' });
    // A new session id, the anonymous token carried along so its cart moves.
    await regenerateSession(req);
    const token = await ctpSession.login(email, password, { storeKey: storeKeyOf(req) });
    res.json({ customerId: token.customerId, storeKey: token.storeKey });
  });
}
