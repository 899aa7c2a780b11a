import { describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { ShopperSession } from '../../../src/session/ShopperSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { API_URL, AUTH_URL, json, PROJECT } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };

describe(ShopperSession, () => {
  describe('.ensureAnonymous with a storeKey', () => {
    it('should start the anonymous session with the Store variants of the shopper scopes and remember the Store', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous({ storeKey: 'store-a' }));
      const [grant] = services.platform.grants('anonymous');
      expect(grant).toMatchObject({ url: `${AUTH_URL}/oauth/${PROJECT}/anonymous/token`, method: 'POST' });
      expect(grant!.form.get('scope')?.split(' ')).toEqual(
        expect.arrayContaining([`manage_my_orders:${PROJECT}:store-a`, `view_categories:${PROJECT}`]),
      );
      expect(token.storeKey).toBe('store-a');
      // A later sign-in defaults to the session's Store.
      await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      expect(services.platform.grants('password')[0]?.url).toBe(
        `${AUTH_URL}/oauth/${PROJECT}/in-store/key=store-a/customers/token`,
      );
      expect((await storedToken(storage))?.storeKey).toBe('store-a');
    });

    describe('when N requests of one session start it at once, half in each of two Stores', () => {
      const N = 12;
      const storeOf = (i: number) => (i % 2 === 0 ? 'store-a' : 'store-b');
      const grantsByStore = (services: ReturnType<typeof createTestServices>) =>
        services.platform.grants('anonymous').map((g) => (g.form.get('scope') ?? '').match(/:store-([ab])\b/)?.[0]);

      it('should make exactly one grant per Store and hand each request its own Store token (one storage object per request)', async () => {
        const services = createTestServices();
        // express-session gives each request its own copy of the session, with the same id.
        const tokens = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            runWithCtpSession(new MemorySessionStorage('same-session'), () =>
              services.session.ensureAnonymous({ storeKey: storeOf(i) }),
            ),
          ),
        );
        expect(grantsByStore(services).sort()).toEqual([':store-a', ':store-b']);
        tokens.forEach((token, i) => {
          expect(token.storeKey).toBe(storeOf(i));
          expect(token.scopes.filter((s) => s.split(':').length === 3).every((s) => s.endsWith(`:${storeOf(i)}`))).toBe(
            true,
          );
        });
        expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(2);
      });

      it.each([
        ['an id', 'shared'],
        ['no id', undefined],
      ])(
        'should serve the Store that won the one shared storage (with %s) and refuse the other with CTP_STORE_MISMATCH, revoking its grant',
        async (_, id) => {
          const services = createTestServices();
          const storage = new MemorySessionStorage(id);
          const outcomes = await Promise.allSettled(
            Array.from({ length: N }, (_, i) =>
              runWithCtpSession(storage, () => services.session.ensureAnonymous({ storeKey: storeOf(i) })),
            ),
          );
          expect(grantsByStore(services).sort()).toEqual([':store-a', ':store-b']);
          const stored = (await storedToken(storage))!;
          outcomes.forEach((outcome, i) => {
            if (storeOf(i) === stored.storeKey)
              expect(outcome).toMatchObject({ status: 'fulfilled', value: { accessToken: stored.accessToken } });
            else expect(outcome).toMatchObject({ status: 'rejected', reason: { code: CtpErrorCode.StoreMismatch } });
          });
          await services.session.settled();
          const revoked = services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
          // No other anonymous access token is live: the losing Store's was revoked.
          const live = services.platform.mock.issuedTokens.filter(
            (token) => services.platform.mock.identityOf(token)?.kind === 'anonymous' && token !== stored.accessToken,
          );
          expect(live).toEqual([]);
          expect(revoked).toHaveLength(2);
          expect(revoked).not.toContain(stored.accessToken);
        },
      );
    });

    it('should refuse to serve a session of another Store with CTP_STORE_MISMATCH', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => services.session.ensureAnonymous({ storeKey: 'store-a' }));
      await expect(
        runWithCtpSession(storage, () => services.session.ensureAnonymous({ storeKey: 'store-b' })),
      ).rejects.toMatchObject({ code: CtpErrorCode.StoreMismatch });
      const calls = services.platform.calls.length;
      await expect(
        runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password, { storeKey: 'store-b' })),
      ).rejects.toMatchObject({ code: CtpErrorCode.StoreMismatch });
      expect(services.platform.calls.length).toBe(calls);
    });
  });
});

describe('CtpClient', () => {
  describe('.associateApiRoot', () => {
    describe('when a customer is signed in', () => {
      it('should address the as-associate endpoints with the session customer id and the integration token', async () => {
        const services = createTestServices();
        services.platform.on((call) =>
          call.path.includes('/as-associate/')
            ? json({ limit: 20, offset: 0, count: 0, total: 0, results: [] })
            : undefined,
        );
        const storage = new MemorySessionStorage('s');
        await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
        await runWithCtpSession(storage, async () =>
          (await services.client.associateApiRoot('acme-bu')).carts().get().execute(),
        );
        const call = services.platform.calls.find((c) => c.path.includes('/as-associate/'))!;
        expect(call).toMatchObject({
          url: `${API_URL}/${PROJECT}/as-associate/customer-alice/in-business-unit/key=acme-bu/carts`,
          method: 'GET',
        });
        expect(call.identity?.kind).toBe('client');
      });
    });

    describe('when the session is anonymous or the key is not a key', () => {
      it('should raise CTP_NO_SESSION or CTP_INVALID_ARGUMENT and call nothing as an associate', async () => {
        const services = createTestServices();
        const storage = new MemorySessionStorage('s');
        await runWithCtpSession(storage, () => services.session.ensureAnonymous());
        await expect(
          runWithCtpSession(storage, () => services.client.associateApiRoot('acme-bu')),
        ).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
        await expect(
          runWithCtpSession(storage, () => services.client.associateApiRoot('x/../y')),
        ).rejects.toMatchObject({ code: CtpErrorCode.InvalidArgument, argument: 'businessUnitKey' });
        expect(services.platform.calls.some((c) => c.path.includes('/as-associate/'))).toBe(false);
      });
    });
  });
});
