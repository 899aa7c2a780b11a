import type { AddressInfo } from 'node:net';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { CtpTestingError } from '../CtpTestingError';
import { applyPlatformPatches, type GrantRecord } from './platformPatches';
import { seedProject, type SeedBusinessUnit, type SeededProject, type SeedCustomer } from './seedProject';

export interface EmbeddedCommercetoolsOptions {
  /** Default `demo-project`. */
  projectKey?: string;
  /** The API client the server accepts. Defaults are fine for tests; they are not secrets. */
  clientId?: string;
  clientSecret?: string;
  /** Customers to create (default: one, alice@example.com). */
  customers?: readonly SeedCustomer[];
  /**
   * Business units to create, with associates among `customers` and their permissions (each gets an
   * associate role holding exactly those). The as-associate endpoints check them as the platform does.
   */
  businessUnits?: readonly SeedBusinessUnit[];
  /** Stores to create besides those of `customers` (e.g. for an in-store sign-up). */
  stores?: readonly string[];
}

export interface EmbeddedCommercetools {
  /** Auth and API are served by one server here; the platform has two hosts. */
  url: string;
  authUrl: string;
  apiUrl: string;
  projectKey: string;
  clientId: string;
  clientSecret: string;
  /** Ready CTP_* variables: `loadCtpConfig(embedded.env)`. */
  env: Record<'CTP_PROJECT_KEY' | 'CTP_CLIENT_ID' | 'CTP_CLIENT_SECRET' | 'CTP_AUTH_URL' | 'CTP_API_URL', string>;
  /** The seeded customers, with their passwords and ids. */
  customers: readonly { email: string; password: string; id: string }[];
  /** Seeded categories and published products (by SKU). */
  seeded: SeededProject;
  /** Every token request the server answered, in order. */
  grants: GrantRecord[];
  stop(): Promise<void>;
}

const MOCK_PACKAGE = '@labdigital/commercetools-mock';

async function loadMock(): Promise<typeof import('@labdigital/commercetools-mock')> {
  try {
    // A variable specifier: bundlers leave it alone, and the mock (an optional peer dependency) is
    // loaded only by apps that start an embedded commercetools.
    const specifier: string = MOCK_PACKAGE;
    return (await import(specifier)) as typeof import('@labdigital/commercetools-mock');
  } catch (error) {
    throw new CtpTestingError(
      `startEmbeddedCommercetools needs ${MOCK_PACKAGE} (an optional peer dependency of ctp-client): npm install --save-dev ${MOCK_PACKAGE}`,
      error,
    );
  }
}

/**
 * Starts @labdigital/commercetools-mock on 127.0.0.1 with a free port and authentication on, made to
 * behave as the platform where ctp-client depends on it (see platformPatches), and seeds two
 * categories, three published products and the customers.
 *
 * @example
 * const ct = await startEmbeddedCommercetools();
 * const container = new Container();
 * container.load(ctpModule(loadCtpConfig(ct.env)));
 * // ...
 * await ct.stop();
 */
export async function startEmbeddedCommercetools(
  options: EmbeddedCommercetoolsOptions = {},
): Promise<EmbeddedCommercetools> {
  const projectKey = options.projectKey ?? 'demo-project';
  const clientId = options.clientId ?? 'embedded-client';
  const clientSecret = options.clientSecret ?? 'embedded-secret-not-for-production';
  const { CommercetoolsMock } = await loadMock();
  const mock: CommercetoolsMock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: true,
    silent: true,
    defaultProjectKey: projectKey,
  });
  const grants: GrantRecord[] = [];
  applyPlatformPatches(mock, projectKey, grants);
  await mock.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = mock.app.server.address() as AddressInfo;
    const seeded = await seedProject(mock, projectKey, options.customers, options.businessUnits, options.stores);
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      authUrl: url,
      apiUrl: url,
      projectKey,
      clientId,
      clientSecret,
      env: {
        CTP_PROJECT_KEY: projectKey,
        CTP_CLIENT_ID: clientId,
        CTP_CLIENT_SECRET: clientSecret,
        CTP_AUTH_URL: url,
        CTP_API_URL: url,
      },
      customers: seeded.customers,
      seeded,
      grants,
      stop: () => mock.app.close(),
    };
  } catch (error) {
    await mock.app.close();
    throw error;
  }
}
