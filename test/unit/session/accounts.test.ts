import { describe, expect, it } from 'vitest';
import { CtpAccountError } from '../../../src/errors/CtpAccountError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpTokenMessage } from '../../../src/session/account/CustomerDraft';
import { ShopperSession } from '../../../src/session/ShopperSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { API_URL, AUTH_URL, json, PROJECT, type RecordedCall } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };
const NEW_PASSWORD = 'brand-NEW-passw0rd!';

function setup(options: Parameters<typeof createTestServices>[0] & { noSender?: boolean } = {}) {
  const { noSender, ...rest } = options;
  const sent: CtpTokenMessage[] = [];
  const slept: number[] = [];
  const services: ReturnType<typeof createTestServices> = createTestServices({
    ...(noSender ? {} : { sendToken: async (message: CtpTokenMessage) => void sent.push(message) }),
    sleep: async (ms) => {
      slept.push(ms);
      services.clock.advance(ms);
    },
    ...rest,
  });
  /** Simulated work of the platform per request (ms of the test's clock), to model a slower lookup. */
  const accounts = { costMs: (_call: RecordedCall): number => 0 };
  services.platform.on((call) => {
    services.clock.advance(accounts.costMs(call));
    return undefined;
  });
  const integrationBearer = () => {
    const call = services.platform.calls.find(
      (c) => c.url === `${AUTH_URL}/oauth/token` && c.form.get('grant_type') === 'client_credentials',
    );
    expect(call).toBeDefined();
    const { mock } = services.platform;
    return mock.issuedTokens.filter((t) => mock.identityOf(t)?.kind === 'client').map((token) => `Bearer ${token}`);
  };
  /** The customer of an email, as the platform keeps it (its password as changed or reset). */
  const customer = (email: string) => services.platform.mock.customers.find((c) => c.email === email);
  /** Who a cart belongs to now, as the platform keeps it. */
  const cartOwner = async (cartId: string) =>
    (await services.platform.read<{ customerId?: string }>(`/carts/${cartId}`))?.customerId;
  return { services, accounts, sent, slept, integrationBearer, customer, cartOwner };
}

type Setup = ReturnType<typeof setup>;

async function anonymousWithCart({ services }: Setup, id = 's') {
  const storage = new MemorySessionStorage(id);
  const cartId = await runWithCtpSession(storage, async () => {
    const apiRoot = await services.client.customerApiRoot();
    return (
      await apiRoot
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute()
    ).body.id;
  });
  return { storage, cartId, anonymous: (await storedToken(storage))! };
}

async function signedIn({ services }: Setup, id = 's') {
  const storage = new MemorySessionStorage(id);
  await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
  return { storage, token: (await storedToken(storage))! };
}

function revoked({ services }: Setup): string[] {
  return services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token') ?? '');
}

describe(ShopperSession, () => {
  describe('.signUp', () => {
    describe('when the session is anonymous with a cart', () => {
      it('should create the customer through the integration, sign in, move the cart with the session anonymousId and revoke the anonymous pair', async () => {
        const t = setup();
        const { storage, cartId, anonymous } = await anonymousWithCart(t);
        const token = await runWithCtpSession(storage, () =>
          t.services.session.signUp({
            email: 'dave@example.com',
            password: 'dave-Passw0rd!',
            firstName: 'Dave',
            anonymousId: 'someone-elses-session',
          }),
        );
        const [create] = t.services.platform.calls.filter((c) => c.path === `/${PROJECT}/customers`);
        expect(create).toMatchObject({ url: `${API_URL}/${PROJECT}/customers`, method: 'POST' });
        expect(t.integrationBearer()).toContain(create!.headers['authorization']);
        expect(create!.headers['content-type']).toBe('application/json');
        expect(JSON.parse(create!.body)).toEqual({
          email: 'dave@example.com',
          password: 'dave-Passw0rd!',
          firstName: 'Dave',
        });
        // The cart moves by the backend sign-in after the claim, with the session's anonymous id, whatever the draft says.
        const [login] = t.services.platform.calls.filter((c) => c.path === `/${PROJECT}/login`);
        expect(t.integrationBearer()).toContain(login!.headers['authorization']);
        expect(JSON.parse(login!.body)).toEqual({
          email: 'dave@example.com',
          password: 'dave-Passw0rd!',
          anonymousId: anonymous.anonymousId,
          anonymousCartSignInMode: 'MergeWithExistingCustomerCart',
        });
        const [grant] = t.services.platform.grants('password');
        expect(grant).toMatchObject({ url: `${AUTH_URL}/oauth/${PROJECT}/customers/token`, method: 'POST' });
        expect(grant!.form.get('username')).toBe('dave@example.com');
        expect(grant!.form.get('scope')).toBe(t.services.registry.scopeParameter('customer'));
        expect(token).toMatchObject({ kind: 'customer', customerId: t.customer('dave@example.com')?.id });
        expect(await storedToken(storage)).toEqual(token);
        expect(await t.cartOwner(cartId)).toBe(token.customerId);
        await t.services.session.settled();
        expect(revoked(t)).toEqual(expect.arrayContaining([anonymous.accessToken, anonymous.refreshToken]));
        expect(t.services.logger.text()).not.toContain('dave-Passw0rd!');
      });
    });

    describe('when the email is taken', () => {
      it('should raise CTP_EMAIL_TAKEN without echoing the email, request no token and keep the anonymous session', async () => {
        const t = setup();
        const { storage, anonymous } = await anonymousWithCart(t);
        const error = await runWithCtpSession(storage, () =>
          t.services.session.signUp({ email: ALICE.email, password: 'x-Passw0rd!' }),
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CtpAccountError);
        expect(error).toMatchObject({ code: CtpErrorCode.EmailTaken, status: 400 });
        expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(ALICE.email);
        expect(t.services.platform.grants('password')).toHaveLength(0);
        expect(await storedToken(storage)).toEqual(anonymous);
      });
    });

    describe('when the platform refuses the draft', () => {
      it('should raise CTP_CUSTOMER_DRAFT_INVALID with the field errors, never the password', async () => {
        const t = setup();
        // A password policy of the project (an API extension, say) refusing short ones.
        t.services.platform.on((call) =>
          call.path === `/${PROJECT}/customers` && (JSON.parse(call.body) as { password: string }).password.length < 4
            ? json(
                {
                  statusCode: 400,
                  message: 'The password is too short.',
                  errors: [{ code: 'InvalidJsonInput', message: 'The password is too short.', field: 'password' }],
                },
                400,
              )
            : undefined,
        );
        const { storage } = await anonymousWithCart(t);
        const error = (await runWithCtpSession(storage, () =>
          t.services.session.signUp({ email: 'erin@example.com', password: 'abc' }),
        ).catch((e: unknown) => e)) as CtpAccountError;
        expect(error.code).toBe(CtpErrorCode.CustomerDraftInvalid);
        expect(error.fieldErrors).toEqual([{ code: 'InvalidJsonInput', field: 'password' }]);
      });
    });

    describe('when the session is a customer of a Store', () => {
      it('should refuse a sign-up in another Store with CTP_STORE_MISMATCH and call nothing', async () => {
        const t = setup();
        const storage = new MemorySessionStorage('s');
        await runWithCtpSession(storage, () =>
          t.services.session.login(ALICE.email, ALICE.password, { storeKey: 'store-a' }),
        );
        const calls = t.services.platform.calls.length;
        await expect(
          runWithCtpSession(storage, () =>
            t.services.session.signUp({ email: 'f@example.com', password: 'f-Passw0rd!' }, { storeKey: 'store-b' }),
          ),
        ).rejects.toMatchObject({
          code: CtpErrorCode.StoreMismatch,
        });
        expect(t.services.platform.calls.length).toBe(calls);
      });
    });

    describe('with a storeKey', () => {
      it('should use the in-store customers endpoint and in-store password grant, and remember the Store', async () => {
        const t = setup();
        const { storage, cartId } = await anonymousWithCart(t);
        const token = await runWithCtpSession(storage, () =>
          t.services.session.signUp({ email: 'gina@example.com', password: 'gina-Passw0rd!' }, { storeKey: 'store-a' }),
        );
        expect(
          t.services.platform.calls.some(
            (c) => c.url === `${API_URL}/${PROJECT}/in-store/key=store-a/login` && c.method === 'POST',
          ),
        ).toBe(true);
        expect(await t.cartOwner(cartId)).toBe(token.customerId);
        expect(
          t.services.platform.calls.some(
            (c) => c.url === `${API_URL}/${PROJECT}/in-store/key=store-a/customers` && c.method === 'POST',
          ),
        ).toBe(true);
        const grant = t.services.platform.grants('password')[0]!;
        expect(grant.url).toBe(`${AUTH_URL}/oauth/${PROJECT}/in-store/key=store-a/customers/token`);
        // The Store's variants of the shopper scopes, checked against what was granted.
        expect(grant.form.get('scope')?.split(' ')).toEqual(
          expect.arrayContaining([
            `manage_my_profile:${PROJECT}:store-a`,
            `manage_my_orders:${PROJECT}:store-a`,
            `view_published_products:${PROJECT}`,
          ]),
        );
        expect(grant.form.get('scope')).not.toContain(`manage_my_profile:${PROJECT} `);
        expect(token.storeKey).toBe('store-a');
      });
    });
  });

  describe('.changePassword', () => {
    describe('when a customer is signed in', () => {
      it('should change it in the shopper own name, sign in again with the new password and revoke the old pair', async () => {
        const t = setup();
        const { storage, token: old } = await signedIn(t);
        const fresh = await runWithCtpSession(storage, () =>
          t.services.session.changePassword(ALICE.password, NEW_PASSWORD),
        );
        const me = t.services.platform.calls.find((c) => c.url === `${API_URL}/${PROJECT}/me` && c.method === 'GET');
        const change = t.services.platform.calls.find((c) => c.url === `${API_URL}/${PROJECT}/me/password`);
        expect(me?.headers['authorization']).toBe(`Bearer ${old.accessToken}`);
        expect(change).toMatchObject({ method: 'POST' });
        expect(change!.headers['authorization']).toBe(`Bearer ${old.accessToken}`);
        expect(JSON.parse(change!.body)).toEqual({
          version: 1,
          currentPassword: ALICE.password,
          newPassword: NEW_PASSWORD,
        });
        const grants = t.services.platform.grants('password');
        expect(grants.at(-1)!.form.get('password')).toBe(NEW_PASSWORD);
        expect(fresh).toMatchObject({ kind: 'customer', customerId: 'customer-alice' });
        expect(fresh.refreshToken).not.toBe(old.refreshToken);
        expect(await storedToken(storage)).toEqual(fresh);
        await t.services.session.settled();
        expect(revoked(t)).toEqual(expect.arrayContaining([old.accessToken, old.refreshToken]));
        expect(t.services.logger.text()).not.toContain(NEW_PASSWORD);
      });
    });

    describe('when the platform changed it but the sign-in with the new password fails', () => {
      it('should revoke the old pair, clear the session and raise CTP_PASSWORD_CHANGED_SIGN_IN_AGAIN saying the password WAS changed', async () => {
        const t = setup();
        const { storage: cartSession, cartId } = await anonymousWithCart(t);
        await runWithCtpSession(cartSession, () => t.services.session.login(ALICE.email, ALICE.password));
        const old = (await storedToken(cartSession))!;
        // The auth host fails the grant that follows the change (each retry too).
        let failing = true;
        t.services.platform.on((call) =>
          failing && call.path.endsWith('/customers/token') && call.form.get('password') === NEW_PASSWORD
            ? json({ message: 'upstream down' }, 503)
            : undefined,
        );
        const error = await runWithCtpSession(cartSession, () =>
          t.services.session.changePassword(ALICE.password, NEW_PASSWORD),
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CtpAccountError);
        expect(error).toMatchObject({ code: CtpErrorCode.PasswordChangedSignInAgain, status: 503 });
        expect((error as Error).message).toMatch(/password WAS changed/);
        expect((error as Error).message).toMatch(/[Ss]ign in again with the new password/);
        expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain(NEW_PASSWORD);
        // The change was made, in the shopper's name, with the body the platform takes.
        const change = t.services.platform.calls.find((c) => c.url === `${API_URL}/${PROJECT}/me/password`)!;
        expect(change).toMatchObject({ method: 'POST' });
        expect(change.headers['authorization']).toBe(`Bearer ${old.accessToken}`);
        expect(JSON.parse(change.body)).toEqual({
          version: 1,
          currentPassword: ALICE.password,
          newPassword: NEW_PASSWORD,
        });
        expect(t.customer(ALICE.email)?.password).toBe(NEW_PASSWORD);
        // The grant that failed: the in-project password flow with the new password, as the API client.
        const grant = t.services.platform.grants('password').at(-1)!;
        expect(grant).toMatchObject({ url: `${AUTH_URL}/oauth/${PROJECT}/customers/token`, method: 'POST' });
        expect(grant.headers['authorization']).toMatch(/^Basic /);
        expect(grant.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect([grant.form.get('grant_type'), grant.form.get('username'), grant.form.get('password')]).toEqual([
          'password',
          ALICE.email,
          NEW_PASSWORD,
        ]);
        // No half-written session: cleared, the old pair revoked.
        expect(await storedToken(cartSession)).toBeUndefined();
        await t.services.session.settled();
        const revokes = t.services.platform.callsTo('/oauth/token/revoke');
        expect(revokes.map((c) => c.form.get('token'))).toEqual(
          expect.arrayContaining([old.accessToken, old.refreshToken]),
        );
        expect(revokes.every((c) => c.method === 'POST' && c.headers['authorization']?.startsWith('Basic '))).toBe(
          true,
        );
        expect(t.services.logger.events('ctp.password.changed_sign_in_failed')).toHaveLength(1);
        expect(t.services.logger.text()).not.toContain(NEW_PASSWORD);
        // Signing in again works with the new password only, and the cart is still the customer's.
        failing = false;
        await expect(
          runWithCtpSession(cartSession, () => t.services.session.login(ALICE.email, ALICE.password)),
        ).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
        await expect(
          runWithCtpSession(cartSession, () => t.services.session.login(ALICE.email, NEW_PASSWORD)),
        ).resolves.toMatchObject({ kind: 'customer', customerId: 'customer-alice' });
        expect(await t.cartOwner(cartId)).toBe('customer-alice');
      });
    });

    describe('when the token is inside its renewal margin', () => {
      it('should wait for the refresh and change the password with the fresh token, not the one a background refresh replaces', async () => {
        const t = setup();
        const { storage, token } = await signedIn(t);
        t.services.clock.advance(57 * 60_000); // valid for 3 more minutes: inside the 5-minute margin
        await runWithCtpSession(storage, () => t.services.session.changePassword(ALICE.password, NEW_PASSWORD));
        const calls = t.services.platform.calls;
        const refreshAt = calls.findIndex((c) => c.form.get('grant_type') === 'refresh_token');
        const meAt = calls.findIndex((c) => c.method === 'GET' && c.path.endsWith('/me'));
        expect(refreshAt).toBeGreaterThanOrEqual(0);
        expect(meAt).toBeGreaterThan(refreshAt);
        expect(calls[meAt]!.headers['authorization']).not.toBe(`Bearer ${token.accessToken}`);
      });
    });

    describe('when the profile version moved on', () => {
      it('should retry once with the current version', async () => {
        const t = setup();
        const { storage } = await signedIn(t);
        // Another request updates the profile between this one's read and its change.
        let first = true;
        t.services.platform.on(async (call) => {
          if (call.path.endsWith('/me/password') && first) {
            first = false;
            // That other request, as the platform sees it: a change of the profile (to the same password) first.
            const other = await t.services.platform.mock.fetch(call.url, {
              method: 'POST',
              headers: call.headers,
              body: JSON.stringify({ version: 1, currentPassword: ALICE.password, newPassword: ALICE.password }),
            });
            expect(other.status).toBe(200);
          }
          return undefined;
        });
        await runWithCtpSession(storage, () => t.services.session.changePassword(ALICE.password, NEW_PASSWORD));
        const bodies = t.services.platform.calls
          .filter((c) => c.path.endsWith('/me/password'))
          .map((c) => JSON.parse(c.body).version as number);
        expect(bodies).toEqual([1, 2]);
      });
    });

    describe('when the current password is wrong', () => {
      it('should raise CTP_INVALID_CREDENTIALS, request no token and keep the session', async () => {
        const t = setup();
        const { storage, token } = await signedIn(t);
        const grants = t.services.platform.grants('password').length;
        await expect(
          runWithCtpSession(storage, () => t.services.session.changePassword('wrong-Passw0rd', NEW_PASSWORD)),
        ).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
        expect(t.services.platform.grants('password')).toHaveLength(grants);
        expect(await storedToken(storage)).toEqual(token);
      });
    });

    describe('when the session is anonymous', () => {
      it('should raise CTP_NO_SESSION and call nothing', async () => {
        const t = setup();
        const { storage } = await anonymousWithCart(t);
        const calls = t.services.platform.calls.length;
        await expect(
          runWithCtpSession(storage, () => t.services.session.changePassword(ALICE.password, NEW_PASSWORD)),
        ).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
        expect(t.services.platform.calls.length).toBe(calls);
      });
    });
  });

  describe('.requestPasswordReset', () => {
    describe('when sendToken is not configured', () => {
      it('should raise CTP_CONFIG_INVALID naming the option and call nothing', async () => {
        const t = setup({ noSender: true });
        const error = await t.services.session.requestPasswordReset(ALICE.email).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: CtpErrorCode.ConfigInvalid });
        expect((error as Error).message).toContain('sendToken');
        expect(t.services.platform.calls).toHaveLength(0);
      });
    });

    describe('when the email exists', () => {
      it('should create the token through the integration and hand it only to sendToken', async () => {
        const t = setup();
        const answer = await t.services.session.requestPasswordReset(ALICE.email);
        expect(answer).toBeUndefined();
        const [create] = t.services.platform.calls.filter((c) => c.path === `/${PROJECT}/customers/password-token`);
        expect(create).toMatchObject({ url: `${API_URL}/${PROJECT}/customers/password-token`, method: 'POST' });
        expect(t.integrationBearer()).toContain(create!.headers['authorization']);
        expect(JSON.parse(create!.body)).toEqual({ email: ALICE.email });
        await t.services.session.settled();
        expect(t.sent).toHaveLength(1);
        const [message] = t.sent;
        expect(message).toMatchObject({ kind: 'password-reset', email: ALICE.email, customerId: 'customer-alice' });
        // The token the platform created: it resets alice's password.
        const redeemed = await t.services.platform.backend('POST', '/customers/password/reset', {
          tokenValue: message!.tokenValue,
          newPassword: NEW_PASSWORD,
        });
        expect(redeemed.status).toBe(200);
        // Created before the answer was padded to the 1 000 ms floor.
        expect(t.slept).toEqual([1_000]);
        expect(Date.parse(message!.expiresAt)).toBe(t.services.clock.now() - 1_000 + 24 * HOUR);
        expect(t.services.logger.text()).not.toContain(message!.tokenValue);
      });
    });

    describe('when the email does not exist', () => {
      it('should answer exactly the same, send nothing, and take the same time as for an existing email', async () => {
        const t = setup();
        // The platform's lookup of an existing account is made slower than of an unknown one.
        t.accounts.costMs = (call) =>
          call.path.endsWith('/password-token') ? (call.body.includes(ALICE.email) ? 180 : 20) : 0;
        const timed = async (email: string) => {
          const start = t.services.clock.now();
          const answer = await t.services.session.requestPasswordReset(email);
          return { answer, ms: t.services.clock.now() - start };
        };
        const known = await timed(ALICE.email);
        const unknown = await timed('nobody@example.com');
        await t.services.session.settled();
        expect(unknown.answer).toEqual(known.answer);
        expect(t.sent.map((m) => m.email)).toEqual([ALICE.email]);
        // The floor (1 000 ms by default) hides the 160 ms the lookup differs by.
        expect(known.ms).toBe(1_000);
        expect(Math.abs(unknown.ms - known.ms)).toBeLessThanOrEqual(1);
      });
    });

    describe('when the sender is slow or fails', () => {
      it('should answer at the floor anyway and log the failure without the token or the email', async () => {
        const t = setup({
          sendToken: async () => {
            throw new Error('smtp down for password-token-x alice@example.com');
          },
        });
        const start = t.services.clock.now();
        await t.services.session.requestPasswordReset(ALICE.email);
        expect(t.services.clock.now() - start).toBe(1_000);
        await t.services.session.settled();
        expect(t.services.logger.events('ctp.token.send_failed')).toHaveLength(1);
        expect(t.services.logger.text()).not.toContain(ALICE.email);
        expect(t.services.logger.text()).not.toContain('password-token-');
      });
    });
  });

  describe('.resetPassword', () => {
    describe('with a valid token', () => {
      it('should reset through the integration, end this customer session now and every other at its next refresh', async () => {
        const t = setup();
        const mine = await signedIn(t, 'mine');
        const other = await signedIn(t, 'other');
        await t.services.session.requestPasswordReset(ALICE.email);
        await t.services.session.settled();
        const tokenValue = t.sent[0]!.tokenValue;
        await runWithCtpSession(mine.storage, () => t.services.session.resetPassword(tokenValue, NEW_PASSWORD));
        const reset = t.services.platform.calls.find((c) => c.path === `/${PROJECT}/customers/password/reset`);
        expect(reset).toMatchObject({ url: `${API_URL}/${PROJECT}/customers/password/reset`, method: 'POST' });
        expect(t.integrationBearer()).toContain(reset!.headers['authorization']);
        expect(JSON.parse(reset!.body)).toEqual({ tokenValue, newPassword: NEW_PASSWORD });
        expect(await storedToken(mine.storage)).toBeUndefined();
        t.services.clock.advance(HOUR);
        await expect(runWithCtpSession(other.storage, () => t.services.client.customerApiRoot())).rejects.toMatchObject(
          { code: CtpErrorCode.SessionExpired },
        );
        expect(t.customer(ALICE.email)?.password).toBe(NEW_PASSWORD);
      });
    });

    describe('with a used or expired token', () => {
      it('should raise CTP_ACCOUNT_TOKEN_INVALID without the token in the error', async () => {
        const t = setup();
        await t.services.session.requestPasswordReset(ALICE.email);
        await t.services.session.settled();
        const used = t.sent[0]!.tokenValue;
        await t.services.session.resetPassword(used, NEW_PASSWORD);
        // A reset invalidates every token issued before it (the platform's rule): the expiring one is asked for after.
        await t.services.session.requestPasswordReset(ALICE.email);
        await t.services.session.settled();
        const expiring = t.sent[1]!.tokenValue;
        const again = await t.services.session.resetPassword(used, 'other-Passw0rd!').catch((e: unknown) => e);
        expect(again).toMatchObject({ code: CtpErrorCode.AccountTokenInvalid, status: 404 });
        t.services.clock.advance(25 * HOUR);
        const late = await t.services.session.resetPassword(expiring, 'other-Passw0rd!').catch((e: unknown) => e);
        expect(late).toMatchObject({ code: CtpErrorCode.AccountTokenInvalid, status: 400 });
        for (const error of [again, late])
          expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toMatch(/password-token|Passw0rd/);
      });
    });
  });

  describe('.requestEmailVerification', () => {
    describe('when a customer is signed in', () => {
      it('should create the token for the session customer and hand it to sendToken', async () => {
        const t = setup();
        const { storage } = await signedIn(t);
        await runWithCtpSession(storage, () => t.services.session.requestEmailVerification());
        const create = t.services.platform.calls.find((c) => c.path === `/${PROJECT}/customers/email-token`);
        expect(create).toMatchObject({ url: `${API_URL}/${PROJECT}/customers/email-token`, method: 'POST' });
        expect(t.integrationBearer()).toContain(create!.headers['authorization']);
        expect(JSON.parse(create!.body)).toEqual({ id: 'customer-alice', ttlMinutes: 1440 });
        expect(t.sent).toEqual([
          expect.objectContaining({ kind: 'email-verification', email: ALICE.email, customerId: 'customer-alice' }),
        ]);
      });
    });

    describe('when the session is anonymous', () => {
      it('should raise CTP_NO_SESSION', async () => {
        const t = setup();
        const { storage } = await anonymousWithCart(t);
        await expect(
          runWithCtpSession(storage, () => t.services.session.requestEmailVerification()),
        ).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
      });
    });

    describe('when the sender fails', () => {
      it('should raise CTP_TOKEN_SEND_FAILED with a fixed message', async () => {
        const t = setup({ sendToken: async (m) => Promise.reject(new Error(`cannot send ${m.tokenValue}`)) });
        const { storage } = await signedIn(t);
        const error = await runWithCtpSession(storage, () => t.services.session.requestEmailVerification()).catch(
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: CtpErrorCode.TokenSendFailed });
        expect((error as Error).message).not.toContain('email-token');
        expect((error as Error).cause).toBeUndefined();
      });
    });
  });

  describe('.confirmEmail', () => {
    describe('with the sent token', () => {
      it('should confirm once; a second use is CTP_ACCOUNT_TOKEN_INVALID', async () => {
        const t = setup();
        const { storage } = await signedIn(t);
        await runWithCtpSession(storage, () => t.services.session.requestEmailVerification());
        const tokenValue = t.sent[0]!.tokenValue;
        await t.services.session.confirmEmail(tokenValue);
        const confirm = t.services.platform.calls.find((c) => c.path === `/${PROJECT}/customers/email/confirm`);
        expect(confirm).toMatchObject({ url: `${API_URL}/${PROJECT}/customers/email/confirm`, method: 'POST' });
        expect(JSON.parse(confirm!.body)).toEqual({ tokenValue });
        expect(t.services.platform.mock.isEmailVerified('customer-alice')).toBe(true);
        await expect(t.services.session.confirmEmail(tokenValue)).rejects.toMatchObject({
          code: CtpErrorCode.AccountTokenInvalid,
        });
      });
    });
  });

  describe('when an argument is malformed', () => {
    it('should raise CTP_INVALID_ARGUMENT naming it, never repeating it, and call nothing', async () => {
      const t = setup();
      const { storage } = await anonymousWithCart(t);
      const calls = t.services.platform.calls.length;
      const cases: [() => Promise<unknown>, string][] = [
        [() => t.services.session.signUp({ email: 'not-an-email', password: 'x-Passw0rd!' }), 'email'],
        [() => t.services.session.signUp({ email: 'a@example.com', password: '' }), 'password'],
        [
          () => t.services.session.signUp({ email: 'a@example.com', password: 'x-Passw0rd!' }, { storeKey: '../x' }),
          'storeKey',
        ],
        [() => t.services.session.changePassword('', NEW_PASSWORD), 'currentPassword'],
        [() => t.services.session.requestPasswordReset('nobody at example'), 'email'],
        [() => t.services.session.resetPassword('tok with spaces SECRET', NEW_PASSWORD), 'tokenValue'],
        [() => t.services.session.resetPassword('token-SECRET', 'x'.repeat(2_000)), 'newPassword'],
        [() => t.services.session.confirmEmail(42 as unknown as string), 'tokenValue'],
      ];
      for (const [call, argument] of cases) {
        const error = await runWithCtpSession(storage, call).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument });
        expect((error as Error).message).not.toMatch(/SECRET|not-an-email|nobody at/);
      }
      expect(t.services.platform.calls.length).toBe(calls);
      expect(t.slept).toEqual([]);
    });
  });
});
