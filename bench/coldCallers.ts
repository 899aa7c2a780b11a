import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import { ClientBuilder as V2ClientBuilder } from '@commercetools/sdk-client-v2';
import { ClientBuilder as TsClientBuilder } from '@commercetools/ts-client';
import { toStoredSession } from '../src/auth/StoredSession';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { createCtpServices } from '../src/module/createCtpServices';
import { runWithCtpSession } from '../src/session/sessionContext';
import { ScopeRegistry } from '../src/scopes/ScopeRegistry';
import { BENCH_AUTH_TIMEOUT_MS, configFor, startServer, STRICT_CLIENT, withTimeout } from './benchConfig';
import type { ChartPoint } from './chart';
import { chartFile } from './chartFiles';
import { table, type Section } from './markdown';

const NS = [1, 10, 100, 1000];
type Contender = 'ctp-client' | 'sdk-client-v2 3.4' | 'ts-client 4.10';

interface Outcome {
  grants: number;
  apiCalls: number;
  failed: number;
  hung: boolean;
}

async function run(kind: 'integration' | 'refresh', contender: Contender, n: number): Promise<Outcome> {
  const server = await startServer();
  try {
    const config = configFor(server);
    const registry = new ScopeRegistry({ projectKey: config.projectKey });
    const credentials = { clientId: STRICT_CLIENT.id, clientSecret: STRICT_CLIENT.secret };
    const fetch = globalThis.fetch;
    // A shopper's refresh token, as the app would hold it after a sign-in.
    const services = createCtpServices(config, { authTimeoutMs: BENCH_AUTH_TIMEOUT_MS });
    const storage = new MemorySessionStorage('bench');
    const signedIn = await runWithCtpSession(storage, () =>
      services.session.login('bench@example.com', 'Bench-Pa55word!'),
    );
    await storage.compareAndSet(
      await storage.get(),
      toStoredSession({ ...signedIn, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1_000 }),
    );
    const before = { ...server.grants };
    const apiBefore = server.apiCalls.length;

    let call: () => Promise<unknown>;
    if (contender === 'ctp-client') {
      const fresh = createCtpServices(config, { authTimeoutMs: BENCH_AUTH_TIMEOUT_MS });
      call =
        kind === 'integration'
          ? async () => (await fresh.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute()
          : () => runWithCtpSession(storage, async () => (await fresh.client.customerApiRoot()).me().get().execute());
    } else if (contender === 'sdk-client-v2 3.4') {
      const builder = new V2ClientBuilder()
        .withProjectKey(config.projectKey)
        .withHttpMiddleware({ host: config.apiUrl, fetch });
      const client =
        kind === 'integration'
          ? builder
              .withClientCredentialsFlow({
                host: config.authUrl,
                projectKey: config.projectKey,
                credentials,
                scopes: [...registry.scopes('integration')],
                fetch,
              })
              .build()
          : builder
              .withRefreshTokenFlow({
                host: config.authUrl,
                projectKey: config.projectKey,
                credentials,
                refreshToken: signedIn.refreshToken,
                fetch,
              })
              .build();
      const root = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: config.projectKey });
      call =
        kind === 'integration'
          ? () => root.categories().withId({ ID: 'c1' }).get().execute()
          : () => root.me().get().execute();
    } else {
      const builder = new TsClientBuilder()
        .withProjectKey(config.projectKey)
        .withHttpMiddleware({ host: config.apiUrl, httpClient: fetch });
      const client =
        kind === 'integration'
          ? builder
              .withClientCredentialsFlow({
                host: config.authUrl,
                projectKey: config.projectKey,
                credentials,
                scopes: [...registry.scopes('integration')],
                httpClient: fetch,
              })
              .build()
          : builder
              .withRefreshTokenFlow({
                host: config.authUrl,
                projectKey: config.projectKey,
                credentials,
                refreshToken: signedIn.refreshToken,
                httpClient: fetch,
              })
              .build();
      const root = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: config.projectKey });
      call =
        kind === 'integration'
          ? () => root.categories().withId({ ID: 'c1' }).get().execute()
          : () => root.me().get().execute();
    }
    const settled = await withTimeout(Promise.allSettled(Array.from({ length: n }, () => call())), 30_000);
    const flow = kind === 'integration' ? 'client_credentials' : 'refresh_token';
    return {
      grants: server.grants[flow] - before[flow],
      apiCalls: server.apiCalls.length - apiBefore,
      failed: settled === 'timeout' ? n : settled.filter((r) => r.status === 'rejected').length,
      hung: settled === 'timeout',
    };
  } finally {
    await server.stop();
  }
}

export async function coldCallers(): Promise<Section[]> {
  const contenders: Contender[] = ['ctp-client', 'sdk-client-v2 3.4', 'ts-client 4.10'];
  const sections: Section[] = [];
  for (const kind of ['integration', 'refresh'] as const) {
    const rows: (string | number)[][] = [];
    const points: ChartPoint[] = [];
    let met = true;
    for (const n of NS) {
      const cells: (string | number)[] = [n];
      for (const contender of contenders) {
        const o = await run(kind, contender, n);
        if (contender === 'ctp-client' && (o.grants !== 1 || o.failed > 0)) met = false;
        const extra = [
          o.apiCalls !== n ? `${o.apiCalls} API calls` : '',
          o.failed ? `${o.failed} failed` : '',
          o.hung ? 'hung' : '',
        ]
          .filter(Boolean)
          .join(', ');
        cells.push(`${o.grants}${extra ? ` (${extra})` : ''}`);
        points.push({ x: n, y: o.grants, series: contender });
      }
      rows.push(cells);
    }
    const title =
      kind === 'integration'
        ? 'Grants for N concurrent cold callers: integration token'
        : 'Grants for N concurrent callers: shopper whose token expired (refresh)';
    const chart = await chartFile(`cold-callers-${kind}.svg`, {
      title:
        kind === 'integration'
          ? 'Grants against concurrent cold callers (integration token)'
          : 'Grants against concurrent callers (expired shopper token)',
      x: { title: 'concurrent callers', scale: 'log' },
      // A log axis cannot show 0 (a client whose calls all failed before any grant): symlog can.
      y: { title: 'grants at the auth server', scale: points.every((p) => p.y > 0) ? 'log' : 'symlog' },
      points,
    });
    sections.push({
      title,
      goal: '1 grant for ctp-client at every N',
      met,
      body: `${table(['N', ...contenders.map((c) => `${c} grants`)], rows)}\n\n${chart}`,
      notes: [
        'Counted at the strict local auth server (127.0.0.1), one fresh server and client per cell.',
        kind === 'integration'
          ? 'SDK clients: ClientBuilder.withClientCredentialsFlow + withHttpMiddleware, same scopes, same fetch.'
          : "SDK clients: ClientBuilder.withRefreshTokenFlow with the shopper's refresh token; ctp-client: customerApiRoot() on one session whose token expired.",
      ],
    });
  }
  return sections;
}
