// npm start: the example app on a port. With CTP_* variables it talks to that commercetools project
// (and then needs SESSION_SECRET); without them, to an embedded one from ctp-client/testing.
// TRUST_PROXY (express's `trust proxy`, e.g. 1) when a TLS-terminating proxy is in front;
// NODE_ENV=production makes the session cookie Secure.
import { loadCtpConfig, createCtpConfig, type CtpConfig } from 'ctp-client';
import { createApp } from './app/createApp';
import type { DemoIdentityProvider } from './app/DemoIdentityProvider';
import { startJourneyCommercetools } from './journey/startJourneyCommercetools';

const port = Number(process.env['PORT'] ?? 3000);
const ctpVariables = Object.keys(process.env).filter((name) => name.startsWith('CTP_'));
const sessionSecret = process.env['SESSION_SECRET'];
if (ctpVariables.length > 0 && !sessionSecret) {
  // Against a real project, sessions hold shoppers' tokens: a secret the process makes up would end
  // them on every restart and differ between instances; a fixed one in code would let anyone forge them.
  console.error(
    `${ctpVariables.join(', ')} set but no SESSION_SECRET: set SESSION_SECRET to a long random string (e.g. openssl rand -hex 32) to run against a real project.`,
  );
  process.exit(1);
}

let stopEmbedded: (() => Promise<void>) | undefined;
let config: CtpConfig;
let identityProvider: DemoIdentityProvider | undefined;
if (process.env['CTP_PROJECT_KEY']) {
  config = loadCtpConfig();
  console.log(`using commercetools project "${config.projectKey}" at ${config.apiUrl}`);
} else {
  const { embedded, provider, stop } = await startJourneyCommercetools();
  stopEmbedded = stop;
  identityProvider = provider;
  console.log(
    `a token of the demo identity provider for the seeded customer (POST /login/external { "token" }): ${provider.issue(embedded.seeded.customer.id)}`,
  );
  config = createCtpConfig({
    projectKey: embedded.projectKey,
    clientId: embedded.clientId,
    clientSecret: embedded.clientSecret,
    authUrl: embedded.authUrl,
    apiUrl: embedded.apiUrl,
    checkout: embedded.checkout,
  });
  console.log(`no CTP_PROJECT_KEY set: using the embedded commercetools at ${embedded.apiUrl}`);
  console.log(
    `seeded customer ${embedded.seeded.customer.email} / ${embedded.seeded.customer.password}; category ${embedded.seeded.categoryIds[0]}; sku ${embedded.seeded.skus[0]}`,
  );
}
const trustProxy = process.env['TRUST_PROXY'];
const { app } = createApp(config, {
  logger: console,
  ...(sessionSecret ? { sessionSecret } : {}),
  ...(identityProvider ? { identityProvider } : {}),
  ...(trustProxy === undefined ? {} : { trustProxy: /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy }),
});
const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`example app on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
});

// npm forwards SIGTERM and SIGINT to this process (the start script execs tsx, which relays them):
// stop taking requests, close the embedded commercetools, exit.
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  server.closeAllConnections();
  server.close(() => {
    void (stopEmbedded?.() ?? Promise.resolve()).finally(() => process.exit(0));
  });
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
