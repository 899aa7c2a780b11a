import type { Category } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

// The seed doc's (shared/seeds/ctp-client.md) catalog datasource. What changed so it compiles: the
// imports above (the doc has none), `export` before the class, and `CtpCategory`, which the doc uses
// but never defines, is the platform SDK's `Category` (the type `.categories().withId().get()`
// answers), kept under the doc's name by the alias below. The rest is the doc's code.
type CtpCategory = Category;

@injectable()
export class ExampleCatalogDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {
    // By injecting CtpClient in our constructor we now have access to
    // it within the scope of our ExampleCartDatasource

    // Make sure ExampleCartDatasource is binded to dependency container trough module
  }

  async findById(id: string): Promise<CtpCategory> {
    // To get the category in name of the integration (machine to machine)
    const integrationApiRoot = await this.ctpClient.integrationApiRoot();
    const { body: category } = await integrationApiRoot.categories().withId({ ID: id }).get().execute();

    return category;
  }
}
