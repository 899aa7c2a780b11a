// npm start: the example app on a port. With CTP_* variables it talks to that commercetools project;
// without them, to an embedded one.
import { loadCtpConfig, createCtpConfig, type CtpConfig } from 'ctp-client';
import { createApp } from './app/createApp';
import { startEmbeddedCommercetools } from 'ctp-client/testing';

const port = Number(process.env['PORT'] ?? 3000);
let config: CtpConfig;
if (process.env['CTP_PROJECT_KEY']) {
  config = loadCtpConfig();
  console.log(`using commercetools project "${config.projectKey}" at ${config.apiUrl}`);
} else {
  const embedded = await startEmbeddedCommercetools();
  config = createCtpConfig({ projectKey: embedded.projectKey, clientId: embedded.clientId, clientSecret: embedded.clientSecret, authUrl: embedded.authUrl, apiUrl: embedded.apiUrl });
  console.log(`no CTP_PROJECT_KEY set: using the embedded commercetools at ${embedded.apiUrl}`);
  console.log(`seeded customer ${embedded.seeded.customer.email} / ${embedded.seeded.customer.password}; category ${embedded.seeded.categoryIds[0]}; sku ${embedded.seeded.skus[0]}`);
}
const { app } = createApp(config, { logger: console, ...(process.env['SESSION_SECRET'] ? { sessionSecret: process.env['SESSION_SECRET'] } : {}) });
app.listen(port, '127.0.0.1', () => console.log(`example app on http://127.0.0.1:${port}`));
