import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import type { CtpClient } from '../../../src/client/CtpClient';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpIdentifiers } from '../../../src/module/CtpIdentifiers';
import { ctpModule } from '../../../src/module/ctpModule';
import { LEGACY_SERVER_V3_CUSTOMER_SCOPES } from '../scopes/legacyServerV3CustomerScopes';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';
import { ShopperSession } from '../../../src/session/ShopperSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { FakePlatform, PROJECT } from '../../support/FakePlatform';
import { testConfig } from '../../support/createTestServices';
import { ExampleCartDatasource, ExampleCatalogDatasource } from '../../support/seedDatasources';

function container(platform: FakePlatform) {
  const c = new Container();
  c.load(ctpModule(testConfig(), { fetch: platform.fetch }));
  c.bind(ExampleCatalogDatasource).toSelf();
  c.bind(ExampleCartDatasource).toSelf();
  return c;
}

describe(ctpModule, () => {
  it('should bind CtpClient, CtpSession, ScopeRegistry and CtpConfig as singletons', () => {
    const c = container(new FakePlatform());
    expect(typeof c.get<CtpClient>(CtpIdentifiers.CtpClient).customerApiRoot).toBe('function');
    expect(c.get('CtpClient')).toBe(c.get('CtpClient'));
    expect(c.get(CtpIdentifiers.CtpSession)).toBeInstanceOf(ShopperSession);
    expect(c.get(CtpIdentifiers.ScopeRegistry)).toBeInstanceOf(ScopeRegistry);
    expect(c.get<{ projectKey: string }>(CtpIdentifiers.CtpConfig).projectKey).toBe(PROJECT);
  });

  it("should resolve the seed doc's catalog datasource and run it as the integration", async () => {
    const platform = new FakePlatform();
    const category = await container(platform).get(ExampleCatalogDatasource).findById('cat-9');
    expect(category.id).toBe('cat-9');
    expect(platform.grants('client_credentials')).toHaveLength(1);
  });

  it("should resolve the seed doc's cart datasource and run it as the shopper", async () => {
    const platform = new FakePlatform();
    const c = container(platform);
    const session = c.get<ShopperSession>('CtpSession');
    const client = c.get<CtpClient>('CtpClient');
    await runWithCtpSession(new MemorySessionStorage(), async () => {
      await session.login('alice@example.com', 'alice-Passw0rd!');
      const { body: created } = await (
        await client.customerApiRoot()
      )
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute();
      const cart = await c.get(ExampleCartDatasource).findById(created.id);
      expect(cart.id).toBe(created.id);
      expect(cart.customerId).toBe('customer-alice');
    });
  });

  it('should fail before loading when the options are bad, reporting all of them', () => {
    try {
      ctpModule(testConfig(), { authTimeoutMs: -1, retry: { maxRetries: 99 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CtpConfigError);
      expect((error as CtpConfigError).problems).toEqual([
        'authTimeoutMs must be a positive number of milliseconds',
        'retry.maxRetries must be a whole number from 0 to 10',
      ]);
    }
  });

  it('should refuse the legacy customer scopes unless the unsafe option is set', () => {
    expect(() => ctpModule(testConfig(), { scopes: { customer: LEGACY_SERVER_V3_CUSTOMER_SCOPES } })).toThrow(
      expect.objectContaining({ code: CtpErrorCode.ScopeUnsafe }),
    );
    expect(() =>
      ctpModule(testConfig(), {
        scopes: { customer: LEGACY_SERVER_V3_CUSTOMER_SCOPES },
        unsafeAllowSharedWriteScopesForShoppers: true,
      }),
    ).not.toThrow();
    expect(() =>
      ctpModule(testConfig(), {
        scopes: { customer: LEGACY_SERVER_V3_CUSTOMER_SCOPES },
        unsafeAllowSharedDataScopesForShoppers: true,
      }),
    ).not.toThrow();
    expect(() => ctpModule(testConfig(), { scopes: { guest: ['view_categories', 'view_orders'] } })).toThrow(
      expect.objectContaining({ code: CtpErrorCode.ScopeUnsafe }),
    );
  });
});
