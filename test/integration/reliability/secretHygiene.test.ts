import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, STRICT_CLIENT, type StrictHarness } from '../../support/strict/createStrictHarness';

const HOUR = 3_600_000;
let h: StrictHarness;

afterEach(async () => {
  await h?.stop();
});

/** Every way an app might print an error. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [String(e?.message), String(error), JSON.stringify(error) ?? '', inspect(error, { depth: 8 }), String(e?.stack)];
}

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
      await capture(async () => (await h.client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR' } }).execute());
      await capture(() => h.session.login(h.customer.email, wrongPassword));
      await capture(() => h.session.login(h.customer.email, h.customer.password));
      await capture(async () => (await h.client.customerApiRoot()).me().get().execute());
      // A 401 on an API call, recovered.
      h.server.revokeAccessToken((await storage.get())!.accessToken);
      await capture(async () => (await h.client.customerApiRoot()).me().get().execute());
      // Faults on the auth host during a refresh, one after another.
      for (const fault of [
        { kind: 'html502' as const },
        { kind: 'truncated' as const },
        { kind: 'reset' as const },
        // A server that echoes the client secret back in its error description.
        { kind: 'status' as const, status: 400, body: JSON.stringify({ error: 'invalid_request', error_description: `echo ${STRICT_CLIENT.secret}` }) },
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
        runWithCtpSession({ get: async () => undefined, set: () => Promise.reject(new Error('store down')), clear: async () => undefined }, () => h.session.login(h.customer.email, h.customer.password)),
      );
    });

    expect(errors.length).toBeGreaterThanOrEqual(7);
    const secrets = [...h.server.issuedSecrets, STRICT_CLIENT.secret, h.customer.password, wrongPassword];
    expect(h.server.issuedSecrets.length).toBeGreaterThan(5);
    const texts = [h.logger.text(), ...errors.flatMap(renderings)];
    for (const text of texts) {
      for (const secret of secrets) expect(text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`).toBe(false);
    }
  });
});
