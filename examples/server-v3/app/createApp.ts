import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Container } from 'inversify';
import { ctpModule, ctpSessionMiddleware, type CtpConfig, type CtpModuleOptions, type CtpSession } from 'ctp-client';
import { CustomerDatasource } from './datasources/CustomerDatasource';
import { ExampleCartDatasource } from './datasources/ExampleCartDatasource';
import { ExampleCatalogDatasource } from './datasources/ExampleCatalogDatasource';
import { ProductDatasource } from './datasources/ProductDatasource';
import { errorToHttp } from './errorToHttp';

export interface ExampleApp {
  app: express.Express;
  container: Container;
}

/**
 * A server-v3 style app: an inversify container that loads ctpModule, datasources that inject
 * 'CtpClient', and express-session holding each shopper's commercetools token.
 */
export function createApp(config: CtpConfig, options: CtpModuleOptions & { sessionSecret?: string } = {}): ExampleApp {
  const { sessionSecret, ...ctpOptions } = options;
  const container = new Container();
  container.load(ctpModule(config, ctpOptions));
  container.bind(ExampleCatalogDatasource).toSelf().inSingletonScope();
  container.bind(ExampleCartDatasource).toSelf().inSingletonScope();
  container.bind(ProductDatasource).toSelf().inSingletonScope();
  container.bind(CustomerDatasource).toSelf().inSingletonScope();
  const ctpSession = container.get<CtpSession>('CtpSession');

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use(session({ secret: sessionSecret ?? 'example-only-session-secret', resave: false, saveUninitialized: false, name: 'sid' }));
  app.use(ctpSessionMiddleware());

  app.get('/categories/:id', async (req, res) => {
    res.json(await container.get(ExampleCatalogDatasource).findById(req.params['id'] as string));
  });
  app.get('/products', async (_req, res) => {
    const products = await container.get(ProductDatasource).list(10);
    res.json(products.map((p) => ({ id: p.id, name: p.name['en'], sku: p.masterVariant.sku })));
  });
  app.post('/cart', async (req, res) => {
    const { sku, quantity } = req.body as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== 'string') {
      res.status(400).json({ error: 'BAD_REQUEST', message: 'sku is required' });
      return;
    }
    const cart = await container.get(ExampleCartDatasource).create(sku, typeof quantity === 'number' ? quantity : 1);
    res.status(201).json(cart);
  });
  app.get('/cart', async (_req, res) => {
    res.json(await container.get(ExampleCartDatasource).findActive());
  });
  app.get('/carts/:id', async (req, res) => {
    res.json(await container.get(ExampleCartDatasource).findById(req.params['id'] as string));
  });
  app.post('/login', async (req, res) => {
    const { email, password } = req.body as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'BAD_REQUEST', message: 'email and password are required' });
      return;
    }
    const token = await ctpSession.login(email, password);
    res.json({ customerId: token.customerId });
  });
  app.get('/me', async (_req, res) => {
    const customer = await container.get(CustomerDatasource).me();
    res.json({ id: customer.id, email: customer.email, firstName: customer.firstName });
  });
  app.post('/logout', async (_req, res) => {
    await ctpSession.logout();
    res.status(204).end();
  });

  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = errorToHttp(error);
    res.status(status).json(body);
  });
  return { app, container };
}
