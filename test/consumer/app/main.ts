// A consumer of the packed ctp-client: loads ctpModule into the app's own inversify container and
// runs the seed's datasources, against the embedded commercetools (`embedded`) and against the
// mocked fetch (`mocked`), both from ctp-client/testing, on the SDK engine CTP_API_ENGINE names
// (`ts-client` or `sdk-client-v2`; unset: the default). `no-sdk-client-v2` checks that selecting
// sdk-client-v2 where it is not installed is a CtpConfigError naming the fix. Compiled by the
// consumer's own tsc (ESM or CommonJS, by its package.json and tsconfig), so no top-level await.
// Prints one JSON line.
import { Container } from 'inversify';
import {
  CtpError,
  CtpErrorCode,
  ctpModule,
  loadCtpConfig,
  MemorySessionStorage,
  runWithCtpSession,
  type CtpModuleOptions,
  type CtpClient,
  type CtpSession,
} from 'ctp-client';
import { createMockCommercetools, startEmbeddedCommercetools } from 'ctp-client/testing';
import { ExampleCartDatasource, ExampleCatalogDatasource } from './datasources.js';

const engine = process.env['CTP_API_ENGINE'] as NonNullable<CtpModuleOptions['api']>['engine'];

async function containerFor(env: Record<string, string>, fetch?: typeof globalThis.fetch): Promise<Container> {
  const container = new Container();
  // inversify 7's load() is async, 6's and 8's are sync: awaiting it works in all three.
  // eslint-disable-next-line @typescript-eslint/await-thenable -- void under the inversify the lint sees
  await container.load(
    ctpModule(loadCtpConfig(env), { ...(fetch ? { fetch } : {}), ...(engine ? { api: { engine } } : {}) }),
  );
  container.bind(ExampleCatalogDatasource).toSelf();
  container.bind(ExampleCartDatasource).toSelf();
  return container;
}

async function embedded() {
  const ct = await startEmbeddedCommercetools();
  try {
    const container = await containerFor(ct.env);
    const category = await container.get(ExampleCatalogDatasource).findById(ct.seeded.categoryIds[0] ?? '');
    const customer = ct.customers[0]!;
    const cart = await runWithCtpSession(new MemorySessionStorage(), async () => {
      await container.get<CtpSession>('CtpSession').login(customer.email, customer.password);
      const root = await container.get<CtpClient>('CtpClient').customerApiRoot();
      const { body: created } = await root
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute();
      return container.get(ExampleCartDatasource).findById(created.id);
    });
    let outside: unknown;
    await container
      .get<CtpClient>('CtpClient')
      .customerApiRoot()
      .catch((error: unknown) => (outside = error));
    return {
      category: category.id === ct.seeded.categoryIds[0],
      cart: cart.customerId === customer.id,
      errorIdentity: outside instanceof CtpError && CtpError.is(outside, CtpErrorCode.NoSessionContext),
    };
  } finally {
    await ct.stop();
  }
}

async function mocked() {
  const mock = createMockCommercetools();
  mock.on('GET', '/categories/cat-1', { id: 'cat-1', version: 1, name: { en: 'Shoes' } });
  mock.on('GET', '/me/carts/cart-1', (request) => ({
    id: 'cart-1',
    version: 1,
    customerId: request.identity?.customerId,
  }));
  const container = await containerFor(mock.env, mock.fetch);
  const category = await container.get(ExampleCatalogDatasource).findById('cat-1');
  const cart = await runWithCtpSession(new MemorySessionStorage(), async () => {
    await container.get<CtpSession>('CtpSession').login(mock.customers[0]!.email, mock.customers[0]!.password);
    return container.get(ExampleCartDatasource).findById('cart-1');
  });
  return {
    category: category.id === 'cat-1',
    cart: cart.customerId === mock.customers[0]!.id,
    grants: mock.grants().length === 2,
  };
}

/** sdk-client-v2 selected but not installed: a typed configuration error naming the fix, at start. */
function noSdkClientV2() {
  const mock = createMockCommercetools();
  try {
    ctpModule(loadCtpConfig(mock.env), { api: { engine: 'sdk-client-v2' } });
    return { configError: false };
  } catch (error) {
    return {
      configError:
        CtpError.is(error, CtpErrorCode.ConfigInvalid) &&
        (error as Error).message.includes('npm install @commercetools/sdk-client-v2'),
    };
  }
}

async function main() {
  const modes = process.argv.slice(2);
  const result: Record<string, unknown> = {
    node: process.version,
    format: typeof require === 'function' && typeof module === 'object' ? 'cjs' : 'esm',
    engine: engine ?? 'default',
  };
  if (modes.includes('no-sdk-client-v2')) result['noSdkClientV2'] = noSdkClientV2();
  if (modes.includes('embedded')) result['embedded'] = await embedded();
  if (modes.includes('mocked')) result['mocked'] = await mocked();
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
