import type { Cart } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

/** This example's addition to the seed: a visitor's first cart, which starts the anonymous session. */
@injectable()
export class NewCartDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  async create(sku: string, quantity: number): Promise<Cart> {
    const customerApiRoot = await this.ctpClient.customerApiRoot();
    const { body: cart } = await customerApiRoot
      .me()
      .carts()
      .post({ body: { currency: 'EUR', lineItems: [{ sku, quantity }] } })
      .execute();
    return cart;
  }
}
