import express from 'express';
import session from 'express-session';
import { Container } from 'inversify';
import { InversifyExpressServer } from 'inversify-express-utils';
import { ctpErrorHandler, ctpModule, ctpSessionMiddleware, type CtpConfig } from 'ctp-client';
import { ExampleCartDatasource } from './datasources/ExampleCartDatasource';
import { ExampleCatalogDatasource } from './datasources/ExampleCatalogDatasource';
import { NewCartDatasource } from './datasources/NewCartDatasource';
// Loading a controller's file registers it (@controller); InversifyExpressServer binds it.
import './controllers/CartController';
import './controllers/CategoryController';
import './controllers/SessionController';

export interface ServerOptions {
  /** Signs the session cookie: a long random string, the same on every instance. */
  sessionSecret: string;
  /** Logs what ctpErrorHandler answered with a 5xx (the error's class and code). */
  logError?: (facts: { status: number; error: string; code?: string }) => void;
}

/**
 * The app's container (ctpModule and the datasources) and its express app, built by
 * inversify-express-utils from the controllers: express.json(), express-session and
 * ctpSessionMiddleware() before them, ctpErrorHandler() after.
 */
export function createServer(config: CtpConfig, options: ServerOptions): express.Application {
  const container = new Container();
  container.load(ctpModule(config));
  container.bind(ExampleCatalogDatasource).toSelf().inSingletonScope();
  container.bind(ExampleCartDatasource).toSelf().inSingletonScope();
  container.bind(NewCartDatasource).toSelf().inSingletonScope();

  const server = new InversifyExpressServer(container);
  server.setConfig((app) => {
    app.disable('x-powered-by');
    app.use(express.json());
    app.use(
      session({
        secret: options.sessionSecret,
        resave: false,
        saveUninitialized: false,
        name: 'sid',
        cookie: { httpOnly: true, sameSite: 'lax', secure: process.env['NODE_ENV'] === 'production' },
      }),
    );
    app.use(ctpSessionMiddleware());
  });
  server.setErrorConfig((app) => {
    app.use(
      ctpErrorHandler({
        log: (error, status) => {
          if (status < 500) return;
          const { name, code } = error as { name?: unknown; code?: unknown };
          options.logError?.({
            status,
            error: typeof name === 'string' ? name : 'unknown',
            ...(typeof code === 'string' ? { code } : {}),
          });
        },
      }),
    );
  });
  return server.build();
}
