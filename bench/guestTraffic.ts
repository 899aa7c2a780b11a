import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';
import { BENCH_AUTH_TIMEOUT_MS, configFor, startServer } from './benchConfig';
import { fmt, table, type Section } from './markdown';

const VISITORS = 10_000;
const CART_MAKERS = 100;
const CONCURRENCY = 100;

async function pool(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function traffic(strategy: 'shared guest token, lazy sessions' | 'anonymous session per visitor') {
  const server = await startServer();
  try {
    const { client, session } = createCtpServices(configFor(server), { authTimeoutMs: BENCH_AUTH_TIMEOUT_MS });
    const visitors = Array.from({ length: VISITORS }, (_, i) => new MemorySessionStorage(`v${i}`));
    await pool(VISITORS, async (i) => {
      await runWithCtpSession(visitors[i]!, async () => {
        const root =
          strategy === 'anonymous session per visitor'
            ? (await session.ensureAnonymous(), await client.customerApiRoot())
            : await client.guestApiRoot();
        await root.productProjections().get().execute();
      });
    });
    await pool(CART_MAKERS, async (i) => {
      await runWithCtpSession(visitors[i * (VISITORS / CART_MAKERS)]!, async () => {
        await (
          await client.customerApiRoot()
        )
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
      });
    });
    return {
      // StrictAuth's refresh tokens are `projectKey:...`, as the platform's; its access tokens are not.
      access: server.issuedSecrets.filter((s) => !s.startsWith(`${server.projectKey}:`)).length,
      refresh: server.issuedSecrets.filter((s) => s.startsWith(`${server.projectKey}:`)).length,
      carts: server.apiCalls.filter((c) => c.method === 'POST' && c.path === '/me/carts' && c.status === 201).length,
    };
  } finally {
    await server.stop();
  }
}

export async function guestTraffic(): Promise<Section> {
  const ours = await traffic('shared guest token, lazy sessions');
  const perVisitor = await traffic('anonymous session per visitor');
  return {
    title: 'Active tokens for guest traffic',
    goal: `at most ${CART_MAKERS + 1} refresh tokens for ${fmt(VISITORS)} visitors of whom ${CART_MAKERS} create carts (one shared guest session plus one per cart)`,
    met: ours.refresh <= CART_MAKERS + 1 && ours.carts === CART_MAKERS,
    body: table(
      ['strategy', 'access tokens created', 'refresh tokens created', 'carts'],
      [
        [
          'ctp-client: guestApiRoot() to browse, customerApiRoot() starts a session at the first cart',
          fmt(ours.access),
          fmt(ours.refresh),
          ours.carts,
        ],
        ['an anonymous session per visitor', fmt(perVisitor.access), fmt(perVisitor.refresh), perVisitor.carts],
      ],
    ),
    notes: [
      'Real HTTP to the strict local server; each visitor browses once, every 100th creates a cart. commercetools keeps at most 10 million refresh tokens per project and evicts the least recently used.',
    ],
  };
}
