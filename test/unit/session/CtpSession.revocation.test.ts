import { describe, expect, it, vi } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { localCoordinator } from '../../../src/tokens/TokenCoordinator';
import { ShopperSession } from '../../../src/session/ShopperSession';
import type { CustomerSignIn } from '../../../src/session/CustomerSignIn';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import type { LegacySessionStorage } from '../../../src/session/fromLegacyStorage';
import { createTestServices } from '../../support/createTestServices';
import { ALICE as FAKE_ALICE, PROJECT, json } from '../../support/FakePlatform';
import { storedToken } from '../../support/session/storedToken';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };
const HOUR = 3_600_000;

function revoked(services: ReturnType<typeof createTestServices>): string[] {
  return services.platform
    .callsTo('/oauth/token/revoke')
    .map((c) => `${c.form.get('token_type_hint')} ${c.form.get('token')}`);
}

describe('ShopperSession revocation', () => {
  describe('when storing a new anonymous session fails', () => {
    it('should revoke the new token pair and report CTP_SESSION_STORAGE', async () => {
      const services = createTestServices();
      const broken: LegacySessionStorage = {
        id: 's',
        get: async () => undefined,
        set: async () => Promise.reject(new Error('disk full')),
        clear: async () => undefined,
      };
      const error = (await runWithCtpSession(broken, () => services.session.ensureAnonymous()).catch(
        (e: unknown) => e,
      )) as { code?: string };
      expect(error.code).toBe(CtpErrorCode.SessionStorage);
      expect(services.platform.grants('anonymous')).toHaveLength(1);
      // The pair of the one grant: its access and its refresh token, each revoked by its kind.
      const issued = services.platform.mock.issuedTokens;
      expect(issued).toHaveLength(2);
      const refresh = issued.find((t) => t.startsWith(`${PROJECT}:`))!;
      const access = issued.find((t) => t !== refresh)!;
      expect(revoked(services).sort()).toEqual([`access_token ${access}`, `refresh_token ${refresh}`]);
      expect(issued.filter((t) => services.platform.mock.isLive(t))).toEqual([]);
    });
  });

  describe('when the auth host does not answer the revocations of a sign-in', () => {
    it('should answer the sign-in without waiting for them, with the customer stored, and log them slow after revokeWaitMs', async () => {
      const services = createTestServices({ revokeWaitMs: 30 });
      const storage = new MemorySessionStorage('s');
      const anonymous = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      services.platform.on((call) =>
        call.path === '/oauth/token/revoke' ? new Promise<Response>(() => undefined) : undefined,
      );
      const customer = await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      expect((await storedToken(storage))?.customerId).toBe(customer.customerId);
      // Sent, not waited for: the sign-in answered before the bound.
      expect(revoked(services).sort()).toEqual([
        `access_token ${anonymous.accessToken}`,
        `refresh_token ${anonymous.refreshToken}`,
      ]);
      expect(services.logger.events('ctp.revoke.slow')).toHaveLength(0);
      await vi.waitFor(() => expect(services.logger.events('ctp.revoke.slow')).toHaveLength(1));
    });
  });

  describe('when the revocations after a sign-in fail', () => {
    it('should have answered the sign-in, and log each failure once they settle', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      services.platform.on((call) =>
        call.path === '/oauth/token/revoke' ? json({ error: 'invalid_client' }, 401) : undefined,
      );
      const customer = await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      expect((await storedToken(storage))?.customerId).toBe(customer.customerId);
      await services.session.settled();
      const failures = services.logger.events('ctp.revoke.failed') as { reason: string; hint: string }[];
      expect(failures.map((f) => `${f.reason} ${f.hint}`).sort()).toEqual([
        'login access_token',
        'login refresh_token',
      ]);
      expect(services.logger.text()).not.toContain('refresh-anon-');
    });
  });

  describe('when close() is called while the revocations after a sign-in still run', () => {
    it('should wait for them', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      services.platform.on((call) => (call.path === '/oauth/token/revoke' ? held.then(() => json({})) : undefined));
      await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      let closed = false;
      const closing = services.close().then(() => (closed = true));
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      answer();
      await closing;
      expect(revoked(services)).toHaveLength(2);
    });
  });

  describe('when the fleet marks the session ended (Redis) on sign-out', () => {
    function withCoordinator(endLineage: (refreshToken: string, ttlMs: number) => Promise<void>) {
      const services = createTestServices();
      const session = new ShopperSession({
        issuer: new TokenIssuer(services.oauth, services.registry, services.clock, services.logger),
        oauth: services.oauth,
        signIn: { prepare: async () => undefined, signIn: async () => undefined } as unknown as CustomerSignIn,
        clock: services.clock,
        logger: services.logger,
        storage: () => storage,
        coordinator: { ...localCoordinator, endLineage },
      });
      const storage = new MemorySessionStorage('s');
      return { services, session, storage };
    }

    it('should revoke while the mark is being written, not after it: one round', async () => {
      let markWritten!: () => void;
      const marks: [string, number][] = [];
      const { services, session, storage } = withCoordinator(
        (refreshToken, ttlMs) => (
          marks.push([refreshToken, ttlMs]),
          new Promise<void>((resolve) => (markWritten = resolve))
        ),
      );
      const token = await runWithCtpSession(storage, () => session.ensureAnonymous());
      const logout = runWithCtpSession(storage, () => session.logout());
      await vi.waitFor(() => expect(revoked(services)).toHaveLength(2));
      expect(revoked(services).sort()).toEqual([
        `access_token ${token.accessToken}`,
        `refresh_token ${token.refreshToken}`,
      ]);
      // The lineage ends for the fleet for a day: revocation may take that long to reach every node of the platform.
      expect(marks).toEqual([[token.refreshToken, 24 * HOUR]]);
      markWritten();
      await logout;
      expect(await storedToken(storage)).toBeUndefined();
    });

    it('should still revoke both tokens, then fail, when writing the mark fails', async () => {
      const { services, session, storage } = withCoordinator(async () =>
        Promise.reject(new CtpRedisError(CtpErrorCode.RedisUnavailable, 'Redis down')),
      );
      await runWithCtpSession(storage, () => session.ensureAnonymous());
      await expect(runWithCtpSession(storage, () => session.logout())).rejects.toMatchObject({
        code: CtpErrorCode.RedisUnavailable,
      });
      expect(revoked(services)).toHaveLength(2);
      expect(await storedToken(storage)).toBeUndefined();
    });
  });

  describe('when a refresh replaces the access token', () => {
    it('should revoke the replaced access token after a grace period for the calls still carrying it, keeping the refresh token', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      const before = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      services.clock.advance(HOUR);
      const after = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(after.accessToken).not.toBe(before.accessToken);
      // Calls in flight may still carry it: not revoked yet.
      expect(revoked(services)).toEqual([]);
      // settled() (and close()) start what waits out its grace period.
      await services.session.settled();
      expect(revoked(services)).toEqual([`access_token ${before.accessToken}`]);
    });
  });

  describe('when two sign-ins of one session run at once', () => {
    it("should store one, move the anonymous cart to that one, and revoke the other's tokens", async () => {
      const services = createTestServices(
        {},
        { customers: [FAKE_ALICE, { id: 'customer-bob', email: 'bob@example.com', password: 'bob-Passw0rd!' }] },
      );
      const storage = new MemorySessionStorage('s');
      const anonymous = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      const results = await runWithCtpSession(storage, () =>
        Promise.allSettled([
          services.session.login(ALICE.email, ALICE.password),
          services.session.login('bob@example.com', 'bob-Passw0rd!'),
        ]),
      );
      const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<CtpAuthToken>;
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((lost.reason as { code?: string }).code).toBe(CtpErrorCode.SessionChanged);
      expect((await storedToken(storage))?.customerId).toBe(won.value.customerId);
      // One backend sign-in moved the anonymous cart: the winner's (the loser's password grant was its last call).
      const signIns = services.platform.callsTo(`/${PROJECT}/login`).map((c) => JSON.parse(c.body) as object);
      expect(signIns).toEqual([expect.objectContaining({ anonymousId: anonymous.anonymousId })]);
      // Revoked: the anonymous pair (replaced) and the losing sign-in's pair; never the winner's.
      const revocations = revoked(services);
      const accessRevoked = revocations.filter((r) => r.startsWith('access_token ')).map((r) => r.split(' ')[1]);
      expect(accessRevoked).toHaveLength(2); // the anonymous one and the losing customer's
      expect(accessRevoked).toContain(anonymous.accessToken);
      expect(revocations.filter((r) => r.startsWith('refresh_token')).length).toBe(2);
      expect(revocations).not.toContain(`access_token ${won.value.accessToken}`);
      expect(revocations).not.toContain(`refresh_token ${won.value.refreshToken}`);
    });
  });
});
