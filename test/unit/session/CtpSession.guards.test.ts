import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import type { LegacySessionStorage } from '../../../src/session/fromLegacyStorage';
import { json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { putToken, storedToken } from '../../support/session/storedToken';

// The guards of CtpSession that the behaviour tests pass by: each test here fails if one is removed.

const HOUR = 3_600_000;
const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };
type Services = ReturnType<typeof createTestServices>;

afterEach(() => {
  vi.useRealTimers();
});

async function anonymousSession(services: Services, id = 's') {
  const storage = new MemorySessionStorage(id);
  const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
  return { storage, token };
}

async function customerToken(services: Services): Promise<CtpAuthToken> {
  return runWithCtpSession(new MemorySessionStorage('other-browser'), () =>
    services.session.login(ALICE.email, ALICE.password),
  );
}

/**
 * A plain storage (no compareAndSet, not in-process) whose reads answer `reads` in turn and then
 * the last one again: what a request sees when another instance changes the session between two reads.
 */
function scripted(reads: (CtpAuthToken | undefined)[], id = 'scripted') {
  const writes: string[] = [];
  let i = 0;
  const storage: LegacySessionStorage = {
    id,
    get: async () => reads[Math.min(i++, reads.length - 1)],
    set: async (t) => void writes.push(`set ${t.accessToken}`),
    clear: async () => void writes.push('clear'),
  };
  return { storage, writes };
}

const revokedTokens = (services: Services) =>
  services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
/** One refresh ran and the only token revoked is the access token it minted (not one of `known`). */
function expectOnlyMintedRevoked(services: Services, known: CtpAuthToken[]): void {
  expect(services.platform.grants('refresh_token')).toHaveLength(1);
  const revoked = revokedTokens(services);
  expect(revoked).toHaveLength(1);
  expect(known.map((t) => t.accessToken)).not.toContain(revoked[0]);
  // The access token the refresh minted: the last token the platform issued.
  expect(revoked[0]).toBe(services.platform.mock.issuedTokens.at(-1));
}

describe('CtpSession guards', () => {
  describe('.customerId', () => {
    it('should give the signed-in customer id, and CTP_NO_SESSION for no session (starting none) or an anonymous one', async () => {
      const services = createTestServices();
      await expect(
        runWithCtpSession(new MemorySessionStorage('empty'), () => services.session.customerId()),
      ).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
      expect(services.platform.grants('anonymous')).toHaveLength(0);
      const { storage } = await anonymousSession(services);
      await expect(runWithCtpSession(storage, () => services.session.customerId())).rejects.toMatchObject({
        code: CtpErrorCode.NoSession,
      });
      await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      await expect(runWithCtpSession(storage, () => services.session.customerId())).resolves.toBe('customer-alice');
    });
  });

  describe('.customerId of an anonymous token that carries a customerId field', () => {
    it('should still fail with CTP_NO_SESSION: only a customer token names the customer', async () => {
      const services = createTestServices();
      const { token } = await anonymousSession(services);
      const odd = new MemorySessionStorage('odd', { ...token, customerId: 'customer-alice' });
      await expect(runWithCtpSession(odd, () => services.session.customerId())).rejects.toMatchObject({
        code: CtpErrorCode.NoSession,
      });
    });
  });

  describe('.login', () => {
    it('should log whether it took an anonymous session over and whether it signed in to a Store', async () => {
      const services = createTestServices();
      const { storage } = await anonymousSession(services);
      await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      await runWithCtpSession(new MemorySessionStorage('in-store'), () =>
        services.session.login(ALICE.email, ALICE.password, { storeKey: 'eu' }),
      );
      expect(services.logger.events('ctp.login')).toEqual([
        { event: 'ctp.login', merged: true, store: false },
        { event: 'ctp.login', merged: false, store: true },
      ]);
    });

    it('should answer without waiting for the revocations it starts; they run on, bounded, until settled()', async () => {
      vi.useFakeTimers();
      // One retry and no backoff (the test services' sleep): a hung revocation ends after 2 x authTimeoutMs.
      const services = createTestServices({ revokeWaitMs: 100, authTimeoutMs: 1_000, retry: { maxRetries: 1 } });
      const { storage, token: anonymous } = await anonymousSession(services);
      services.platform.on((call) =>
        call.path === '/oauth/token/revoke' ? new Promise<Response>(() => undefined) : undefined,
      );
      let done = false;
      const login = runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password)).then(
        (token) => ((done = true), token),
      );
      // No time passes: the answer does not wait for the hung revocations, not even revokeWaitMs.
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
      expect((await login).kind).toBe('customer');
      expect((await storedToken(storage))?.kind).toBe('customer');
      // The replaced anonymous pair's revocations were started, side by side, and are still running.
      const revocations = () =>
        services.platform
          .callsTo('/oauth/token/revoke')
          .map((c) => [c.form.get('token_type_hint'), c.form.get('token')]);
      expect(revocations()).toEqual([
        ['refresh_token', anonymous.refreshToken],
        ['access_token', anonymous.accessToken],
      ]);
      let settled = false;
      const settling = services.session.settled().then(() => (settled = true));
      // Past revokeWaitMs they are reported as slow and go on.
      await vi.advanceTimersByTimeAsync(99);
      expect(services.logger.events('ctp.revoke.slow')).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(services.logger.events('ctp.revoke.slow')).toEqual([
        { event: 'ctp.revoke.slow', kind: 'anonymous', reason: 'login', waitMs: 100 },
      ]);
      expect(settled).toBe(false);
      // Each attempt is bounded by authTimeoutMs: the retry goes out at 1 000 ms, both give up at 2 000 ms, and settled() resolves then.
      await vi.advanceTimersByTimeAsync(1_899);
      expect(settled).toBe(false);
      expect(revocations()).toHaveLength(4);
      expect(services.logger.events('ctp.revoke.failed')).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      expect(services.logger.events('ctp.revoke.failed')).toEqual([
        {
          event: 'ctp.revoke.failed',
          kind: 'anonymous',
          reason: 'login',
          hint: 'refresh_token',
          code: CtpErrorCode.AuthTimeout,
        },
        {
          event: 'ctp.revoke.failed',
          kind: 'anonymous',
          reason: 'login',
          hint: 'access_token',
          code: CtpErrorCode.AuthTimeout,
        },
      ]);
      await settling;
    });
  });

  describe('the memory of recent refreshes', () => {
    it('should keep the last 1,000 and forget the oldest', async () => {
      const services = createTestServices();
      const sessions = [];
      for (let i = 0; i < 1_001; i += 1) sessions.push(await anonymousSession(services, `s${i}`));
      services.clock.advance(HOUR);
      for (const { storage } of sessions) await runWithCtpSession(storage, () => services.session.accessToken());
      expect(services.platform.grants('refresh_token')).toHaveLength(1_001);
      // A late reader of the second replaced token still gets its refresh's result; one of the first refreshes anew.
      await runWithCtpSession(new MemorySessionStorage('s1', sessions[1]!.token), () => services.session.accessToken());
      expect(services.platform.grants('refresh_token')).toHaveLength(1_001);
      await runWithCtpSession(new MemorySessionStorage('s0', sessions[0]!.token), () => services.session.accessToken());
      expect(services.platform.grants('refresh_token')).toHaveLength(1_002);
    }, 30_000);
  });

  describe('.changePassword without a session', () => {
    it('should fail with CTP_NO_SESSION and start no anonymous session', async () => {
      const services = createTestServices();
      await expect(
        runWithCtpSession(new MemorySessionStorage('empty'), () =>
          services.session.changePassword('old-Passw0rd!', 'new-Passw0rd!'),
        ),
      ).rejects.toMatchObject({
        code: CtpErrorCode.NoSession,
      });
      expect(services.platform.grants('anonymous')).toHaveLength(0);
    });
  });

  describe('.logout', () => {
    it('should log the sign-out with the kind of session it ended', async () => {
      const services = createTestServices();
      const { storage } = await anonymousSession(services);
      await runWithCtpSession(storage, () => services.session.logout());
      expect(services.logger.events('ctp.logout')).toEqual([{ event: 'ctp.logout', kind: 'anonymous' }]);
    });

    it('should make a later refresh of a stale copy of the session fail as expired, clearing that copy, without refreshing', async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      const staleCopy = new MemorySessionStorage('s', token);
      await runWithCtpSession(storage, () => services.session.logout());
      services.clock.advance(HOUR);
      const error = await runWithCtpSession(staleCopy, () => services.session.accessToken()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect(await storedToken(staleCopy)).toBeUndefined();
      expect(services.platform.grants('refresh_token')).toHaveLength(0);
    });
  });

  // The 401 recovery of a builder, through the token source customerApiRoot() builds on.
  describe('.source().recover', () => {
    it('should return the current token without refreshing when the refused one was replaced already', async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      const source = await runWithCtpSession(storage, () => services.session.source());
      expect(await source.recover('an-older-access-token')).toBe(token.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(0);
    });

    it('should refresh the refused token even though it is not near its expiry, and store the result', async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      const source = await runWithCtpSession(storage, () => services.session.source());
      const recovered = await source.recover(token.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(recovered).not.toBe(token.accessToken);
      expect((await storedToken(storage))?.accessToken).toBe(recovered);
    });

    it('should not hand the refused token back when its refresh fails transiently (it is valid by the clock only)', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const { storage, token } = await anonymousSession(services);
      const source = await runWithCtpSession(storage, () => services.session.source());
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token' ? new Response('', { status: 503 }) : undefined,
      );
      await expect(source.recover(token.accessToken)).rejects.toMatchObject({ code: CtpErrorCode.AuthUnavailable });
    });
  });

  describe("a builder's token source", () => {
    it('should fail as expired once the session was cleared, and as changed once it holds another sign-in', async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      const source = await runWithCtpSession(storage, () => services.session.source());
      await putToken(storage, undefined);
      await expect(source.recover(token.accessToken)).rejects.toBeInstanceOf(CtpSessionExpiredError);
      await putToken(storage, await customerToken(services));
      await expect(source.recover(token.accessToken)).rejects.toMatchObject({ code: CtpErrorCode.SessionChanged });
      expect(services.platform.grants('refresh_token')).toHaveLength(0);
    });
  });

  describe('when a request read the token just before another request refreshed it', () => {
    it("should get that refresh's result instead of refreshing again", async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      const lateReader = new MemorySessionStorage('s', token);
      services.clock.advance(HOUR);
      const first = await runWithCtpSession(storage, () => services.session.accessToken());
      const late = await runWithCtpSession(lateReader, () => services.session.accessToken());
      expect(late.accessToken).toBe(first.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
    });
  });

  describe('when a refresh is refused because another sign-in replaced the lineage meanwhile', () => {
    async function setUp() {
      const services = createTestServices();
      const { token: anon } = await anonymousSession(services);
      services.clock.advance(HOUR); // anon expired (a caller waits for its refresh), the customer token signed in now is fresh
      const customer = await customerToken(services);
      services.platform.mock.revoke(anon.refreshToken); // the sign-in on another instance revoked it
      return { services, anon, customer };
    }

    it('should serve the session in its new lineage, clearing nothing', async () => {
      const { services, anon, customer } = await setUp();
      const { storage, writes } = scripted([anon, customer]);
      const token = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(token.accessToken).toBe(customer.accessToken);
      expect(writes).toEqual([]);
      expect(services.logger.events('ctp.session.expired')).toEqual([]);
    });

    it("should fail a builder of the old lineage with CTP_SESSION_CHANGED, never serving it the new one's token", async () => {
      const services = createTestServices();
      const { token: anon } = await anonymousSession(services);
      const customer = await customerToken(services);
      // Reads: the builder's source, then its retry after a 401 (its lineage), then the session by the time of the write (the customer).
      const { storage, writes } = scripted([anon, anon, customer]);
      const source = await runWithCtpSession(storage, () => services.session.source());
      services.platform.mock.revoke(anon.refreshToken);
      await expect(source.recover(anon.accessToken)).rejects.toMatchObject({ code: CtpErrorCode.SessionChanged });
      expect(writes).toEqual([]);
    });
  });

  describe('when a refresh succeeds but the session holds another lineage by the time it is stored', () => {
    it('should revoke what it minted and serve the new lineage', async () => {
      const services = createTestServices();
      const { token: anon } = await anonymousSession(services);
      services.clock.advance(HOUR);
      const customer = await customerToken(services);
      const { storage, writes } = scripted([anon, customer]);
      const token = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(token.accessToken).toBe(customer.accessToken);
      expect(writes).toEqual([]);
      expectOnlyMintedRevoked(services, [anon, customer]);
    });

    it('should fail a builder of the old lineage with CTP_SESSION_CHANGED', async () => {
      const services = createTestServices();
      const { token: anon } = await anonymousSession(services);
      const customer = await customerToken(services);
      const { storage } = scripted([anon, anon, customer]);
      const source = await runWithCtpSession(storage, () => services.session.source());
      await expect(source.recover(anon.accessToken)).rejects.toMatchObject({ code: CtpErrorCode.SessionChanged });
      expectOnlyMintedRevoked(services, [anon, customer]);
    });
  });

  describe('when the refresh token is refused and the session is cleared', () => {
    it('should keep the OAuth refusal as the cause', async () => {
      const services = createTestServices();
      const { storage, token } = await anonymousSession(services);
      services.platform.mock.revoke(token.refreshToken);
      services.clock.advance(HOUR);
      const error = (await runWithCtpSession(storage, () => services.session.accessToken()).catch(
        (e: unknown) => e,
      )) as CtpSessionExpiredError;
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect(error.cause).toBeInstanceOf(CtpOAuthError);
      expect((error.cause as CtpOAuthError).error).toBe('invalid_grant');
    });
  });

  describe('when a refresh fails with another OAuth error', () => {
    it('should log the deferral with kind and code while the token is valid', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const { storage, token } = await anonymousSession(services);
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? json({ error: 'invalid_request', error_description: 'x' }, 400)
          : undefined,
      );
      services.clock.advance(57 * 60_000);
      expect((await runWithCtpSession(storage, () => services.session.accessToken())).accessToken).toBe(
        token.accessToken,
      );
      // The refresh ran in the background: its failure is logged, never thrown at a caller.
      await services.session.settled();
      const [deferred] = services.logger.events('ctp.renewal.deferred') as { kind: string; code: string }[];
      expect(deferred).toMatchObject({ event: 'ctp.renewal.deferred', kind: 'anonymous' });
      expect(typeof deferred?.code).toBe('string');
    });

    it('should wrap it as a transient CTP_AUTH_UNAVAILABLE once the token expired, keeping the session and the cause', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const { storage, token } = await anonymousSession(services);
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? json({ error: 'invalid_request', error_description: 'x' }, 400)
          : undefined,
      );
      services.clock.advance(2 * HOUR);
      const error = (await runWithCtpSession(storage, () => services.session.accessToken()).catch(
        (e: unknown) => e,
      )) as { code?: string; cause?: unknown; flow?: string };
      expect(error.code).toBe(CtpErrorCode.AuthUnavailable);
      expect(error.flow).toBe('refresh_token');
      expect(error.cause).toBeInstanceOf(CtpOAuthError);
      expect((await storedToken(storage))?.accessToken).toBe(token.accessToken);
    });
  });

  describe('when the session got a token while its anonymous start was granted', () => {
    it('should use the stored token and revoke the anonymous pair', async () => {
      const services = createTestServices();
      const customer = await customerToken(services);
      const { storage, writes } = scripted([undefined, customer]);
      const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      expect(token.accessToken).toBe(customer.accessToken);
      expect(writes).toEqual([]);
      const anonymous = services.platform.grants('anonymous');
      expect(anonymous).toHaveLength(1);
      expect(revokedTokens(services)).toHaveLength(2);
      expect(revokedTokens(services)).not.toContain(customer.accessToken);
    });

    it('should give a second request of the session id the token its own copy holds by then, not overwrite it', async () => {
      const services = createTestServices();
      const customer = await customerToken(services);
      const first = new MemorySessionStorage('sid');
      const second = scripted([undefined, customer], 'sid');
      const [a, b] = await Promise.all([
        runWithCtpSession(first, () => services.session.ensureAnonymous()),
        runWithCtpSession(second.storage, () => services.session.ensureAnonymous()),
      ]);
      expect(services.platform.grants('anonymous')).toHaveLength(1);
      expect(a.kind).toBe('anonymous');
      expect(b.accessToken).toBe(customer.accessToken);
      expect(second.writes).toEqual([]);
    });
  });

  describe('with storageTimeoutMs', () => {
    it('should bound a hung storage read by it', async () => {
      vi.useFakeTimers();
      const services = createTestServices({ storageTimeoutMs: 300 });
      const hung: LegacySessionStorage = {
        id: 'h',
        get: () => new Promise(() => undefined),
        set: async () => undefined,
        clear: async () => undefined,
      };
      const reading = runWithCtpSession(hung, () => services.session.accessToken()).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(450);
      expect(await reading).toMatchObject({ code: CtpErrorCode.SessionStorageTimeout });
    });
  });

  describe('.settled and .close', () => {
    it('should wait for a renewal in flight, and close stops the storage deadline interval', async () => {
      const services = createTestServices();
      const { token } = await anonymousSession(services);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      services.platform.on(async (call) => {
        if (call.form.get('grant_type') === 'refresh_token') await gate;
        return undefined;
      });
      services.clock.advance(HOUR);
      const { storage } = scripted([token]);
      const renewing = runWithCtpSession(storage, () => services.session.accessToken());
      await new Promise<void>((resolve) => setImmediate(resolve));
      let settled = false;
      const settling = services.session.settled().then(() => (settled = true));
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      release();
      await renewing;
      await settling;
      expect(settled).toBe(true);
    });

    it('should leave no storage deadline timer behind once a read answered', async () => {
      vi.useFakeTimers();
      const services = createTestServices();
      const { storage } = scripted([undefined], 'x');
      await runWithCtpSession(storage, () => services.session.current());
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
