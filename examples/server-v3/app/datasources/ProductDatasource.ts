import type { ProductProjection } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import type { CtpClient } from 'ctp-client';

/** Browsing: the shared read-only guest token, so visitors who only look create no session. */
@injectable()
export class ProductDatasource {
  constructor(@inject('CtpClient') protected ctpClient: CtpClient) {}

  async list(limit: number): Promise<ProductProjection[]> {
    const guestApiRoot = await this.ctpClient.guestApiRoot();
    const { body } = await guestApiRoot
      .productProjections()
      .get({ queryArgs: { limit, staged: false } })
      .execute();
    return body.results;
  }
}
