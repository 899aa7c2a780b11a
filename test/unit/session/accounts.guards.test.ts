import { describe, expect, it } from 'vitest';
import { CtpArgumentError } from '../../../src/errors/CtpArgumentError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpTokenMessage } from '../../../src/session/account/CustomerDraft';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import type { CustomerDraft } from '../../../src';
import { json, PROJECT } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };
const NEW_PASSWORD = 'brand-NEW-passw0rd!';

/** The account operations' own guards and logs, over the mock platform (accounts.test.ts has the journeys). */
function setup() {
  const sent: CtpTokenMessage[] = [];
  const slept: number[] = [];
  const services: ReturnType<typeof createTestServices> = createTestServices({
    sendToken: async (message: CtpTokenMessage) => void sent.push(message),
    sleep: async (ms) => {
      slept.push(ms);
      services.clock.advance(ms);
    },
  });
  return { services, sent, slept, session: services.session };
}

async function signedIn(t: ReturnType<typeof setup>, id: string, storeKey?: string) {
  const storage = new MemorySessionStorage(id);
  await runWithCtpSession(storage, () =>
    t.session.login(ALICE.email, ALICE.password, storeKey === undefined ? {} : { storeKey }),
  );
  return storage;
}

describe('account operations guards', () => {
  it.each([null, 'alice@example.com', 42])(
    'should refuse a sign-up draft %j that is no object, calling nothing',
    async (draft) => {
      const t = setup();
      const error = await runWithCtpSession(new MemorySessionStorage('s'), () =>
        t.session.signUp(draft as unknown as CustomerDraft),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpArgumentError);
      expect(error).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument: 'draft' });
      expect(t.services.platform.calls).toHaveLength(0);
    },
  );

  it('should log a sign-up from an empty session as not merged, and one in a Store as such', async () => {
    const t = setup();
    const storage = new MemorySessionStorage('s');
    await runWithCtpSession(storage, () =>
      t.session.signUp({ email: 'dave@example.com', password: 'dave-Passw0rd!' }, { storeKey: 'store-a' }),
    );
    expect(t.services.logger.events('ctp.signup')).toEqual([{ event: 'ctp.signup', merged: false, store: true }]);
    const anonymous = new MemorySessionStorage('a');
    await runWithCtpSession(anonymous, async () => {
      await t.session.ensureAnonymous();
      await t.session.signUp({ email: 'erin@example.com', password: 'erin-Passw0rd!' });
    });
    expect(t.services.logger.events('ctp.signup')[1]).toEqual({ event: 'ctp.signup', merged: true, store: false });
  });

  it('should log each account operation by its event, with whether it ran in a Store', async () => {
    const t = setup();
    const global = await signedIn(t, 'g');
    await runWithCtpSession(global, () => t.session.changePassword(ALICE.password, NEW_PASSWORD));
    expect(t.services.logger.events('ctp.password.changed')).toEqual([{ event: 'ctp.password.changed', store: false }]);
    await t.session.requestPasswordReset(ALICE.email);
    expect(t.services.logger.events('ctp.password.reset_requested')).toHaveLength(1);
    await t.session.settled();
    await t.session.resetPassword(t.sent[0]!.tokenValue, ALICE.password);
    expect(t.services.logger.events('ctp.password.reset')).toEqual([{ event: 'ctp.password.reset', store: false }]);
    const again = await signedIn(t, 'again');
    await runWithCtpSession(again, () => t.session.requestEmailVerification());
    expect(t.services.logger.events('ctp.email.verification_requested')).toHaveLength(1);
    await t.session.confirmEmail(t.sent[1]!.tokenValue);
    expect(t.services.logger.events('ctp.email.confirmed')).toHaveLength(1);
  });

  it('should log a password change and a reset in a Store as such', async () => {
    const t = setup();
    const storage = new MemorySessionStorage('s');
    const gina = { email: 'gina@example.com', password: 'gina-Passw0rd!' };
    await runWithCtpSession(storage, () => t.session.signUp(gina, { storeKey: 'store-a' }));
    await runWithCtpSession(storage, () => t.session.changePassword(gina.password, NEW_PASSWORD));
    expect(t.services.logger.events('ctp.password.changed')).toEqual([{ event: 'ctp.password.changed', store: true }]);
    await runWithCtpSession(storage, () => t.session.requestPasswordReset(gina.email));
    await t.session.settled();
    await runWithCtpSession(storage, () => t.session.resetPassword(t.sent[0]!.tokenValue, gina.password));
    expect(t.services.logger.events('ctp.password.reset')).toEqual([{ event: 'ctp.password.reset', store: true }]);
  });

  it('should keep the sessions of other customers and anonymous shoppers when a password is reset', async () => {
    const t = setup();
    const anonymous = new MemorySessionStorage('anon');
    await runWithCtpSession(anonymous, () => t.session.ensureAnonymous());
    const bob = new MemorySessionStorage('bob');
    await runWithCtpSession(bob, () => t.session.signUp({ email: 'bob@example.com', password: 'bob-Passw0rd!' }));
    const kept = [await storedToken(anonymous), await storedToken(bob)];
    await t.session.requestPasswordReset(ALICE.email);
    await t.session.settled();
    await runWithCtpSession(anonymous, () => t.session.resetPassword(t.sent[0]!.tokenValue, NEW_PASSWORD));
    await t.session.requestPasswordReset(ALICE.email);
    await t.session.settled();
    await runWithCtpSession(bob, () => t.session.resetPassword(t.sent[1]!.tokenValue, ALICE.password));
    expect([await storedToken(anonymous), await storedToken(bob)]).toEqual(kept);
  });

  it('should answer CTP_NO_SESSION to an email verification of an empty session, calling nothing', async () => {
    const t = setup();
    await expect(
      runWithCtpSession(new MemorySessionStorage('empty'), () => t.session.requestEmailVerification()),
    ).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
    expect(t.services.platform.calls).toHaveLength(0);
  });

  it('should not pad a reset request that took exactly its floor, and log it as slow', async () => {
    const t = setup();
    t.services.platform.on((call) => {
      if (call.path.endsWith('/password-token')) t.services.clock.advance(1_000);
      return undefined;
    });
    await t.session.requestPasswordReset(ALICE.email);
    expect(t.slept).toEqual([]);
    expect(t.services.logger.events('ctp.password.reset_slow')).toEqual([
      { event: 'ctp.password.reset_slow', elapsedMs: 1_000, floorMs: 1_000 },
    ]);
  });

  it('should pass on a failure of the password change that is no 401, even when the session changed meanwhile', async () => {
    const t = setup();
    const storage = await signedIn(t, 's');
    t.services.platform.on((call) => {
      if (call.path !== `/${PROJECT}/me/password`) return undefined;
      return storage
        .get()
        .then((held) => storage.compareAndSet(held, undefined))
        .then(() => json({ statusCode: 500, message: 'down', errors: [{ code: 'General' }] }, 500));
    });
    const error = await runWithCtpSession(storage, () => t.session.changePassword(ALICE.password, NEW_PASSWORD)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 500 });
    expect(error).not.toMatchObject({ code: CtpErrorCode.SessionChanged });
  });

  describe('when the password change is refused with 401', () => {
    const refuse401 = (t: ReturnType<typeof setup>, meanwhile: () => Promise<unknown> = async () => undefined) =>
      t.services.platform.on((call) =>
        call.path === `/${PROJECT}/me/password`
          ? meanwhile().then(() => json({ statusCode: 401, errors: [{ code: 'invalid_token' }] }, 401))
          : undefined,
      );

    it('should pass the refusal on when the session still holds that token', async () => {
      const t = setup();
      const storage = await signedIn(t, 's');
      refuse401(t);
      const error = await runWithCtpSession(storage, () =>
        t.session.changePassword(ALICE.password, NEW_PASSWORD),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 401 });
      expect(error).not.toMatchObject({ code: CtpErrorCode.SessionChanged });
    });

    it('should say the session changed when it was signed out meanwhile', async () => {
      const t = setup();
      const storage = await signedIn(t, 's');
      refuse401(t, () => storage.get().then((held) => storage.compareAndSet(held, undefined)));
      await expect(
        runWithCtpSession(storage, () => t.session.changePassword(ALICE.password, NEW_PASSWORD)),
      ).rejects.toMatchObject({ code: CtpErrorCode.SessionChanged });
    });
  });

  it('should still revoke the old pair when the session cannot be cleared after a password change whose sign-in failed', async () => {
    const t = setup();
    class FailingStorage extends MemorySessionStorage {
      failing = false;
      override async compareAndSet(...args: Parameters<MemorySessionStorage['compareAndSet']>): Promise<boolean> {
        if (this.failing) throw new Error('storage down');
        return super.compareAndSet(...args);
      }
    }
    const storage = new FailingStorage('s');
    await runWithCtpSession(storage, () => t.session.login(ALICE.email, ALICE.password));
    const old = (await storedToken(storage))!;
    t.services.platform.on((call) => {
      if (!call.path.endsWith('/customers/token') || call.form.get('password') !== NEW_PASSWORD) return undefined;
      storage.failing = true;
      return json({ message: 'upstream down' }, 503);
    });
    await expect(
      runWithCtpSession(storage, () => t.session.changePassword(ALICE.password, NEW_PASSWORD)),
    ).rejects.toMatchObject({ code: CtpErrorCode.PasswordChangedSignInAgain });
    await t.session.settled();
    const revoked = t.services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
    expect(revoked).toEqual(expect.arrayContaining([old.accessToken, old.refreshToken]));
    expect(t.services.logger.events('ctp.session.clear_failed')).toEqual([
      { event: 'ctp.session.clear_failed', code: expect.stringMatching(/^CTP_/) },
    ]);
  });

  it('should make settled() wait for a reset token still on its way to the sender', async () => {
    let deliver!: () => void;
    const sent: string[] = [];
    const t = createTestServices({
      sendToken: (message) =>
        new Promise<void>((resolve) => {
          deliver = () => {
            sent.push(message.email);
            resolve();
          };
        }),
    });
    await t.session.requestPasswordReset(ALICE.email);
    let settled = false;
    const waiting = t.session.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    deliver();
    await waiting;
    expect(sent).toEqual([ALICE.email]);
  });
});
