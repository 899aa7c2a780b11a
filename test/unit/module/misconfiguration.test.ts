import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CtpConfig } from '../../../src/config/CtpConfig';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { createCtpServices, wireCtpServices } from '../../../src/module/createCtpServices';
import { ctpModule } from '../../../src/module/ctpModule';
import { FakePlatform } from '../../support/FakePlatform';
import { testConfig } from '../../support/createTestServices';

/** The problems of the CtpConfigError `run` throws (fails the test when it throws anything else). */
function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CtpConfigError);
    expect((error as CtpConfigError).code).toBe(CtpErrorCode.ConfigInvalid);
    return (error as CtpConfigError).problems;
  }
  throw new Error('expected a CtpConfigError');
}

// Options as an app's JavaScript (or a cast) can hand them over, misspelt keys included.
const loose = (options: Record<string, unknown>) => options as CtpModuleOptions;
const notAConfig = (value: unknown) => value as CtpConfig;

describe('misconfiguration of ctpModule() and createCtpServices()', () => {
  describe('when an option key is not one of CtpModuleOptions', () => {
    it('should refuse a misspelt top-level option with the name it meant', () => {
      expect(problemsOf(() => ctpModule(testConfig(), loose({ authTimeoutMS: 5_000 })))).toEqual([
        'unknown option authTimeoutMS (did you mean authTimeoutMs?)',
      ]);
    });

    it('should refuse misspelt keys at every level, all at once, naming each by its path', () => {
      const problems = problemsOf(() =>
        createCtpServices(
          testConfig(),
          loose({
            redis: { urll: 'redis://127.0.0.1:6379', sessionCache: { maxEntrys: 10 } },
            api: { enigne: 'ts-client', retry: { maxRetry: 1 } },
            retry: { baseDelay: 100 },
            telemetry: { apis: {} },
            scopes: { customers: ['manage_my_orders'] },
          }),
        ),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'unknown option scopes.customers (did you mean scopes.customer?)',
          'unknown option retry.baseDelay (did you mean retry.baseDelayMs?)',
          'unknown option api.enigne (did you mean api.engine?)',
          'unknown option api.retry.maxRetry (did you mean api.retry.maxRetries?)',
          'unknown option telemetry.apis (did you mean telemetry.api?)',
          'unknown option redis.urll (did you mean redis.url?)',
          'unknown option redis.sessionCache.maxEntrys (did you mean redis.sessionCache.maxEntries?)',
        ]),
      );
    });

    it('should list the known names when nothing is close', () => {
      expect(problemsOf(() => ctpModule(testConfig(), loose({ redis: { cluster: true } })))).toEqual([
        'unknown option redis.cluster (known: client, url, clusterUrls, keyPrefix, lockTtlMs, lockWaitMs, pollMs, commandTimeoutMs, fallbackToLocal, sessionCache)',
      ]);
    });

    it('should say where a config setting put among the options belongs', () => {
      expect(
        problemsOf(() => ctpModule(testConfig(), loose({ projectKey: 'shop', redisUrl: 'redis://127.0.0.1' }))),
      ).toEqual([
        'unknown option projectKey: it belongs in the config (loadCtpConfig() or createCtpConfig({ projectKey, ... })), the first argument',
        'unknown option redisUrl: the Redis URL is redis: { url } in the options, or CTP_REDIS_URL in the config',
      ]);
    });

    it('should refuse a level that is not an object, naming what it holds', () => {
      expect(problemsOf(() => ctpModule(testConfig(), loose({ redis: 'redis://127.0.0.1:6379' })))).toEqual([
        'redis must be an object with client, url, clusterUrls, keyPrefix, lockTtlMs, lockWaitMs, pollMs, commandTimeoutMs, fallbackToLocal, sessionCache',
      ]);
    });

    it('should refuse an externalAuth without a refresh function', () => {
      for (const externalAuth of [{}, { refresh: 'yes' }, null, () => undefined])
        expect(problemsOf(() => ctpModule(testConfig(), loose({ externalAuth })))).toEqual([
          'externalAuth must be an object { refresh(session) => Promise<{ token, expiresAt } | undefined> }',
        ]);
    });

    it('should accept every documented option', () => {
      const platform = new FakePlatform();
      const all: Required<Omit<CtpModuleOptions, 'telemetry' | 'sendToken'>> = {
        unsafeAllowSharedDataScopesForShoppers: false,
        scopes: { guest: ['view_categories', 'view_published_products', 'create_anonymous_token'] },
        unsafeAllowSharedWriteScopesForShoppers: false,
        authTimeoutMs: 1_000,
        apiTimeoutMs: 1_000,
        api: { engine: 'ts-client', retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 }, middlewares: [] },
        appName: 'shop-bff/1.0.0',
        storageTimeoutMs: 1_000,
        revokeWaitMs: 1_000,
        retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 },
        fetch: platform.fetch,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        clock: { now: () => 0 },
        sleep: async () => undefined,
        random: () => 0.5,
        sessionStorage: () => {
          throw new Error('not used');
        },
        passwordResetFloorMs: 10,
        checkout: { applicationKey: 'web-checkout', url: 'https://session.mock.test' },
        externalAuth: { refresh: async () => undefined },
        redis: {
          client: { get: async () => null, eval: async () => null },
          keyPrefix: 'ctp:',
          lockTtlMs: 1,
          lockWaitMs: 1,
          pollMs: 1,
          fallbackToLocal: true,
          sessionCache: { maxEntries: 1, maxAgeMs: 1 },
        },
      };
      const services = wireCtpServices(testConfig(), all);
      expect(services.registry.scopes('guest')).toHaveLength(3);
      void services.close();
    });
  });

  describe('when the options argument is not an object', () => {
    it.each([
      ['a string', 'fast'],
      ['null', null],
      ['an array', []],
    ])('should refuse %s', (_, value) => {
      expect(problemsOf(() => ctpModule(testConfig(), value as CtpModuleOptions))).toEqual([
        'options (the second argument) must be an object of CtpModuleOptions, e.g. { authTimeoutMs: 5_000 }, or left out',
      ]);
    });
  });

  describe('when a scope set names a scope commercetools does not have', () => {
    it('should refuse it at start with the closest scope name', () => {
      expect(
        problemsOf(() =>
          ctpModule(testConfig(), {
            scopes: { customer: ['view_categories', 'manage_my_order', { name: 'manage_my_profil', storeKey: 'eu' }] },
          }),
        ),
      ).toEqual([
        'scopes.customer: "manage_my_order" is not a commercetools scope: did you mean manage_my_orders?',
        'scopes.customer: "manage_my_profil" is not a commercetools scope: did you mean manage_my_profile?',
      ]);
    });

    it('should refuse manage_project and say why', () => {
      const [problem] = problemsOf(() =>
        createCtpServices(testConfig(), { scopes: { integration: ['manage_project'] } }),
      );
      expect(problem).toMatch(
        /^scopes\.integration: manage_project is refused: it grants every permission of the project, and an API client holding it cannot ask for fewer/,
      );
    });

    it('should refuse a set that is not an array rather than crash on it', () => {
      expect(problemsOf(() => ctpModule(testConfig(), loose({ scopes: { guest: 'view_categories' } })))).toEqual([
        "scopes.guest must be an array of scope names, e.g. ['view_categories', 'manage_my_orders']",
      ]);
    });
  });

  describe('when the config argument is missing or not a CtpConfig', () => {
    const how =
      'pass loadCtpConfig() (it reads CTP_PROJECT_KEY, CTP_CLIENT_ID, CTP_CLIENT_SECRET, CTP_AUTH_URL and CTP_API_URL) or createCtpConfig({ projectKey, clientId, clientSecret, authUrl, apiUrl })';

    it('should say the config is missing, and what to pass, for ctpModule() and createCtpServices()', () => {
      expect(problemsOf(() => ctpModule(notAConfig(undefined)))).toEqual([
        `ctpModule(config, options?): config is missing: ${how}`,
      ]);
      expect(problemsOf(() => createCtpServices(notAConfig(null)))).toEqual([
        `createCtpServices(config, options?): config is missing: ${how}`,
      ]);
    });

    it('should refuse a string without echoing it', () => {
      const problems = problemsOf(() => ctpModule(notAConfig('redis://:hunter2@cache:6379')));
      expect(problems).toEqual([`ctpModule(config, options?): config is a string, not a CtpConfig: ${how}`]);
    });

    it('should tell a hand-made config object to go through createCtpConfig, without echoing its secret', () => {
      const plain = {
        projectKey: 'shop',
        clientId: 'id',
        clientSecret: 'the-secret-value',
        authUrl: 'https://auth.example.com',
        apiUrl: 'https://api.example.com',
      };
      let thrown: unknown;
      try {
        ctpModule(notAConfig(plain));
      } catch (error) {
        thrown = error;
      }
      expect((thrown as CtpConfigError).problems).toEqual([
        'ctpModule(config, options?): config is a plain object, not a CtpConfig: pass createCtpConfig(thatObject), which validates it and keeps clientSecret out of logs',
      ]);
      for (const text of [String(thrown), JSON.stringify(thrown), inspect(thrown, { depth: null })])
        expect(text).not.toContain('the-secret-value');
    });

    it("should recognise environment variables and options passed in the config's place", () => {
      expect(problemsOf(() => ctpModule(notAConfig({ CTP_PROJECT_KEY: 'shop' })))).toEqual([
        'ctpModule(config, options?): config looks like environment variables (CTP_*), not a CtpConfig: pass loadCtpConfig(thoseVariables), which validates them',
      ]);
      expect(problemsOf(() => createCtpServices(notAConfig({ authTimeoutMs: 5_000 })))).toEqual([
        'createCtpServices(config, options?): config looks like the module options: the config comes first, createCtpServices(loadCtpConfig(), options)',
      ]);
      expect(problemsOf(() => ctpModule(notAConfig({})))).toEqual([
        `ctpModule(config, options?): config is not a CtpConfig: ${how}`,
      ]);
    });

    it('should validate a spread copy of a config again, naming config.* settings', () => {
      const copy = { ...testConfig(), apiUrl: 'http://api.example.com' };
      expect(problemsOf(() => ctpModule(copy))).toEqual([
        'config.apiUrl must use https (plain http is allowed on localhost only)',
      ]);
      const good = { ...testConfig(), apiUrl: 'https://api.us-central1.gcp.commercetools.com/' };
      expect(createCtpServices(good).config.apiUrl).toBe('https://api.us-central1.gcp.commercetools.com');
    });
  });
});
