import type { Category } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

type CtpCategory = Category;

// As in server-v3's doc (shared/seeds/ctp-client.md).
@injectable()
export class ExampleCatalogDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {
    // By injecting CtpClient in our constructor we now have access to
    // it within the scope of our ExampleCatalogDatasource
  }

  async findById(id: string): Promise<CtpCategory> {
    // To get the category in name of the integration (machine to machine)
    const integrationApiRoot = await this.ctpClient.integrationApiRoot();
    const { body: category } = await integrationApiRoot
      .categories()
      .withId({ ID: id })
      .get()
      .execute();

    return category;
  }
}
