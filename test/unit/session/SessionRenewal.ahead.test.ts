import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { localCoordinator, type TokenCoordinator } from '../../../src/tokens/TokenCoordinator';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionRenewal } from '../../../src/session/SessionRenewal';
import { SessionTokens } from '../../../src/session/SessionTokens';
import { CapturingLogger } from '../../support/createTestServices';

// SessionRenewal's background refresh (one per session and lineage at a time), how its failures are
// logged, what an ended lineage spares the next caller, and what it tells the fleet's coordinator
// about a token another instance stored.

const token = (
  access: string,
  refresh = 'p:anon-refresh-1',
  times: { issuedAt: number; expiresAt: number } = { issuedAt: 1_000, expiresAt: 3_601_000 },
): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  ...times,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});

const OLD = token('anon-access-1');
/** The time of every test: the tokens above are valid and outside their renewal margin. */
const NOW = 2_000;

/** What a refresh of `t` mints: same lineage, a new access token. */
const mintedOf = (t: CtpAuthToken) => token(`${t.accessToken}-r`, t.refreshToken);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A SessionRenewal whose refreshes wait for `gate`, then mint (or throw `failure` when given). */
function setup(options: { failure?: Error; coordinator?: TokenCoordinator } = {}) {
  const gate = deferred();
  const logger = new CapturingLogger();
  const tokens = new SessionTokens({ revoke: async () => undefined }, logger, 1_000, 1_000);
  const refreshed: string[] = [];
  const issuer = {
    refresh: async (t: CtpAuthToken) => {
      refreshed.push(t.accessToken);
      await gate.promise;
      if (options.failure) throw options.failure;
      return mintedOf(t);
    },
  };
  const renewal = new SessionRenewal(
    tokens,
    issuer,
    options.coordinator ?? localCoordinator,
    { now: () => NOW },
    logger,
  );
  return { renewal, tokens, logger, refreshed, release: gate.resolve };
}

describe('SessionRenewal', () => {
  describe('.ahead', () => {
    it('should run one background refresh per session id and lineage, whatever the number of requests (storage copies) asking', async () => {
      const { renewal, logger, release } = setup({ failure: new Error('socket hang up') });
      // express-session gives each request its own copy of the session, with the session's id.
      renewal.ahead(new MemorySessionStorage('s', OLD), OLD);
      renewal.ahead(new MemorySessionStorage('s', OLD), OLD);
      release();
      await renewal.settled();
      // One renewal ran: its failure (the current token serves) is logged once, not once per request.
      expect(logger.events('ctp.renewal.deferred')).toHaveLength(1);
    });

    it('should refresh two sessions in the background side by side', async () => {
      const other = token('anon-access-9', 'p:anon-refresh-9');
      const { renewal, release } = setup();
      const first = new MemorySessionStorage('s1', OLD);
      const second = new MemorySessionStorage('s2', other);
      renewal.ahead(first, OLD);
      renewal.ahead(second, other);
      release();
      await renewal.settled();
      expect((await first.get())?.a).toBe(mintedOf(OLD).accessToken);
      expect((await second.get())?.a).toBe(mintedOf(other).accessToken);
    });

    it('should refresh each storage without an id on its own, sharing the one refresh of the lineage', async () => {
      const { renewal, refreshed, release } = setup();
      const first = new MemorySessionStorage(undefined, OLD);
      const second = new MemorySessionStorage(undefined, OLD);
      renewal.ahead(first, OLD);
      renewal.ahead(second, OLD);
      release();
      await renewal.settled();
      expect((await first.get())?.a).toBe(mintedOf(OLD).accessToken);
      expect((await second.get())?.a).toBe(mintedOf(OLD).accessToken);
      expect(refreshed).toEqual([OLD.accessToken]);
    });

    it('should log a background refresh that found the session ended at debug level, not as a failure', async () => {
      const endedInFleet: TokenCoordinator = {
        ...localCoordinator,
        refresh: async () => 'ended',
      };
      const { renewal, logger, release } = setup({ coordinator: endedInFleet });
      const storage = new MemorySessionStorage('s', OLD);
      renewal.ahead(storage, OLD);
      release();
      await renewal.settled();
      expect(await storage.get()).toBeUndefined();
      expect(logger.events('ctp.renewal.ahead_failed')).toEqual([]);
      expect(logger.lines.filter((l) => l.level === 'debug').map((l) => l.obj)).toContainEqual({
        event: 'ctp.renewal.ahead_ended',
        kind: 'anonymous',
        code: 'CTP_SESSION_EXPIRED',
      });
    });
  });

  describe('.renew of a lineage that ended', () => {
    it('should not ask the coordinator again for a copy of the session that still holds it', async () => {
      let asked = 0;
      const endedInFleet: TokenCoordinator = {
        ...localCoordinator,
        refresh: async () => {
          asked += 1;
          return 'ended';
        },
      };
      const { renewal, release } = setup({ coordinator: endedInFleet });
      release();
      const copy = new MemorySessionStorage('s', OLD);
      await expect(renewal.renew(new MemorySessionStorage('s', OLD), OLD)).rejects.toBeInstanceOf(
        CtpSessionExpiredError,
      );
      await expect(renewal.renew(copy, OLD)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      expect(await copy.get()).toBeUndefined();
      expect(asked).toBe(1);
    });
  });

  describe('the coordinator', () => {
    it('should be told a token another instance stored may serve only when it is another access token, outside its renewal margin', async () => {
      let isFresh!: (candidate: CtpAuthToken) => boolean;
      const coordinator: TokenCoordinator = {
        ...localCoordinator,
        refresh: (
          _t: CtpAuthToken,
          refresh: () => Promise<CtpAuthToken>,
          fresh: (candidate: CtpAuthToken) => boolean,
        ) => {
          isFresh = fresh;
          return refresh();
        },
      };
      const { renewal, release } = setup({ coordinator });
      release();
      await renewal.renew(new MemorySessionStorage('s', OLD), OLD);
      expect(isFresh(token('anon-access-5'))).toBe(true);
      // The very token being renewed (another instance found nothing newer).
      expect(isFresh(OLD)).toBe(false);
      // Another token, but inside its margin (a 1 h token renews from 54 min) or expired.
      expect(
        isFresh(token('anon-access-6', 'p:anon-refresh-1', { issuedAt: NOW - 3_300_000, expiresAt: NOW + 300_000 })),
      ).toBe(false);
      expect(isFresh(token('anon-access-7', 'p:anon-refresh-1', { issuedAt: NOW - 3_600_000, expiresAt: NOW }))).toBe(
        false,
      );
    });
  });
});
