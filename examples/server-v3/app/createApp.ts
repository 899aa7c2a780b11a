import { randomBytes } from 'node:crypto';
import express, { type Request } from 'express';
import session from 'express-session';
import { Container } from 'inversify';
import {
  ctpErrorHandler,
  ctpModule,
  ctpSessionMiddleware,
  regenerateSession,
  type CtpClient,
  type CtpConfig,
  type CtpModuleOptions,
  type CtpSession,
  type Logger,
} from 'ctp-client';
import { CustomerDatasource } from './datasources/CustomerDatasource';
import { ExampleCartDatasource } from './datasources/ExampleCartDatasource';
import { ExampleCatalogDatasource } from './datasources/ExampleCatalogDatasource';
import { ProductDatasource } from './datasources/ProductDatasource';
import { badRequestHandler, readBody } from './readBody';
import { StoreShopperDatasource } from './datasources/StoreShopperDatasource';
import { installStoreRoutes } from './storeRoutes';

export interface ExampleAppOptions extends CtpModuleOptions {
  /** Signs the session cookie. Without one, a random secret for this process (sessions end on restart). */
  sessionSecret?: string;
  /**
   * The session cookie's `secure` flag: true sends it over HTTPS only. Default: true when
   * NODE_ENV=production, otherwise 'auto' (secure exactly when the request came over TLS). Behind a
   * TLS-terminating proxy set `trustProxy` too, or express sees plain HTTP and never sets the cookie.
   */
  secureCookie?: boolean | 'auto';
  /** express's `trust proxy` setting (e.g. 1 for one proxy in front). */
  trustProxy?: boolean | number | string;
  /** The shop's identity provider, for `POST /login/external` (commercetools External OAuth). */
  identityProvider?: { verify(token: string): { customerId: string; expiresAt: Date } | undefined };
}

export interface ExampleApp {
  app: express.Express;
  container: Container;
}

/**
 * A server-v3 style app: an inversify container that loads ctpModule, datasources that inject
 * 'CtpClient', and express-session holding each shopper's commercetools token.
 */
export function createApp(config: CtpConfig, options: ExampleAppOptions = {}): ExampleApp {
  const { sessionSecret, secureCookie, trustProxy, identityProvider, ...ctpOptions } = options;
  const logger: Logger = ctpOptions.logger ?? {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const container = new Container();
  container.load(ctpModule(config, ctpOptions));
  container.bind(ExampleCatalogDatasource).toSelf().inSingletonScope();
  container.bind(ExampleCartDatasource).toSelf().inSingletonScope();
  container.bind(ProductDatasource).toSelf().inSingletonScope();
  container.bind(CustomerDatasource).toSelf().inSingletonScope();
  container.bind(StoreShopperDatasource).toSelf().inSingletonScope();
  const ctpSession = container.get<CtpSession>('CtpSession');
  const ctpClient = container.get<CtpClient>('CtpClient');

  const app = express();
  app.disable('x-powered-by');
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  app.use(express.json());
  app.use(
    session({
      secret: sessionSecret ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      name: 'sid',
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie ?? (process.env['NODE_ENV'] === 'production' ? true : 'auto'),
      },
    }),
  );
  // Reads req.session at each call: a login() after regenerateSession(req) lands in the new session.
  app.use(ctpSessionMiddleware());

  app.get('/categories/:id', async (req, res) => {
    res.json(await container.get(ExampleCatalogDatasource).findById(req.params['id']));
  });
  app.get('/products', async (_req, res) => {
    const products = await container.get(ProductDatasource).list(10);
    res.json(products.map((p) => ({ id: p.id, name: p.name['en'], sku: p.masterVariant.sku })));
  });
  app.post('/cart', async (req, res) => {
    const body = readBody(req.body, { sku: 'string', quantity: 'quantity?' });
    const cart = await container.get(ExampleCartDatasource).create(body.sku, body.quantity ?? 1);
    res.status(201).json(cart);
  });
  app.get('/cart', async (_req, res) => {
    res.json(await container.get(ExampleCartDatasource).findActive());
  });
  app.get('/carts/:id', async (req, res) => {
    res.json(await container.get(ExampleCartDatasource).findById(req.params['id']));
  });
  // commercetools Checkout: the browser gets the session's id for the Checkout Browser SDK, nothing else.
  app.post('/checkout', async (req, res) => {
    // The library refuses a cartId that is not a cart id (CTP_INVALID_ARGUMENT, answered 400).
    const cartId = (req.body as { cartId?: string } | undefined)?.cartId;
    res.json(await ctpSession.checkoutSession(cartId === undefined ? {} : { cartId }));
  });
  // Customer service (put it behind your agents' own sign-in): sets the email of a customer's cart
  // under a cart lock, through the customerService token, attributed to the agent.
  app.post('/agent/customers/:customerId/cart-email', async (req, res) => {
    const { agentId, email } = readBody(req.body, { agentId: 'string', email: 'string' });
    const cart = await ctpClient.actAsCustomer(
      req.params['customerId'] ?? '',
      { agentId, lockCart: true },
      async ({ apiRoot, cart }) => {
        const actions = [{ action: 'setCustomerEmail' as const, email }];
        return (
          await apiRoot
            .carts()
            .withId({ ID: cart.id })
            .post({ body: { version: cart.version, actions } })
            .execute()
        ).body;
      },
    );
    res.json({ id: cart.id, customerEmail: cart.customerEmail, lockedWhileChanged: cart.lock !== undefined });
  });
  app.post('/login', async (req, res) => {
    const { email, password } = readBody(req.body, { email: 'string', password: 'string' });
    // A new session id on sign-in (OWASP): an id planted before login never reaches the account.
    // regenerateSession carries the visitor's anonymous token into the new session, so login() takes
    // the anonymous cart along; login() then replaces it with the customer's token and revokes it.
    await regenerateSession(req);
    const token = await ctpSession.login(email, password);
    res.json({ customerId: token.customerId });
  });
  app.get('/me', async (_req, res) => {
    const customer = await container.get(CustomerDatasource).me();
    res.json({ id: customer.id, email: customer.email, firstName: customer.firstName });
  });
  // Shopper accounts (issue 13). Every route answers without a token: reset and verification tokens
  // go to the mailer (the sendToken module option) only.
  app.post('/signup', async (req, res) => {
    const { email, password } = readBody(req.body, { email: 'string', password: 'string' });
    // A new session id on sign-up too, carrying the anonymous token so the cart moves to the new account.
    await regenerateSession(req);
    const token = await ctpSession.signUp({ email, password });
    res.status(201).json({ customerId: token.customerId });
  });
  app.post('/password', async (req, res) => {
    const { currentPassword, newPassword } = readBody(req.body, { currentPassword: 'string', newPassword: 'string' });
    await ctpSession.changePassword(currentPassword, newPassword);
    res.status(204).end();
  });
  app.post('/password/reset-request', async (req, res) => {
    const { email } = readBody(req.body, { email: 'string' });
    await ctpSession.requestPasswordReset(email);
    // The same answer for every email, and never the token.
    res.status(202).json({ message: 'If an account exists for this email, a reset link is on its way.' });
  });
  app.post('/password/reset', async (req, res) => {
    const { tokenValue, newPassword } = readBody(req.body, { tokenValue: 'string', newPassword: 'string' });
    await ctpSession.resetPassword(tokenValue, newPassword);
    res.status(204).end();
  });
  app.post('/email/verification', async (_req, res) => {
    await ctpSession.requestEmailVerification();
    res.status(202).json({ message: 'A confirmation link is on its way.' });
  });
  app.post('/email/confirm', async (req, res) => {
    const { tokenValue } = readBody(req.body, { tokenValue: 'string' });
    await ctpSession.confirmEmail(tokenValue);
    res.status(204).end();
  });
  app.get('/b2b/:businessUnitKey/carts', async (req, res) => {
    // The associate is the signed-in customer, taken from the session by the library, never from the request.
    const root = await ctpClient.associateApiRoot(req.params['businessUnitKey']);
    const { body } = await root.carts().get().execute();
    res.json({ count: body.count, carts: body.results.map((c) => ({ id: c.id, customerId: c.customerId })) });
  });
  app.post('/b2b/:businessUnitKey/carts', async (req, res) => {
    const root = await ctpClient.associateApiRoot(req.params['businessUnitKey']);
    const { body } = await root
      .carts()
      .post({ body: { currency: 'EUR' } })
      .execute();
    res.status(201).json({ id: body.id, customerId: body.customerId, businessUnit: body.businessUnit?.key });
  });
  installStoreRoutes(app, container, ctpSession);
  // Signed in at the shop's identity provider: the browser hands over the provider's token; the
  // session holds it and calls commercetools with it (External OAuth), the visitor's cart merged.
  app.post('/login/external', async (req, res) => {
    const { token } = readBody(req.body, { token: 'string' });
    const identity = identityProvider?.verify(token);
    if (!identity) {
      res.status(401).json({ error: 'UNAUTHORIZED', message: 'The identity provider did not sign this token.' });
      return;
    }
    await regenerateSession(req);
    await ctpSession.loginExternal(token, identity);
    res.json({ customerId: identity.customerId });
  });
  app.post('/logout', async (req, res) => {
    await ctpSession.logout();
    // And a new id on sign-out: the old one, wherever it leaked, names nothing.
    await regenerateSession(req);
    res.status(204).end();
  });

  app.use(badRequestHandler);
  app.use(
    ctpErrorHandler({
      log: (error, status, req) => {
        const { method, path } = req as Request;
        if (status >= 500)
          logger.error(
            { event: 'example.request_failed', method, path, status, ...errorFacts(error) },
            'request failed',
          );
      },
    }),
  );
  return { app, container };
}

/** What a log line may say about an error: its class and code, never its message's foreign text. */
function errorFacts(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { error: typeof error };
  const e = error as { name?: unknown; code?: unknown; statusCode?: unknown; status?: unknown };
  return {
    error: typeof e.name === 'string' ? e.name : 'unknown',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number'
      ? { upstreamStatus: e.statusCode }
      : typeof e.status === 'number'
        ? { upstreamStatus: e.status }
        : {}),
  };
}
