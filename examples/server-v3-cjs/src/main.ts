// The CommonJS example against the embedded commercetools of ctp-client/testing. From the repository
// root, after npm run build:
//   PORT=3000 node -r ./examples/server-v3-cjs/repositoryAliases.cjs -r tsx/cjs examples/server-v3-cjs/src/main.ts
// It prints one JSON line (its URL and the seeded data) and stops on SIGTERM or SIGINT. A CommonJS
// app has no top-level await: start-up is an async main().
import 'reflect-metadata'; // inversify 6's requirement, first
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadCtpConfig } from 'ctp-client';
import { startEmbeddedCommercetools } from 'ctp-client/testing';
import { createServer } from './createServer';

async function main(): Promise<void> {
  const embedded = await startEmbeddedCommercetools();
  // The embedded project's CTP_* variables, read as an app reads its environment.
  const app = createServer(loadCtpConfig(embedded.env), {
    sessionSecret: process.env['SESSION_SECRET'] ?? randomBytes(32).toString('hex'),
    logError: (facts) => console.error(JSON.stringify({ event: 'request_failed', ...facts })),
  });
  const server = app.listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const [customer] = embedded.customers;
    console.log(
      JSON.stringify({
        url: `http://127.0.0.1:${port}`,
        format: typeof module === 'object' && typeof require === 'function' ? 'commonjs' : 'esm',
        categoryId: embedded.seeded.categoryIds[0],
        sku: embedded.seeded.skus[0],
        customer: customer && { email: customer.email, password: customer.password, id: customer.id },
      }),
    );
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => void embedded.stop().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
