import type { Cart } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

// findById is the seed doc's (shared/seeds/ctp-client.md). What changed so it compiles: the imports
// above (the doc has none), `export` before the class, and `.withId({ ID: id })` where the doc reads
// `cartId`, which it never defines: the method's parameter is `id`. create() and findActive() are
// this example's additions.
@injectable()
export class ExampleCartDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  async findById(id: string) {
    // To get the cart in name of the customer
    const customerApiRoot = await this.ctpClient.customerApiRoot();
    const { body: cart } = await customerApiRoot.me().carts().withId({ ID: id }).get().execute();

    return cart;
  }

  /** The first cart of a visitor starts the anonymous session (customerApiRoot creates it lazily). */
  async create(sku: string, quantity: number): Promise<Cart> {
    const customerApiRoot = await this.ctpClient.customerApiRoot();
    const { body: cart } = await customerApiRoot
      .me()
      .carts()
      .post({ body: { currency: 'EUR', lineItems: [{ sku, quantity }] } })
      .execute();
    return cart;
  }

  /** Reads the shopper's active cart without starting a session for a visitor who has none. */
  async findActive(): Promise<Cart> {
    const customerApiRoot = await this.ctpClient.customerApiRoot({ createAnonymous: false });
    const { body: cart } = await customerApiRoot.me().activeCart().get().execute();
    return cart;
  }
}
