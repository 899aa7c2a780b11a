import { Container } from 'inversify';
import { describe } from 'vitest';
import { ctpModule } from '../../../src/module/ctpModule';
import { ExampleCartDatasource, ExampleCatalogDatasource } from '../../support/seedDatasources';
import { ctpModuleHostContract } from './ctpModuleHostContract';

describe(ctpModule, () => {
  describe('when the host runs inversify 8 (options object; load is sync)', () => {
    ctpModuleHostContract({
      create: () => new Container(),
      loaders: {
        'load()': (container: Container, module: unknown) => container.load(module as never),
        'await loadAsync()': (container: Container, module: unknown) => container.loadAsync(module as never),
      },
      unload: (container: Container, module: unknown) => container.unload(module as never),
      seed: { ExampleCatalogDatasource, ExampleCartDatasource },
    });
  });
});
