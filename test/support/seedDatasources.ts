// The two datasources of shared/seeds/ctp-client.md. As the doc writes them they do not compile;
// what changed, and nothing else of their code (here on fewer lines, without the doc's constructor
// comments):
// - the imports below (the doc has none; CtpClient from the source here, not the package), and
//   `export` before each class;
// - `CtpCategory`, used by the doc and defined nowhere, is the platform SDK's `Category`, kept under
//   the doc's name by the alias below;
// - ExampleCartDatasource reads its parameter `id` where the doc reads `cartId`, defined nowhere.
import type { Category } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from '../../src/client/CtpClient';

type CtpCategory = Category;

@injectable()
export class ExampleCatalogDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  async findById(id: string): Promise<CtpCategory> {
    // To get the category in name of the integration (machine to machine)
    const integrationApiRoot = await this.ctpClient.integrationApiRoot();
    const { body: category } = await integrationApiRoot.categories().withId({ ID: id }).get().execute();

    return category;
  }
}

@injectable()
export class ExampleCartDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  async findById(id: string) {
    // To get the cart in name of the customer
    const customerApiRoot = await this.ctpClient.customerApiRoot();
    const { body: cart } = await customerApiRoot.me().carts().withId({ ID: id }).get().execute();

    return cart;
  }
}
