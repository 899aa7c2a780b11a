import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCtpConfig, type CtpConfigInput } from '../../../src/config/createCtpConfig';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';

const env = {
  CTP_PROJECT_KEY: 'shop',
  CTP_CLIENT_ID: 'id',
  CTP_CLIENT_SECRET: 'the-secret-value',
  CTP_AUTH_URL: 'https://auth.europe-west1.gcp.commercetools.com/',
  CTP_API_URL: 'https://api.europe-west1.gcp.commercetools.com',
};

function problems(input: Record<string, string | undefined>): readonly string[] {
  try {
    loadCtpConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CtpConfigError);
    expect((error as CtpConfigError).code).toBe(CtpErrorCode.ConfigInvalid);
    return (error as CtpConfigError).problems;
  }
  throw new Error('expected a CtpConfigError');
}

describe(loadCtpConfig, () => {
  it('should return a frozen config without trailing slashes', () => {
    const config = loadCtpConfig(env);
    expect(config.authUrl).toBe('https://auth.europe-west1.gcp.commercetools.com');
    expect(config.clientSecret.reveal()).toBe('the-secret-value');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.integrationScopes).toBeUndefined();
  });

  it('should keep the secret out of JSON, spreads, strings and every inspect mode', () => {
    const config = loadCtpConfig(env);
    const renderings = [
      JSON.stringify(config),
      JSON.stringify({ ...config }),
      inspect(config),
      inspect(config, { showHidden: true, depth: null }),
      inspect(config, { showHidden: true, depth: null, customInspect: false }),
      inspect({ ...config }, { showHidden: true, depth: null, getters: true }),
      String(config.clientSecret),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the rendering under test
      `${config.clientSecret}`,
      Object.values(config).map(String).join(' '),
    ];
    for (const text of renderings) expect(text).not.toContain('the-secret-value');
    expect(inspect(config, { showHidden: true, depth: null })).toContain('[redacted]');
    expect(JSON.parse(JSON.stringify(config)).clientSecret).toBe('[redacted]');
  });

  it('should keep the secret through a spread, so a copy with another apiUrl still authenticates', () => {
    const config = loadCtpConfig(env);
    const copy = { ...config, apiUrl: 'https://api.us-central1.gcp.commercetools.com' };
    expect(copy.clientSecret.reveal()).toBe('the-secret-value');
    // And createCtpConfig accepts the spread copy (with its CtpSecret) for re-validation.
    expect(createCtpConfig(copy).clientSecret.reveal()).toBe('the-secret-value');
  });

  it('should refuse credentials in CTP_AUTH_URL and CTP_API_URL without echoing them', () => {
    const list = problems({
      ...env,
      CTP_AUTH_URL: 'https://admin:hunter2@auth.example.com',
      CTP_API_URL: 'https://tok3n@api.example.com',
    });
    expect(list).toEqual([
      "CTP_AUTH_URL must not contain credentials (user:password@); the API client's id and secret go in their own settings",
      "CTP_API_URL must not contain credentials (user:password@); the API client's id and secret go in their own settings",
    ]);
    const error = (() => {
      try {
        loadCtpConfig({ ...env, CTP_AUTH_URL: 'https://admin:hunter2@auth.example.com' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    for (const text of [String(error), JSON.stringify(error), inspect(error, { showHidden: true, depth: null })]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('admin');
    }
  });

  it('should not echo a malformed URL, which may still hold a password', () => {
    expect(problems({ ...env, CTP_AUTH_URL: 'https://user:pa ss@' })).toEqual(['CTP_AUTH_URL is not a URL']);
  });

  it('should report every missing variable at once', () => {
    expect(problems({})).toEqual([
      'CTP_PROJECT_KEY is missing',
      'CTP_CLIENT_ID is missing',
      'CTP_CLIENT_SECRET is missing',
      'CTP_AUTH_URL is missing (e.g. https://auth.europe-west1.gcp.commercetools.com)',
      'CTP_API_URL is missing (e.g. https://api.europe-west1.gcp.commercetools.com)',
    ]);
  });

  it('should refuse plain http except on loopback, and non-URLs', () => {
    expect(problems({ ...env, CTP_AUTH_URL: 'http://auth.example.com', CTP_API_URL: 'api' })).toEqual([
      'CTP_AUTH_URL must use https (plain http is allowed on localhost only)',
      'CTP_API_URL is not a URL',
    ]);
    expect(loadCtpConfig({ ...env, CTP_AUTH_URL: 'http://127.0.0.1:4000' }).authUrl).toBe('http://127.0.0.1:4000');
  });

  it('should read CTP_SCOPES as the integration set and report its problems with the rest', () => {
    expect(loadCtpConfig({ ...env, CTP_SCOPES: 'manage_orders:shop view_products:shop' }).integrationScopes).toEqual([
      'manage_orders',
      'view_products',
    ]);
    expect(problems({ ...env, CTP_CLIENT_ID: '', CTP_SCOPES: 'manage_orders:other' })).toEqual([
      'CTP_SCOPES: scope "manage_orders:other" is for project "other", not "shop"',
      'CTP_CLIENT_ID is missing',
    ]);
  });

  it("should check CTP_SCOPES names against commercetools' scopes, with the closest match, and refuse manage_project", () => {
    expect(problems({ ...env, CTP_SCOPES: 'manage_order:shop view_products:shop view_product:shop:eu' })).toEqual([
      'CTP_SCOPES: "manage_order" is not a commercetools scope: did you mean manage_orders?',
      'CTP_SCOPES: "view_product" is not a commercetools scope: did you mean view_products?',
    ]);
    expect(problems({ ...env, CTP_SCOPES: 'manage_project:shop' })).toEqual([
      expect.stringMatching(/^CTP_SCOPES: manage_project is refused: it grants every permission of the project/),
    ]);
    // A malformed entry and an unknown name are reported together.
    expect(problems({ ...env, CTP_SCOPES: 'manage_orders view_orderz:shop' })).toEqual([
      'CTP_SCOPES: scope "manage_orders" must be name:projectKey or name:projectKey:storeKey',
      'CTP_SCOPES: "view_orderz" is not a commercetools scope: did you mean view_orders?',
    ]);
  });

  describe('when CTP_PROJECT_KEY is one character', () => {
    it('should say it is too short, not that its characters are wrong', () => {
      expect(problems({ ...env, CTP_PROJECT_KEY: 'a' })).toEqual([
        'CTP_PROJECT_KEY "a" is too short: a project key has 2 to 256 characters',
      ]);
      expect(problems({ ...env, CTP_PROJECT_KEY: 'x'.repeat(257) })).toEqual([
        'CTP_PROJECT_KEY is too long: a project key has 2 to 256 characters',
      ]);
      expect(problems({ ...env, CTP_PROJECT_KEY: 'my shop' })).toEqual([
        'CTP_PROJECT_KEY "my shop" may hold only letters, digits, - and _',
      ]);
      expect(loadCtpConfig({ ...env, CTP_PROJECT_KEY: 'ab' }).projectKey).toBe('ab');
    });
  });

  it('should refuse an env that is not an object with a typed error', () => {
    expect(() => loadCtpConfig(null as unknown as Record<string, string>)).toThrow(CtpConfigError);
  });

  it('should never echo the secret in a problem', () => {
    const list = problems({ ...env, CTP_PROJECT_KEY: 'bad key', CTP_AUTH_URL: 'ftp://x' });
    expect(list.join('\n')).not.toContain('the-secret-value');
  });
});

describe(createCtpConfig, () => {
  const input = {
    projectKey: 'shop',
    clientId: 'id',
    clientSecret: 'the-secret-value',
    authUrl: 'https://auth.europe-west1.gcp.commercetools.com',
    apiUrl: 'https://api.europe-west1.gcp.commercetools.com',
  };
  function problemsOf(value: unknown): readonly string[] {
    try {
      createCtpConfig(value as CtpConfigInput);
    } catch (error) {
      expect(error).toBeInstanceOf(CtpConfigError);
      return (error as CtpConfigError).problems;
    }
    throw new Error('expected a CtpConfigError');
  }

  it('should refuse a misspelt setting with the name it meant, rather than call the real one missing', () => {
    const { clientId, ...rest } = input;
    expect(problemsOf({ ...rest, clientID: clientId })).toEqual([
      'createCtpConfig: unknown setting clientID (did you mean clientId?)',
      'clientId is missing',
    ]);
    expect(problemsOf({ ...input, timeout: 5 })).toEqual([
      'createCtpConfig: unknown setting timeout (known: projectKey, clientId, clientSecret, authUrl, apiUrl, integrationScopes, redisUrl, checkout)',
    ]);
  });

  it('should refuse settings of the wrong type by name, without crashing and without echoing them', () => {
    expect(problemsOf({ ...input, projectKey: 42, clientSecret: { value: 'x' } })).toEqual([
      'projectKey must be a string',
      'clientSecret must be a string',
    ]);
    expect(problemsOf(undefined)).toEqual([
      'createCtpConfig(input): input must be an object { projectKey, clientId, clientSecret, authUrl, apiUrl }',
    ]);
  });

  it("should check integrationScopes against commercetools' scope names", () => {
    expect(problemsOf({ ...input, integrationScopes: ['view_categories', 'view_categroies'] })).toEqual([
      'integrationScopes: "view_categroies" is not a commercetools scope: did you mean view_categories?',
    ]);
    expect(problemsOf({ ...input, integrationScopes: 'view_categories' })).toEqual([
      "integrationScopes must be an array of scope names, e.g. ['view_categories', 'manage_my_orders']",
    ]);
  });
});
