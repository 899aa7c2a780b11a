import 'reflect-metadata';
import { describe, vi } from 'vitest';
import { ctpModule } from '../../../src/module/ctpModule';
import { ExampleCartDatasource, ExampleCatalogDatasource } from '../../support/seedDatasources';
import { ctpModuleHostContract } from './ctpModuleHostContract';

// inversify 6 (installed as the npm alias inversify6) for everything that imports 'inversify'.
vi.mock('inversify', async () => await import('inversify6'));
const { Container } = await import('inversify6');

describe(ctpModule, () => {
  describe('when the host runs inversify 6 (bind passed positionally)', () => {
    ctpModuleHostContract({
      create: () => new Container(),
      loaders: {
        'load()': (container: InstanceType<typeof Container>, module: unknown) => container.load(module as never),
        'loadAsync()': (container: InstanceType<typeof Container>, module: unknown) =>
          container.loadAsync(module as never),
      },
      unload: (container: InstanceType<typeof Container>, module: unknown) => container.unload(module as never),
      seed: { ExampleCatalogDatasource, ExampleCartDatasource },
    });
  });
});
