import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { AccessTokenOptions, CtpSession } from '../session/CtpSession';
import type { ApiRootFactory } from './ApiRootFactory';
import type { SharedTokenProvider } from './SharedTokenProvider';

/**
 * What datasources inject as `'CtpClient'`: the platform SDK's request builder in one of three names.
 *
 * @example
 * const apiRoot = await this.ctpClient.customerApiRoot();
 * const { body: cart } = await apiRoot.me().carts().withId({ ID: cartId }).get().execute();
 */
export class CtpClient {
  constructor(
    private readonly integration: SharedTokenProvider,
    private readonly guest: SharedTokenProvider,
    private readonly session: CtpSession,
    private readonly apiRoots: ApiRootFactory,
  ) {}

  /** As the integration itself (client credentials, the `integration` scope set). */
  async integrationApiRoot(): Promise<ByProjectKeyRequestBuilder> {
    return this.apiRoots.forToken('integration', (await this.integration.get()).accessToken);
  }

  /**
   * As the current request's shopper: the logged-in customer, or the anonymous session, which is
   * started on first use. Never falls back to another token; a session that cannot be refreshed is
   * cleared and raises CTP_SESSION_EXPIRED.
   */
  async customerApiRoot(options: AccessTokenOptions = {}): Promise<ByProjectKeyRequestBuilder> {
    return this.apiRoots.forToken('customer', (await this.session.accessToken(options)).accessToken);
  }

  /** One shared read-only token for browsing visitors and crawlers; creates no session. */
  async guestApiRoot(): Promise<ByProjectKeyRequestBuilder> {
    return this.apiRoots.forToken('guest', (await this.guest.get()).accessToken);
  }
}
