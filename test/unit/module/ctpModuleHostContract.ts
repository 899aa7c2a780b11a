// One set of expectations for every inversify major ctpModule supports. Each caller mocks 'inversify'
// with one major (vi.mock), so ctpModule's ContainerModule, the seed datasources' @injectable and the
// container all come from the same copy, as in an app.
import { expect, it } from 'vitest';
import type { CtpClient } from '../../../src/client/CtpClient';
import { ctpModule } from '../../../src/module/ctpModule';
import type { CtpSession } from '../../../src/session/CtpSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { FakePlatform, PROJECT } from '../../support/FakePlatform';
import { CapturingLogger, testConfig } from '../../support/createTestServices';

/** The container calls of one inversify major: how a module is loaded, synchronously or not. */
export interface HostUnderTest {
  /** A new Container of that major. */
  create(): { get<T>(id: unknown): T; bind(id: unknown): { toSelf(): unknown } };
  /** The ways that major loads a module; each is run through the whole contract. */
  loaders: Record<string, (container: never, module: unknown) => void | Promise<void>>;
  /** That major's synchronous unload. */
  unload: (container: never, module: unknown) => void;
  seed: {
    ExampleCatalogDatasource: new (...args: never[]) => { findById(id: string): Promise<{ id: string }> };
    ExampleCartDatasource: new (...args: never[]) => {
      findById(id: string): Promise<{ id: string; customerId?: string }>;
    };
  };
}

export function ctpModuleHostContract(host: HostUnderTest): void {
  it('should close the services when the container unloads the module', async () => {
    const logger = new CapturingLogger();
    const container = host.create();
    const module = ctpModule(testConfig(), { fetch: new FakePlatform().fetch, logger });
    const [load] = Object.values(host.loaders);
    await load!(container as never, module);
    container.get('CtpClient');
    expect(logger.events('ctp.close')).toEqual([]);
    host.unload(container as never, module);
    expect(logger.events('ctp.close')).toHaveLength(1);
  });

  for (const [how, load] of Object.entries(host.loaders)) {
    const loaded = async (platform: FakePlatform) => {
      const container = host.create();
      await load(container as never, ctpModule(testConfig(), { fetch: platform.fetch }));
      container.bind(host.seed.ExampleCatalogDatasource).toSelf();
      container.bind(host.seed.ExampleCartDatasource).toSelf();
      return container;
    };

    it(`should bind the services as singletons when loaded with ${how}`, async () => {
      const container = await loaded(new FakePlatform());
      expect(container.get('CtpClient')).toBe(container.get('CtpClient'));
      expect(container.get<{ projectKey: string }>('CtpConfig').projectKey).toBe(PROJECT);
      expect(typeof container.get<CtpSession>('CtpSession').login).toBe('function');
    });

    it(`should run the seed's catalog datasource as the integration when loaded with ${how}`, async () => {
      const platform = new FakePlatform();
      const container = await loaded(platform);
      const category = await container
        .get<InstanceType<HostUnderTest['seed']['ExampleCatalogDatasource']>>(host.seed.ExampleCatalogDatasource)
        .findById('cat-9');
      expect(category.id).toBe('cat-9');
      expect(platform.grants('client_credentials')).toHaveLength(1);
    });

    it(`should run the seed's cart datasource as the shopper when loaded with ${how}`, async () => {
      const platform = new FakePlatform();
      const container = await loaded(platform);
      const session = container.get<CtpSession>('CtpSession');
      const client = container.get<CtpClient>('CtpClient');
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.login('alice@example.com', 'alice-Passw0rd!');
        const { body: created } = await (
          await client.customerApiRoot()
        )
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        const cart = await container
          .get<InstanceType<HostUnderTest['seed']['ExampleCartDatasource']>>(host.seed.ExampleCartDatasource)
          .findById(created.id);
        expect(cart.id).toBe(created.id);
        expect(cart.customerId).toBe('customer-alice');
      });
    });
  }
}
