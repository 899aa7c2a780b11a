import { createCtpConfig } from '../../../src/config/createCtpConfig';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { wireCtpServices as createCtpServices } from '../../../src/module/createCtpServices';
import { CapturingLogger, ManualClock } from '../createTestServices';
import { StrictCommercetools } from './StrictCommercetools';

export const STRICT_CLIENT = { id: 'strict-client', secret: 'strict-secret-DO-NOT-LEAK-42' };

/** Every scope the default registry asks for, so the default sets are grantable. */
export const ALL_DEFAULT_SCOPES = [
  'view_project_settings',
  'view_categories',
  'view_published_products',
  'view_products',
  'manage_orders',
  'manage_payments',
  'manage_customers',
  'view_customers',
  'create_anonymous_token',
  'view_shipping_methods',
  'view_standalone_prices',
  'manage_my_orders',
  'manage_my_payments',
  'manage_my_shopping_lists',
  'manage_my_business_units',
  'manage_my_profile',
  'manage_my_quote_requests',
  'manage_my_quotes',
  'manage_locked_carts',
];

export interface StrictHarness extends ReturnType<typeof createCtpServices> {
  server: StrictCommercetools;
  clock: ManualClock;
  logger: CapturingLogger;
  sleeps: number[];
  customer: { email: string; password: string; id: string };
  stop(): Promise<void>;
}

/**
 * The strict server on 127.0.0.1 and a full set of services talking to it over real HTTP, sharing
 * one manual clock (the server's token expiry follows it too). Backoff waits are recorded, not slept.
 */
export async function createStrictHarness(
  options: CtpModuleOptions & { clientScopes?: string[] } = {},
): Promise<StrictHarness> {
  const clock = new ManualClock();
  const server = await new StrictCommercetools({ now: () => clock.now() }).start();
  const { clientScopes, ...ctpOptions } = options;
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, clientScopes ?? ALL_DEFAULT_SCOPES);
  const password = 'Customer-Pa55word!';
  const id = server.addCustomer('carol@example.com', password);
  const logger = new CapturingLogger();
  const sleeps: number[] = [];
  const config = createCtpConfig({
    projectKey: server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server.url,
    apiUrl: server.url,
  });
  const services = createCtpServices(config, {
    clock,
    logger,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...ctpOptions,
  });
  return {
    ...services,
    server,
    clock,
    logger,
    sleeps,
    customer: { email: 'carol@example.com', password, id },
    stop: () => server.stop(),
  };
}
