import type { Customer } from '@commercetools/platform-sdk';
import { inject, injectable } from 'inversify';
import { CtpError, CtpErrorCode, type CtpClient, type CtpSession } from 'ctp-client';

@injectable()
export class CustomerDatasource {
  constructor(
    @inject('CtpClient') protected ctpClient: CtpClient,
    @inject('CtpSession') protected ctpSession: CtpSession,
  ) {}

  /** The signed-in customer's profile; an anonymous visitor has none. */
  async me(): Promise<Customer> {
    const customerApiRoot = await this.ctpClient.customerApiRoot({ createAnonymous: false });
    // Checked after customerApiRoot(), which may have refreshed the session.
    if ((await this.ctpSession.current())?.kind !== 'customer') {
      throw new CtpError(CtpErrorCode.NoSession, 'No customer is signed in.');
    }
    const { body } = await customerApiRoot.me().get().execute();
    return body;
  }
}
