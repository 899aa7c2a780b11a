import type { Cart, Customer } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

/**
 * A Store's shopper: the session is asked for with the Store's key (an anonymous session started here
 * is that Store's, with the Store's scopes; a session of another Store fails with CTP_STORE_MISMATCH)
 * and the calls go to the Store's in-store endpoints.
 */
@injectable()
export class StoreShopperDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  /** The first cart of a visitor in the Store starts the Store's anonymous session. */
  async createCart(storeKey: string, sku: string, quantity: number): Promise<Cart> {
    const root = await this.ctpClient.customerApiRoot({ storeKey });
    const { body } = await root
      .inStoreKeyWithStoreKeyValue({ storeKey })
      .me()
      .carts()
      .post({ body: { currency: 'EUR', lineItems: [{ sku, quantity }] } })
      .execute();
    return body;
  }

  async activeCart(storeKey: string): Promise<Cart> {
    const root = await this.ctpClient.customerApiRoot({ storeKey, createAnonymous: false });
    const { body } = await root.inStoreKeyWithStoreKeyValue({ storeKey }).me().activeCart().get().execute();
    return body;
  }

  async me(storeKey: string): Promise<Customer> {
    const root = await this.ctpClient.customerApiRoot({ storeKey, createAnonymous: false });
    const { body } = await root.inStoreKeyWithStoreKeyValue({ storeKey }).me().get().execute();
    return body;
  }
}
