import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../src/module/CtpModuleOptions';
import { createCtpServices } from '../../src/module/createCtpServices';
import type { CtpTokenMessage } from '../../src/session/account/CustomerDraft';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import { createMockCommercetools, type MockCommercetools } from '../../src/testing/mock/createMockCommercetools';

function services(mock = createMockCommercetools(), options: CtpModuleOptions = {}) {
  return { mock, ...createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, ...options }) };
}

/** Services whose sendToken keeps what it is handed, with the reset answer floor not slept. */
function accountServices(mock: MockCommercetools = createMockCommercetools()) {
  const sent: CtpTokenMessage[] = [];
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  return {
    sent,
    clock,
    ...services(mock, { sendToken: async (m) => void sent.push(m), clock, sleep: async (ms) => clock.advance(ms) }),
  };
}

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };
const integrationBearers = (mock: MockCommercetools) =>
  mock.requests.filter((r) => r.host === 'api' && r.identity?.kind === 'client').map((r) => r.headers['authorization']);
const inSession = <T>(storage: MemorySessionStorage, work: () => Promise<T>) => runWithCtpSession(storage, work);

describe(createMockCommercetools, () => {
  describe('.fetch', () => {
    describe('when the library asks for the integration token', () => {
      it('should grant the scope of the form body exactly, to the client of env', async () => {
        const { mock, client } = services();
        mock.on('GET', '/categories/cat-1', { id: 'cat-1', version: 1 });
        const { body } = await (await client.integrationApiRoot()).categories().withId({ ID: 'cat-1' }).get().execute();
        expect(body.id).toBe('cat-1');
        const [grant] = mock.grants('client_credentials');
        expect(grant!.url).toBe('https://auth.mock.test/oauth/token');
        expect(grant!.method).toBe('POST');
        expect(grant!.headers['authorization']).toBe(
          `Basic ${Buffer.from('mock-client:mock-client-secret').toString('base64')}`,
        );
        expect(grant!.form.get('grant_type')).toBe('client_credentials');
        const api = mock.requests.find((r) => r.host === 'api')!;
        expect(api.identity).toEqual({ kind: 'client', scopes: grant!.form.get('scope')!.split(' ') });
      });

      it('should refuse a scope the API client does not hold with 400 invalid_scope', async () => {
        const { client } = services(createMockCommercetools({ clientScopes: ['view_categories'] }));
        await expect(client.integrationApiRoot()).rejects.toMatchObject({
          code: CtpErrorCode.InvalidScope,
          status: 400,
        });
      });

      it('should refuse other client credentials with 401 invalid_client', async () => {
        const mock = createMockCommercetools();
        const { client } = createCtpServices(loadCtpConfig({ ...mock.env, CTP_CLIENT_SECRET: 'another-secret' }), {
          fetch: mock.fetch,
          retry: { maxRetries: 0 },
        });
        await expect(client.integrationApiRoot()).rejects.toMatchObject({ status: 401 });
      });
    });

    describe('when a shopper signs in', () => {
      it('should bind the token to the customer, so scripted answers see who asked', async () => {
        const { mock, client, session } = services();
        mock.on('GET', '/me', (request) => ({ id: request.identity?.customerId, email: 'alice@example.com' }));
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          await session.login('alice@example.com', 'alice-Passw0rd!');
          const { body } = await (await client.customerApiRoot()).me().get().execute();
          expect(body.id).toBe('customer-1');
        });
        const [grant] = mock.grants('password');
        expect(grant!.path).toBe('/oauth/test-project/customers/token');
        expect(grant!.form.get('username')).toBe('alice@example.com');
      });

      it('should refuse a wrong password as the platform does', async () => {
        const { session } = services();
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          await expect(session.login('alice@example.com', 'wrong-password')).rejects.toMatchObject({
            code: CtpErrorCode.InvalidCredentials,
          });
        });
      });
    });

    describe('when a visitor starts an anonymous session', () => {
      it('should give the token an anonymous_id and a refresh token that renews it', async () => {
        const mock = createMockCommercetools({ expiresIn: 3600 });
        let now = Date.UTC(2026, 0, 1);
        const { client } = createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, clock: { now: () => now } });
        mock.on('POST', '/me/carts', (request) => ({ id: 'cart-1', anonymousId: request.identity?.anonymousId }), 201);
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          const { body } = await (
            await client.customerApiRoot()
          )
            .me()
            .carts()
            .post({ body: { currency: 'EUR' } })
            .execute();
          expect(body.anonymousId).toMatch(/^anonymous-/);
          now += 2 * 3600_000; // past the access token's lifetime: the next call refreshes first
          await (
            await client.customerApiRoot()
          )
            .me()
            .carts()
            .post({ body: { currency: 'EUR' } })
            .execute();
        });
        expect(mock.grants('anonymous')).toHaveLength(1);
        expect(mock.grants('refresh_token').length).toBeGreaterThanOrEqual(1);
        expect(mock.grants('refresh_token')[0]!.form.get('refresh_token')).toMatch(/^test-project:mock-refresh-/);
      });
    });

    describe('when the API is asked for something not scripted', () => {
      it('should answer 404 ResourceNotFound naming the script to add', async () => {
        const { mock } = services();
        const { client } = services(mock);
        const error = await (
          await client.integrationApiRoot()
        )
          .carts()
          .withId({ ID: 'nope' })
          .get()
          .execute()
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ statusCode: 404 });
        const answer = await mock.fetch('https://api.mock.test/test-project/carts/nope', {
          headers: { authorization: 'Bearer unknown' },
        });
        expect(answer.status).toBe(401);
      });
    });

    describe('when a token is revoked', () => {
      it('should answer its next API use with 401 invalid_token', async () => {
        const { mock, client } = services();
        mock.on('GET', /^\/categories\/.+$/, { id: 'any' });
        await (await client.integrationApiRoot()).categories().withId({ ID: 'x' }).get().execute();
        const token = mock.requests.find((r) => r.host === 'api')!.headers['authorization']!.slice('Bearer '.length);
        mock.revoke(token);
        const answer = await mock.fetch('https://api.mock.test/test-project/categories/x', {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(answer.status).toBe(401);
      });

      it('should tell which tokens still work: after a sign-out no token of the session, still the integration token', async () => {
        const { mock, session, client } = services();
        mock.on('GET', /^\/categories\/.+$/, { id: 'any' });
        await (await client.integrationApiRoot()).categories().withId({ ID: 'x' }).get().execute();
        const storage = new MemorySessionStorage('s');
        const signedIn = await inSession(storage, () => session.login(ALICE.email, ALICE.password));
        expect([mock.isLive(signedIn.accessToken), mock.isLive(signedIn.refreshToken)]).toEqual([true, true]);
        await inSession(storage, () => session.logout());
        expect([mock.isLive(signedIn.accessToken), mock.isLive(signedIn.refreshToken)]).toEqual([false, false]);
        const integration = integrationBearers(mock)[0]!.slice('Bearer '.length);
        expect(mock.isLive(integration)).toBe(true);
        expect(mock.isLive('never-issued')).toBe(false);
      });
    });

    describe('when the URL is neither the auth nor the API host', () => {
      it('should fail like a network error', async () => {
        await expect(createMockCommercetools().fetch('https://elsewhere.test/')).rejects.toThrow(TypeError);
      });
    });
  });

  describe('.on', () => {
    it('should let a later script win and record the JSON body it was sent', async () => {
      const { mock, client } = services();
      mock
        .on('POST', '/carts', { id: 'first' }, 201)
        .on(
          'POST',
          '/carts',
          (request) => ({ id: 'second', currency: (request.json as { currency: string }).currency }),
          201,
        );
      const { body, statusCode } = await (
        await client.integrationApiRoot()
      )
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute();
      expect({ id: body.id, currency: (body as unknown as { currency: string }).currency, statusCode }).toEqual({
        id: 'second',
        currency: 'EUR',
        statusCode: 201,
      });
      const request = mock.requests.at(-1)!;
      expect({ method: request.method, path: request.path, apiPath: request.apiPath, body: request.json }).toEqual({
        method: 'POST',
        path: '/test-project/carts',
        apiPath: '/carts',
        body: { currency: 'EUR' },
      });
    });
  });

  describe('account endpoints', () => {
    describe('CtpSession.signUp', () => {
      it('should create the customer with the integration token, sign the new customer in and refuse the same email again', async () => {
        const { mock, session } = accountServices();
        const storage = new MemorySessionStorage('s');
        await inSession(storage, () => session.ensureAnonymous());
        const token = await inSession(storage, () =>
          session.signUp({ email: 'dave@example.com', password: 'dave-Passw0rd!', firstName: 'Dave' }),
        );
        const create = mock.requests.find((r) => r.apiPath === '/customers')!;
        expect({ url: create.url, method: create.method, type: create.headers['content-type'] }).toEqual({
          url: 'https://api.mock.test/test-project/customers',
          method: 'POST',
          type: 'application/json',
        });
        expect(create.identity?.kind).toBe('client');
        expect(create.json).toEqual({ email: 'dave@example.com', password: 'dave-Passw0rd!', firstName: 'Dave' });
        const dave = mock.customers.find((c) => c.email === 'dave@example.com')!;
        expect(token).toMatchObject({ kind: 'customer', customerId: dave.id });
        expect(mock.grants('password').at(-1)!.form.get('username')).toBe('dave@example.com');
        await expect(
          inSession(new MemorySessionStorage('t'), () =>
            session.signUp({ email: 'DAVE@example.com', password: 'x-Passw0rd!' }),
          ),
        ).rejects.toMatchObject({ code: CtpErrorCode.EmailTaken });
      });
    });

    describe('CtpSession.changePassword', () => {
      it('should change it in the shopper name with the profile version, sign in with the new one and refuse a wrong current password', async () => {
        const { mock, session, client } = accountServices();
        const storage = new MemorySessionStorage('s');
        const old = await inSession(storage, () => session.login(ALICE.email, ALICE.password));
        await expect(
          inSession(storage, () => session.changePassword('wrong-Passw0rd', 'new-Passw0rd!')),
        ).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
        const fresh = await inSession(storage, () => session.changePassword(ALICE.password, 'new-Passw0rd!'));
        const change = mock.requests.filter((r) => r.apiPath === '/me/password').at(-1)!;
        expect({ method: change.method, bearer: change.headers['authorization'], body: change.json }).toEqual({
          method: 'POST',
          bearer: `Bearer ${old.accessToken}`,
          body: { version: 1, currentPassword: ALICE.password, newPassword: 'new-Passw0rd!' },
        });
        expect(mock.customers[0]!.password).toBe('new-Passw0rd!');
        expect(mock.grants('password').at(-1)!.form.get('password')).toBe('new-Passw0rd!');
        await session.settled();
        // The old pair was revoked: the mock no longer honours it.
        expect(mock.requests.filter((r) => r.path === '/oauth/token/revoke').map((r) => r.form.get('token'))).toEqual(
          expect.arrayContaining([old.accessToken, old.refreshToken]),
        );
        const me = await inSession(
          storage,
          async () => (await (await client.customerApiRoot()).me().get().execute()).body,
        );
        expect({ id: me.id, version: me.version }).toEqual({ id: fresh.customerId, version: 2 });
      });
    });

    describe('CtpSession.requestPasswordReset and resetPassword', () => {
      it('should hand the token to sendToken only, answer the same for an unknown email, reset once and end the customer other sessions', async () => {
        const { mock, session, client, sent } = accountServices();
        const other = new MemorySessionStorage('other');
        await inSession(other, () => session.login(ALICE.email, ALICE.password));
        expect(await session.requestPasswordReset(ALICE.email)).toBeUndefined();
        expect(await session.requestPasswordReset('nobody@example.com')).toBeUndefined();
        await session.settled();
        expect(sent.map((m) => [m.kind, m.email, m.customerId])).toEqual([
          ['password-reset', ALICE.email, 'customer-1'],
        ]);
        const creates = mock.requests.filter((r) => r.apiPath === '/customers/password-token');
        expect(creates.map((r) => [r.method, r.identity?.kind, r.json])).toEqual([
          ['POST', 'client', { email: ALICE.email }],
          ['POST', 'client', { email: 'nobody@example.com' }],
        ]);
        await session.resetPassword(sent[0]!.tokenValue, 'reset-Passw0rd!');
        const reset = mock.requests.find((r) => r.apiPath === '/customers/password/reset')!;
        expect(reset.json).toEqual({ tokenValue: sent[0]!.tokenValue, newPassword: 'reset-Passw0rd!' });
        expect(integrationBearers(mock)).toContain(reset.headers['authorization']);
        expect(mock.customers[0]!.password).toBe('reset-Passw0rd!');
        await expect(session.resetPassword(sent[0]!.tokenValue, 'again-Passw0rd!')).rejects.toMatchObject({
          code: CtpErrorCode.AccountTokenInvalid,
          status: 404,
        });
        // The platform revoked the customer's tokens: the other session is refused and cannot refresh.
        await expect(
          inSession(other, async () => (await client.customerApiRoot()).me().get().execute()),
        ).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
      });

      it('should refuse an expired reset token with CTP_ACCOUNT_TOKEN_INVALID', async () => {
        let now = Date.UTC(2026, 0, 1);
        const mock = createMockCommercetools({ now: () => now });
        const { session, sent } = accountServices(mock);
        await session.requestPasswordReset(ALICE.email);
        await session.settled();
        now += 25 * 3_600_000;
        await expect(session.resetPassword(sent[0]!.tokenValue, 'late-Passw0rd!')).rejects.toMatchObject({
          code: CtpErrorCode.AccountTokenInvalid,
          status: 400,
        });
        expect(mock.customers[0]!.password).toBe(ALICE.password);
      });
    });

    describe('CtpSession.requestEmailVerification and confirmEmail', () => {
      it('should create the token for the session customer and confirm the email once', async () => {
        const { mock, session, sent } = accountServices();
        const storage = new MemorySessionStorage('s');
        await inSession(storage, () => session.login(ALICE.email, ALICE.password));
        await inSession(storage, () => session.requestEmailVerification());
        const create = mock.requests.find((r) => r.apiPath === '/customers/email-token')!;
        expect({ method: create.method, kind: create.identity?.kind, body: create.json }).toEqual({
          method: 'POST',
          kind: 'client',
          body: { id: 'customer-1', ttlMinutes: 1440 },
        });
        expect(sent).toEqual([
          expect.objectContaining({ kind: 'email-verification', email: ALICE.email, customerId: 'customer-1' }),
        ]);
        expect(mock.isEmailVerified('customer-1')).toBe(false);
        await session.confirmEmail(sent[0]!.tokenValue);
        expect(mock.isEmailVerified('customer-1')).toBe(true);
        await expect(session.confirmEmail(sent[0]!.tokenValue)).rejects.toMatchObject({
          code: CtpErrorCode.AccountTokenInvalid,
        });
      });
    });

    describe('in a Store', () => {
      it('should answer the in-store variants and keep a Store customer out of another Store and out of the project-level sign-in', async () => {
        const { mock, session, sent } = accountServices(
          createMockCommercetools({
            customers: [ALICE, { email: 'sam@example.com', password: 'sam-Passw0rd!', storeKey: 'store-a' }],
          }),
        );
        const storage = new MemorySessionStorage('s');
        const anonymous = await inSession(storage, () => session.ensureAnonymous({ storeKey: 'store-a' }));
        expect(anonymous.storeKey).toBe('store-a');
        const gina = await inSession(storage, () =>
          session.signUp({ email: 'gina@example.com', password: 'gina-Passw0rd!' }),
        );
        expect(mock.requests.find((r) => r.apiPath === '/in-store/key=store-a/customers')?.method).toBe('POST');
        expect(mock.customers.find((c) => c.email === 'gina@example.com')?.storeKey).toBe('store-a');
        expect(mock.grants('password').at(-1)!.path).toBe('/oauth/test-project/in-store/key=store-a/customers/token');
        expect(gina.storeKey).toBe('store-a');
        await inSession(storage, () => session.changePassword('gina-Passw0rd!', 'gina-New-Passw0rd!'));
        expect(
          mock.requests
            .filter((r) => r.apiPath.startsWith('/in-store/key=store-a/me'))
            .map((r) => `${r.method} ${r.apiPath}`),
        ).toEqual(['GET /in-store/key=store-a/me', 'POST /in-store/key=store-a/me/password']);
        await inSession(storage, () => session.requestEmailVerification());
        await session.confirmEmail(sent.at(-1)!.tokenValue, { storeKey: 'store-a' });
        expect(mock.requests.at(-1)!.apiPath).toBe('/in-store/key=store-a/customers/email/confirm');
        await session.requestPasswordReset('gina@example.com', { storeKey: 'store-a' });
        await session.settled();
        // A Store's reset token works in that Store only.
        await expect(session.resetPassword(sent.at(-1)!.tokenValue, 'gina-Reset-Passw0rd!')).rejects.toMatchObject({
          code: CtpErrorCode.AccountTokenInvalid,
        });
        await session.resetPassword(sent.at(-1)!.tokenValue, 'gina-Reset-Passw0rd!', { storeKey: 'store-a' });
        expect(mock.requests.at(-1)!.apiPath).toBe('/in-store/key=store-a/customers/password/reset');
        // A Store's customer signs in nowhere else; a global customer signs in in any Store.
        for (const storeKey of ['store-b', undefined]) {
          await expect(
            inSession(new MemorySessionStorage(), () =>
              session.login('sam@example.com', 'sam-Passw0rd!', storeKey === undefined ? {} : { storeKey }),
            ),
          ).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
        }
        await expect(
          inSession(new MemorySessionStorage(), () =>
            session.login(ALICE.email, ALICE.password, { storeKey: 'store-b' }),
          ),
        ).resolves.toMatchObject({ storeKey: 'store-b' });
        // A token of store-a is refused on another Store's /me, as the platform's store-scoped scopes are.
        const sam = await inSession(new MemorySessionStorage(), () =>
          session.login('sam@example.com', 'sam-Passw0rd!', { storeKey: 'store-a' }),
        );
        const me = (storeKey: string) =>
          mock.fetch(`https://api.mock.test/test-project/in-store/key=${storeKey}/me`, {
            headers: { authorization: `Bearer ${sam.accessToken}` },
          });
        expect((await me('store-a')).status).toBe(200);
        expect((await me('store-b')).status).toBe(403);
      });
    });

    describe('as an associate of a business unit', () => {
      const unit = {
        key: 'acme',
        associates: [
          { email: ALICE.email, permissions: ['ViewMyCarts', 'CreateMyCarts'] },
          { email: 'bob@example.com', permissions: ['ViewMyOrders'] },
        ],
      };
      const customers = [
        ALICE,
        { email: 'bob@example.com', password: 'bob-Passw0rd!' },
        { email: 'eve@example.com', password: 'eve-Passw0rd!' },
      ];

      it('should create and read carts as the associate, with the integration token', async () => {
        const { mock, session, client } = accountServices(
          createMockCommercetools({ customers, businessUnits: [unit] }),
        );
        const storage = new MemorySessionStorage('s');
        await inSession(storage, () => session.login(ALICE.email, ALICE.password));
        const created = await inSession(storage, async () =>
          (await client.associateApiRoot('acme'))
            .carts()
            .post({ body: { currency: 'EUR' } })
            .execute(),
        );
        expect(created.statusCode).toBe(201);
        const list = await inSession(storage, async () =>
          (await client.associateApiRoot('acme')).carts().get().execute(),
        );
        expect(list.body.results.map((c) => [c.id, c.customerId])).toEqual([[created.body.id, 'customer-1']]);
        const read = mock.requests.at(-1)!;
        expect({ url: read.url, kind: read.identity?.kind }).toEqual({
          url: 'https://api.mock.test/test-project/as-associate/customer-1/in-business-unit/key=acme/carts',
          kind: 'client',
        });
      });

      it('should answer 403 AssociateMissingPermission to a customer who is not an associate or lacks the permission, even where a test scripts the answer', async () => {
        const mock = createMockCommercetools({ customers, businessUnits: [unit] });
        mock.on('GET', /\/as-associate\/.*\/carts$/, { limit: 20, offset: 0, count: 0, total: 0, results: [] });
        const { session, client } = accountServices(mock);
        const asCustomer = async (
          email: string,
          password: string,
          call: (root: Awaited<ReturnType<typeof client.associateApiRoot>>) => Promise<unknown>,
        ) => {
          const storage = new MemorySessionStorage();
          await inSession(storage, () => session.login(email, password));
          return inSession(storage, async () => call(await client.associateApiRoot('acme'))).then(
            () => undefined,
            (e: unknown) => e,
          );
        };
        const eve = await asCustomer('eve@example.com', 'eve-Passw0rd!', (root) => root.carts().get().execute());
        expect(eve).toMatchObject({
          code: CtpErrorCode.ApiForbidden,
          status: 403,
          apiCode: 'AssociateMissingPermission',
        });
        const bob = await asCustomer('bob@example.com', 'bob-Passw0rd!', (root) =>
          root
            .carts()
            .post({ body: { currency: 'EUR' } })
            .execute(),
        );
        expect(bob).toMatchObject({
          code: CtpErrorCode.ApiForbidden,
          status: 403,
          apiCode: 'AssociateMissingPermission',
        });
        expect(mock.requests.filter((r) => r.apiPath.includes('/as-associate/')).at(-1)!.method).toBe('POST');
        // Alice holds ViewMyCarts: the script answers her.
        expect(await asCustomer(ALICE.email, ALICE.password, (root) => root.carts().get().execute())).toBeUndefined();
      });

      it('should list the business units of the signed-in customer on /me/business-units', async () => {
        const { session, client } = accountServices(
          createMockCommercetools({ customers, businessUnits: [unit, { key: 'other', associates: [] }] }),
        );
        const storage = new MemorySessionStorage('s');
        await inSession(storage, () => session.login(ALICE.email, ALICE.password));
        const { body } = await inSession(storage, async () =>
          (await client.customerApiRoot()).me().businessUnits().get().execute(),
        );
        expect(body.results.map((u) => u.key)).toEqual(['acme']);
      });
    });
  });
});
