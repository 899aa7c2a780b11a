import { describe, expect, it } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { resolveCtpOptions } from '../../../src/module/resolveCtpOptions';
import { ScopeRegistry } from '../../../src/scopes/ScopeRegistry';

const ENV = {
  CTP_PROJECT_KEY: 'shop',
  CTP_CLIENT_ID: 'id',
  CTP_CLIENT_SECRET: 'secret',
  CTP_AUTH_URL: 'https://auth.europe-west1.gcp.commercetools.com',
  CTP_API_URL: 'https://api.europe-west1.gcp.commercetools.com',
};

function problemsOf(work: () => unknown): readonly string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof CtpConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the checkout setting', () => {
  it('should read CTP_CHECKOUT_APPLICATION_KEY, and derive the session host from the API region', () => {
    const config = loadCtpConfig({ ...ENV, CTP_CHECKOUT_APPLICATION_KEY: 'web-checkout' });
    expect(config.checkout).toEqual({ applicationKey: 'web-checkout' });
    expect(resolveCtpOptions(config).checkout).toEqual({
      applicationKey: 'web-checkout',
      url: 'https://session.europe-west1.gcp.commercetools.com',
    });
    expect(resolveCtpOptions(loadCtpConfig(ENV)).checkout).toBeUndefined();
  });

  it('should take CTP_CHECKOUT_URL, and the module option over the environment', () => {
    const config = loadCtpConfig({
      ...ENV,
      CTP_CHECKOUT_APPLICATION_KEY: 'a-key',
      CTP_CHECKOUT_URL: 'http://127.0.0.1:9/',
    });
    expect(resolveCtpOptions(config).checkout).toEqual({ applicationKey: 'a-key', url: 'http://127.0.0.1:9' });
    expect(resolveCtpOptions(config, { checkout: { applicationKey: 'other-key' } }).checkout).toEqual({
      applicationKey: 'other-key',
      url: 'https://session.europe-west1.gcp.commercetools.com',
    });
  });

  it('should name each problem as the app wrote it', () => {
    expect(problemsOf(() => loadCtpConfig({ ...ENV, CTP_CHECKOUT_URL: 'https://session.example.test' }))).toEqual([
      expect.stringMatching(/^CTP_CHECKOUT_APPLICATION_KEY must be/),
    ]);
    expect(
      problemsOf(() =>
        loadCtpConfig({ ...ENV, CTP_CHECKOUT_APPLICATION_KEY: 'k', CTP_CHECKOUT_URL: 'http://session.test/x?y' }),
      ),
    ).toEqual([
      expect.stringMatching(/^CTP_CHECKOUT_APPLICATION_KEY/),
      expect.stringMatching(/^CTP_CHECKOUT_URL must be/),
    ]);
    const config = createCtpConfig({ ...fromEnv(), apiUrl: 'http://127.0.0.1:8080' });
    expect(problemsOf(() => resolveCtpOptions(config, { checkout: { applicationKey: 'web' } }))).toEqual([
      expect.stringMatching(/^checkout\.url \(CTP_CHECKOUT_URL\) is missing/),
    ]);
    expect(
      problemsOf(() => resolveCtpOptions(loadCtpConfig(ENV), { checkout: { applicationKey: 'web', url: 'ftp://x' } })),
    ).toEqual([expect.stringMatching(/^checkout\.url must be/)]);
  });

  it('should keep the checkout scope set to manage_sessions alone', () => {
    expect(new ScopeRegistry({ projectKey: 'shop' }).scopes('checkout')).toEqual(['manage_sessions:shop']);
    expect(
      problemsOf(
        () => new ScopeRegistry({ projectKey: 'shop', sets: { checkout: ['manage_sessions', 'view_orders'] } }),
      ),
    ).toEqual([expect.stringMatching(/"checkout" must be manage_sessions alone/)]);
  });
});

function fromEnv() {
  return {
    projectKey: ENV.CTP_PROJECT_KEY,
    clientId: ENV.CTP_CLIENT_ID,
    clientSecret: ENV.CTP_CLIENT_SECRET,
    authUrl: ENV.CTP_AUTH_URL,
    apiUrl: ENV.CTP_API_URL,
  };
}
