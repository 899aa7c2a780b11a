import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { basicAuthorization } from '../../../src/auth/basicAuthorization';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, STRICT_CLIENT, type StrictHarness } from '../../support/strict/createStrictHarness';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
let h: StrictHarness;

afterEach(async () => {
  await h?.stop();
});

/** Every way an app might print an error. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    String(e?.message),
    String(error),
    JSON.stringify(error) ?? '',
    inspect(error, { depth: 8 }),
    inspect(error, { showHidden: true, depth: null }),
    String(e?.stack),
  ];
}

/** Every form a secret may be echoed in. */
const forms = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  new URLSearchParams({ v: secret }).toString().slice(2),
];

describe('secret hygiene', () => {
  it('should put no token, secret or password in any log line or error, faults included', async () => {
    h = await createStrictHarness({ retry: { maxRetries: 1 } });
    const errors: unknown[] = [];
    const capture = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    const storage = new MemorySessionStorage('s');
    const wrongPassword = 'Wrong-Pa55word-xyz';

    await runWithCtpSession(storage, async () => {
      await capture(() => h.client.integrationApiRoot());
      await capture(() => h.client.guestApiRoot());
      await capture(async () =>
        (await h.client.customerApiRoot())
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      );
      await capture(() => h.session.login(h.customer.email, wrongPassword));
      await capture(() => h.session.login(h.customer.email, h.customer.password));
      await capture(async () => (await h.client.customerApiRoot()).me().get().execute());
      // A 401 on an API call, recovered.
      h.server.revokeAccessToken((await storedToken(storage))!.accessToken);
      await capture(async () => (await h.client.customerApiRoot()).me().get().execute());
      // Faults on the auth host during a refresh, one after another.
      for (const fault of [
        { kind: 'html502' as const },
        { kind: 'truncated' as const },
        { kind: 'reset' as const },
        // A server that echoes the client secret back in its error description.
        {
          kind: 'status' as const,
          status: 400,
          body: JSON.stringify({ error: 'invalid_request', error_description: `echo ${STRICT_CLIENT.secret}` }),
        },
      ]) {
        h.clock.advance(HOUR);
        h.server.authFaults.push(fault, fault);
        await capture(() => h.client.customerApiRoot());
      }
      // A refused refresh (password reset), then an expired session.
      h.server.revokeCustomerTokens(h.customer.id);
      h.clock.advance(2 * HOUR);
      await capture(() => h.client.customerApiRoot());
      await capture(() => h.session.login(h.customer.email, h.customer.password));
      await capture(() => h.session.logout());
      // A failing store.
      await capture(() =>
        runWithCtpSession(
          {
            get: async () => undefined,
            set: () => Promise.reject(new Error('store down')),
            clear: async () => undefined,
          },
          () => h.session.login(h.customer.email, h.customer.password),
        ),
      );
    });

    expect(errors.length).toBeGreaterThanOrEqual(7);
    const secrets = [...h.server.issuedSecrets, STRICT_CLIENT.secret, h.customer.password, wrongPassword];
    expect(h.server.issuedSecrets.length).toBeGreaterThan(5);
    const texts = [h.logger.text(), ...errors.flatMap(renderings)];
    for (const text of texts) {
      for (const secret of secrets)
        expect(text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`).toBe(false);
    }
  });

  it('should redact a 3-character password and the client secret in every encoded form, with hidden properties shown', async () => {
    h = await createStrictHarness({ retry: { maxRetries: 0 } });
    const short = 'q!z';
    h.server.addCustomer('short@example.com', short);
    const basic = basicAuthorization(STRICT_CLIENT.id, STRICT_CLIENT.secret).slice('Basic '.length);
    const clientForms = [...forms(STRICT_CLIENT.secret), basic, encodeURIComponent(basic)];
    // Each flow's answer echoes what that request sent: the password grant also the password.
    const echo = (values: string[]) => {
      const echoed = values.join(' | ');
      return {
        kind: 'status' as const,
        status: 400,
        body: JSON.stringify({ error: `invalid_request ${echoed}`, error_description: echoed, message: echoed }),
      };
    };
    h.server.failFlow('password', echo([...forms(short), ...clientForms]));
    h.server.failFlow('client_credentials', echo(clientForms));
    const errors: unknown[] = [];
    errors.push(
      await runWithCtpSession(new MemorySessionStorage('s'), () => h.session.login('short@example.com', short)).catch(
        (e: unknown) => e,
      ),
    );
    errors.push(await h.client.integrationApiRoot().catch((e: unknown) => e));
    expect(errors.every((e) => (e as { code?: string }).code === 'CTP_AUTH_REJECTED')).toBe(true);
    const secrets = [...forms(short), ...forms(STRICT_CLIENT.secret), basic];
    for (const text of [...errors.flatMap(renderings), h.logger.text()]) {
      for (const secret of secrets)
        expect(text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`).toBe(false);
    }
    expect((errors[0] as { errorDescription: string }).errorDescription).toContain('[redacted]');
  });

  it('should print no client secret from the config in any rendering, spread copies included', async () => {
    h = await createStrictHarness();
    const copy = { ...h.config, apiUrl: 'https://api.example.com' };
    const texts = [
      JSON.stringify(h.config),
      JSON.stringify(copy),
      inspect(h.config, { showHidden: true, depth: null }),
      inspect(copy, { showHidden: true, depth: null, customInspect: false }),
      `${String(copy.clientSecret)}`,
    ];
    for (const text of texts) expect(text).not.toContain(STRICT_CLIENT.secret);
    // The spread copy still carries the secret: it did not silently drop it.
    expect(copy.clientSecret.reveal()).toBe(STRICT_CLIENT.secret);
  });
});
