// npm run demo [-- --json]: the example app against an embedded commercetools, driven by a scripted
// shopper over real HTTP. Exits 0 when every step behaved, 1 otherwise.
import type { AddressInfo } from 'node:net';
import { createCtpConfig, CtpIdentifiers, type CtpSession } from 'ctp-client';
import { createApp } from './app/createApp';
import { OffsetClock } from './app/OffsetClock';
import { formatJourney } from './journey/formatJourney';
import { startJourneyCommercetools } from './journey/startJourneyCommercetools';
import { runJourney } from './journey/runJourney';

const json = process.argv.includes('--json');
const clock = new OffsetClock();
const { embedded, provider, stop } = await startJourneyCommercetools(() => clock.now());
const config = createCtpConfig({
  projectKey: embedded.projectKey,
  clientId: embedded.clientId,
  clientSecret: embedded.clientSecret,
  authUrl: embedded.authUrl,
  apiUrl: embedded.apiUrl,
  checkout: embedded.checkout,
});
// The app's mailer: reset and verification tokens reach only this (the journey reads them as a shopper reads her email).
const outbox: { kind: string; email: string; tokenValue: string }[] = [];
const { app, container } = createApp(config, {
  clock,
  sendToken: async (message) => void outbox.push(message),
  passwordResetFloorMs: 200,
  identityProvider: provider,
});
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

try {
  if (!json) {
    console.log(
      `embedded commercetools at ${embedded.apiUrl} (project ${embedded.projectKey}); example app at ${baseUrl}`,
    );
    console.log(`seeded customer: ${embedded.seeded.customer.email} / ${embedded.seeded.customer.password}\n`);
  }
  const report = await runJourney({
    baseUrl,
    grants: embedded.grants,
    customer: { email: embedded.seeded.customer.email, password: embedded.seeded.customer.password },
    categoryId: embedded.seeded.categoryIds[0]!,
    sku: embedded.seeded.skus[0]!,
    providerToken: () => provider.issue(embedded.seeded.customer.id),
    advanceClock: (ms) => clock.advance(ms),
    outbox,
    settled: () => container.get<CtpSession>(CtpIdentifiers.CtpSession).settled(),
  });
  console.log(json ? JSON.stringify(report, null, 2) : formatJourney(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  server.close();
  await stop();
}
