import type { AddressInfo } from 'node:net';
import { createCtpConfig, CtpIdentifiers, type CtpSession } from 'ctp-client';
import { createApp } from '../examples/server-v3/app/createApp';
import { OffsetClock } from '../examples/server-v3/app/OffsetClock';
import { startJourneyCommercetools } from '../examples/server-v3/journey/startJourneyCommercetools';
import { runJourney } from '../examples/server-v3/journey/runJourney';
import { table, type Section } from './markdown';

export async function journeyGrants(): Promise<Section> {
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
  const outbox: { kind: string; email: string; tokenValue: string }[] = [];
  const { app, container } = createApp(config, {
    clock,
    sendToken: async (message) => void outbox.push(message),
    passwordResetFloorMs: 50,
    identityProvider: provider,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const report = await runJourney({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      grants: embedded.grants,
      customer: embedded.seeded.customer,
      categoryId: embedded.seeded.categoryIds[0]!,
      sku: embedded.seeded.skus[0]!,
      providerToken: () => provider.issue(embedded.seeded.customer.id),
      advanceClock: (ms) => clock.advance(ms),
      outbox,
      settled: () => container.get<CtpSession>(CtpIdentifiers.CtpSession).settled(),
    });
    return {
      title: 'Grants per step of the example journey',
      goal: 'each step causes exactly the token requests it should (the journey checks itself)',
      met: report.ok,
      body:
        table(
          ['step', 'request', 'status', 'token requests'],
          report.steps.map((s) => [
            s.name,
            s.request.replace(/[0-9a-f-]{36}/, ':id'),
            s.status,
            s.grants.map((g) => g.flow).join(', ') || '-',
          ]),
        ) +
        `\n\nTotal by flow: ${Object.entries(report.summary.grantsByFlow)
          .map(([flow, n]) => `${flow} ${n}`)
          .join(', ')}.`,
    };
  } finally {
    server.close();
    await stop();
  }
}
