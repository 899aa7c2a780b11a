import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

// The seed doc's (shared/seeds/ctp-client.md) cart datasource. What changed so it compiles: the
// imports above (the doc has none), `export` before the class, and `.withId({ ID: id })` where the
// doc reads `cartId`, a name it never defines: the method's parameter is `id`. The rest is the doc's
// code.
@injectable()
export class ExampleCartDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {
    // By injecting CtpClient in our constructor we now have access to
    // it within the scope of our ExampleCartDatasource

    // Make sure ExampleCartDatasource is binded to dependency container
  }

  async findById(id: string) {
    // To get the cart in name of the customer
    const customerApiRoot = await this.ctpClient.customerApiRoot();
    const { body: cart } = await customerApiRoot.me().carts().withId({ ID: id }).get().execute();

    return cart;
  }
}
