import { describe, vi } from 'vitest';
import { ctpModule } from '../../../src/module/ctpModule';
import { ExampleCartDatasource, ExampleCatalogDatasource } from '../../support/seedDatasources';
import { ctpModuleHostContract } from './ctpModuleHostContract';

// inversify 7 (installed as the npm alias inversify7) for everything that imports 'inversify'.
vi.mock('inversify', async () => await import('inversify7'));
const { Container } = await import('inversify7');

describe(ctpModule, () => {
  describe('when the host runs inversify 7 (options object; load is async)', () => {
    ctpModuleHostContract({
      create: () => new Container(),
      loaders: {
        'await load()': (container: InstanceType<typeof Container>, module: unknown) => container.load(module as never),
        'loadSync()': (container: InstanceType<typeof Container>, module: unknown) =>
          container.loadSync(module as never),
      },
      unload: (container: InstanceType<typeof Container>, module: unknown) => container.unloadSync(module as never),
      seed: { ExampleCatalogDatasource, ExampleCartDatasource },
    });
  });
});
