import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../../src/auth/RetryPolicy';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { resolveCtpOptions } from '../../../src/module/resolveCtpOptions';
import { MAX_TIMEOUT_MS as MAX_TIMER_MS } from '../../../src/util/deadline';
import { testConfig } from '../../support/createTestServices';

function problems(options: CtpModuleOptions): readonly string[] {
  try {
    resolveCtpOptions(testConfig(), options);
  } catch (error) {
    expect(error).toBeInstanceOf(CtpConfigError);
    expect((error as CtpConfigError).code).toBe(CtpErrorCode.ConfigInvalid);
    return (error as CtpConfigError).problems;
  }
  return [];
}

const fakeRedis: RedisLike = { get: async () => null, eval: async () => null };

describe(resolveCtpOptions, () => {
  describe('when no option is given', () => {
    it('should apply the documented defaults and use no Redis', () => {
      const o = resolveCtpOptions(testConfig());
      expect(o).toMatchObject({
        authTimeoutMs: 3_000,
        apiTimeoutMs: 30_000,
        retry: DEFAULT_RETRY_POLICY,
        redis: undefined,
      });
      expect(o.clock.now()).toBeGreaterThan(0);
    });
  });

  describe('when a millisecond option is above 2^31-1', () => {
    it('should refuse every one of them at once, since Node would fire such a timer after 1 ms', () => {
      const tooLong = MAX_TIMER_MS + 1;
      expect(
        problems({
          authTimeoutMs: tooLong,
          apiTimeoutMs: tooLong,
          retry: { baseDelayMs: tooLong, maxDelayMs: tooLong },
          redis: { lockTtlMs: tooLong, lockWaitMs: tooLong, pollMs: tooLong, commandTimeoutMs: tooLong },
        }),
      ).toEqual(
        [
          'authTimeoutMs',
          'apiTimeoutMs',
          'retry.baseDelayMs',
          'retry.maxDelayMs',
          'redis.lockTtlMs',
          'redis.lockWaitMs',
          'redis.pollMs',
          'redis.commandTimeoutMs',
        ].map(
          (name) => `${name} must be at most 2147483647 ms (about 24.8 days): Node fires a longer timer after 1 ms`,
        ),
      );
    });

    it('should accept exactly 2^31-1', () => {
      expect(problems({ authTimeoutMs: MAX_TIMER_MS, apiTimeoutMs: MAX_TIMER_MS })).toEqual([]);
      expect(resolveCtpOptions(testConfig(), { apiTimeoutMs: MAX_TIMER_MS }).apiTimeoutMs).toBe(2_147_483_647);
    });

    it('should make createCtpServices fail with the typed error', () => {
      expect(() => createCtpServices(testConfig(), { authTimeoutMs: 2 ** 31 })).toThrow(
        expect.objectContaining({ code: CtpErrorCode.ConfigInvalid }),
      );
    });
  });

  describe('when a millisecond option is not a positive number', () => {
    it('should name each', () => {
      expect(
        problems({
          authTimeoutMs: 0,
          apiTimeoutMs: Number.NaN,
          redis: { pollMs: '50' as unknown as number, lockTtlMs: Infinity },
        }),
      ).toEqual([
        'authTimeoutMs must be a positive number of milliseconds',
        'apiTimeoutMs must be a positive number of milliseconds',
        'redis.lockTtlMs must be a positive number of milliseconds',
        'redis.pollMs must be a positive number of milliseconds',
      ]);
    });
  });

  describe('.redis', () => {
    it('should use a client passed in options as given, with the fleet defaults', () => {
      expect(
        resolveCtpOptions(testConfig(), { redis: { client: fakeRedis, url: 'redis://ignored:6379' } }).redis,
      ).toEqual({
        source: { kind: 'given', client: fakeRedis },
        keyPrefix: 'ctp:',
        lockTtlMs: 10_000,
        lockWaitMs: 15_000,
        // Only the fallback: a publication wakes a waiting instance (pub/sub).
        pollMs: 1_000,
        fallbackToLocal: false,
        sessionCache: { maxEntries: 10_000, maxAgeMs: 60_000 },
      });
    });

    it('should make a client from redis.url before config.redisUrl', () => {
      const config = createCtpConfig({
        ...testConfig(),
        clientSecret: testConfig().clientSecret,
        redisUrl: 'redis://from-config:6379',
      });
      expect(resolveCtpOptions(config).redis?.source).toEqual({
        kind: 'url',
        url: 'redis://from-config:6379',
        commandTimeoutMs: 2_000,
      });
      expect(
        resolveCtpOptions(config, { redis: { url: 'rediss://from-options:6380', commandTimeoutMs: 500 } }).redis
          ?.source,
      ).toEqual({ kind: 'url', url: 'rediss://from-options:6380', commandTimeoutMs: 500 });
    });

    it('should refuse a redis.url that is not redis:// or rediss://, and a keyPrefix that is not a string', () => {
      expect(problems({ redis: { url: 'http://127.0.0.1:6379', keyPrefix: 7 as unknown as string } })).toEqual([
        'redis.url must be a redis:// or rediss:// URL',
        'redis.keyPrefix must be a string',
      ]);
    });

    describe('when redis.clusterUrls is given', () => {
      it('should make a cluster client from them, before config.redisUrl, and after a client passed in options', () => {
        const config = createCtpConfig({
          ...testConfig(),
          clientSecret: testConfig().clientSecret,
          redisUrl: 'redis://from-config:6379',
        });
        const clusterUrls = ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'];
        expect(resolveCtpOptions(config, { redis: { clusterUrls } }).redis?.source).toEqual({
          kind: 'cluster',
          urls: clusterUrls,
          commandTimeoutMs: 2_000,
        });
        expect(resolveCtpOptions(config, { redis: { clusterUrls, commandTimeoutMs: 700 } }).redis?.source).toEqual({
          kind: 'cluster',
          urls: clusterUrls,
          commandTimeoutMs: 700,
        });
        expect(resolveCtpOptions(config, { redis: { clusterUrls, client: fakeRedis } }).redis?.source).toEqual({
          kind: 'given',
          client: fakeRedis,
        });
      });

      it('should refuse an empty list, a URL that is not redis://, differing credentials, and url beside it, naming no URL', () => {
        expect(problems({ redis: { clusterUrls: [] } })).toEqual([
          "redis.clusterUrls must be a non-empty array of redis:// or rediss:// URLs of the cluster's nodes",
        ]);
        expect(problems({ redis: { clusterUrls: ['redis://a:1', 'http://:hunter2@b:2', 'c:3'] } })).toEqual([
          'redis.clusterUrls[1, 2] must be a redis:// or rediss:// URL',
        ]);
        const mixed = problems({ redis: { clusterUrls: ['redis://:hunter2@a:1', 'redis://b:2'] } });
        expect(mixed).toEqual([
          'redis.clusterUrls must all use the same scheme (redis:// or rediss://), user and password',
        ]);
        expect(problems({ redis: { clusterUrls: ['redis://a:1', 'rediss://b:2'] } })).toEqual(mixed);
        expect(problems({ redis: { clusterUrls: ['redis://a:1'], url: 'redis://a:1' } })).toEqual([
          'redis.url and redis.clusterUrls: pass one (clusterUrls for a Redis Cluster)',
        ]);
        expect(problems({ redis: { clusterUrls: ['redis://:hunter2@a:1', 'redis://:hunter2@b:2'] } })).toEqual([]);
      });
    });

    describe('when redis.keyPrefix holds a brace', () => {
      it("should accept a complete hash tag and refuse one that would hide the library's own", () => {
        for (const keyPrefix of ['ctp:', '{ctp}:', 'app}:', 'a{b}c{:'])
          expect(problems({ redis: { keyPrefix } })).toEqual([]);
        for (const keyPrefix of ['ctp{:', '{}ctp:', 'a{b']) {
          expect(problems({ redis: { keyPrefix } })).toEqual([
            'redis.keyPrefix has a "{" without a non-empty "{...}" after it: on Redis Cluster that hides the hash tag keeping a token\'s keys in one slot; close the tag, e.g. "{ctp}:", or drop the brace',
          ]);
        }
      });
    });
  });

  describe('.scopes', () => {
    it('should let CTP_SCOPES (config.integrationScopes) win for the integration set', () => {
      const config = createCtpConfig({
        ...testConfig(),
        clientSecret: testConfig().clientSecret,
        integrationScopes: ['view_products'],
      });
      expect(
        resolveCtpOptions(config, { scopes: { integration: ['view_orders'], guest: ['view_categories'] } }).scopes,
      ).toEqual({ integration: ['view_products'], guest: ['view_categories'] });
    });
  });
});
