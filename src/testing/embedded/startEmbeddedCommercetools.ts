import type { AddressInfo } from 'node:net';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { CtpTestingError } from '../CtpTestingError';
import type { FakeApiClient } from '../auth/StrictAuth';
import { applyPlatformPatches, type GrantRecord } from './platformPatches';
import { applyStrictFront } from './strictFront';
import type { FakeExternalOAuth, IntrospectionAnswer } from '../auth/ExternalOAuth';
import { applyCartLockPatches } from './cartLockPatches';
import { applyMergeCartPatch } from './mergeCartPatch';
import { applyCheckoutHost } from './checkoutHost';
import type { FakeCheckoutSession } from '../checkout/FakeCheckoutHost';
import { seedProject, type SeedBusinessUnit, type SeededProject, type SeedCustomer } from './seedProject';

export interface EmbeddedCommercetoolsOptions {
  /** Default `demo-project`. */
  projectKey?: string;
  /** The API client the server accepts. Defaults are fine for tests; they are not secrets. */
  clientId?: string;
  clientSecret?: string;
  /**
   * The scopes the API client holds (without `:projectKey`); a grant asking for another, or for a
   * scope commercetools does not know, answers 400 invalid_scope. Default: every scope. API calls
   * need the scopes commercetools' API reference names (403 insufficient_scope); in-store `/me`
   * calls accept the plain scope or that Store's.
   */
  clientScopes?: readonly string[];
  /** More API clients the auth host knows (each token is bound to the client that got it). */
  otherClients?: readonly FakeApiClient[];
  /** Access-token lifetime in seconds (default the platform's, 2 days). */
  expiresIn?: number;
  /** The server's clock for token expiry (default Date.now): a test moves it to expire tokens. */
  now?: () => number;
  /**
   * How a grant answers a Store scope asked (`name:project:store`): as asked (default), plain (as for
   * a client holding the plain scope) or both forms. The platform does not document which.
   */
  storeScopeAnswer?: 'asked' | 'plain' | 'both';
  /** Customers to create (default: one, alice@example.com). */
  customers?: readonly SeedCustomer[];
  /**
   * Business units to create, with associates among `customers` and their permissions (each gets an
   * associate role holding exactly those). The as-associate endpoints check them as the platform does.
   */
  businessUnits?: readonly SeedBusinessUnit[];
  /** Stores to create besides those of `customers` (e.g. for an in-store sign-up). */
  stores?: readonly string[];
  /**
   * commercetools Checkout: the server also answers the Checkout session host's endpoints (on its
   * own URL), and `env` carries CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL.
   */
  checkout?: { applicationKey: string };
  /**
   * The project's External OAuth setting: a bearer token the server did not issue is POSTed as
   * `token=...` with `authorizationHeader` to `url` (the app's createIntrospectionHandler), within
   * 500 ms, and accepted only if it answers active (its `customer_id` binds `/me`).
   */
  externalOAuth?: { url: string; authorizationHeader: string };
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
  env: Record<'CTP_PROJECT_KEY' | 'CTP_CLIENT_ID' | 'CTP_CLIENT_SECRET' | 'CTP_AUTH_URL' | 'CTP_API_URL', string> &
    Partial<Record<'CTP_CHECKOUT_APPLICATION_KEY' | 'CTP_CHECKOUT_URL', string>>;
  /** With the `checkout` option: what `createCtpConfig({ ..., checkout })` takes (the session host is this server). */
  checkout: { applicationKey: string; url: string } | undefined;
  /** The Checkout sessions created (with the `checkout` option), by id. */
  checkoutSessions: ReadonlyMap<string, FakeCheckoutSession>;
  /** The seeded customers, with their passwords and ids. */
  customers: readonly { email: string; password: string; id: string }[];
  /** Seeded categories and published products (by SKU). */
  seeded: SeededProject;
  /** Every token request the server answered, in order. */
  grants: GrantRecord[];
  /** Revokes one access or refresh token (the other of the pair stays live), as if ended elsewhere. */
  revoke(token: string): void;
  /** Every access and refresh token the server issued, e.g. to check that none reached a log. */
  issuedTokens: readonly string[];
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
 * Starts @labdigital/commercetools-mock on 127.0.0.1 with a free port behind the strict auth host of
 * the testing kit (client secret, scopes, expiry and revocation checked as the platform does: see
 * strictFront), made to behave as the platform where ctp-client depends on it (see platformPatches), and seeds two
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
  const auth = applyStrictFront(
    mock,
    {
      projectKey,
      clients: [
        { id: clientId, secret: clientSecret, ...(options.clientScopes ? { scopes: options.clientScopes } : {}) },
        ...(options.otherClients ?? []),
      ],
      now: options.now ?? Date.now,
      expiresIn: () => options.expiresIn ?? 172_800,
      storeScopeAnswer: () => options.storeScopeAnswer ?? 'asked',
    },
    options.externalOAuth && introspectAt(options.externalOAuth),
  );
  const { assignCart } = applyPlatformPatches(mock, projectKey, grants, (customerId) =>
    auth.revokeCustomer(customerId),
  );
  applyMergeCartPatch(mock, projectKey, assignCart);
  applyCartLockPatches(mock, projectKey, options.now ?? Date.now, (token) => auth.owner(token));
  const checkout = applyCheckoutHost(mock, projectKey, options.now ?? Date.now, (token) => auth.owner(token));
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
        ...(options.checkout
          ? { CTP_CHECKOUT_APPLICATION_KEY: options.checkout.applicationKey, CTP_CHECKOUT_URL: url }
          : {}),
      },
      checkout: options.checkout ? { applicationKey: options.checkout.applicationKey, url } : undefined,
      checkoutSessions: checkout.sessions,
      customers: seeded.customers,
      seeded,
      grants,
      revoke: (token) => auth.revoke(token),
      issuedTokens: auth.issued,
      stop: () => mock.app.close(),
    };
  } catch (error) {
    await mock.app.close();
    throw error;
  }
}

/** The platform's call to the app's introspection endpoint. */
function introspectAt(setting: { url: string; authorizationHeader: string }): FakeExternalOAuth {
  return {
    introspect: async (token) => {
      const answer = await fetch(setting.url, {
        method: 'POST',
        headers: { authorization: setting.authorizationHeader, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(500),
      });
      return (await answer.json()) as IntrospectionAnswer;
    },
  };
}
