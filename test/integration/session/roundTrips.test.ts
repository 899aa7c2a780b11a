import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { answerGate, turn } from '../../support/strict/answerGate';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';
import { storedToken } from '../../support/session/storedToken';

let h: StrictHarness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Settles a flag when `work` settles, to ask "has it answered yet?" between rounds. */
function watch<T>(work: Promise<T>) {
  const state = { done: false };
  void work.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

// Every answer of the auth host and the API waits at a gate the test opens one round at a time:
// the number of rounds released before a call answers is the number of sequential round trips it
// waited for. revokeWaitMs is far beyond the test's timeout, so waiting for a revocation would show
// as a call still pending, not as a call answered after the bound.
describe("round trips on the shopper's path, against the strict server with gated answers", () => {
  it('should sign in from an anonymous session after 2 rounds (grant with the integration token beside it, then the backend sign-in), revoking the anonymous pair after answering', async () => {
    const gate = answerGate();
    h = await createStrictHarness({ fetch: gate.fetch, revokeWaitMs: 600_000 });
    const storage = new MemorySessionStorage('round-trips');
    const anonymous = await runWithCtpSession(storage, () => h!.session.ensureAnonymous());
    gate.close();

    const login = runWithCtpSession(storage, () => h!.session.login(h!.customer.email, h!.customer.password));
    const answered = watch(login);
    // Round 1: the password grant, and the integration token the backend sign-in needs (none cached yet), in parallel.
    expect(await gate.arrived(2)).toEqual(['grant client_credentials', 'grant password']);
    await turn();
    expect(gate.held()).toHaveLength(2);
    expect(answered.done).toBe(false);
    gate.release();
    // Round 2: the backend sign-in that moves the anonymous cart.
    expect(await gate.arrived(1)).toEqual([`POST /${h.server.projectKey}/login`]);
    await turn();
    expect(answered.done).toBe(false);
    gate.release();
    // Answered with the revocations still held at the gate, not after them.
    const first = await Promise.race([
      login.then(() => 'answered'),
      gate.arrived(2).then(async () => {
        await turn();
        return answered.done ? 'answered' : 'waits for the revocations';
      }),
    ]);
    expect(first).toBe('answered');
    const customer = await login;
    expect(customer.customerId).toBe(h.customer.id);
    expect((await storedToken(storage))?.customerId).toBe(h.customer.id);

    // After the answer: the anonymous pair's revocations, in parallel, tracked until settled.
    expect(await gate.arrived(2)).toEqual(['revoke access_token', 'revoke refresh_token']);
    gate.open();
    await h.session.settled();
    expect(h.server.accessTokens.has(anonymous.accessToken)).toBe(false);
    expect(h.server.refreshTokens.has(anonymous.refreshToken)).toBe(false);
    expect(h.server.grants).toMatchObject({ password: 1, client_credentials: 1, revoke: 2 });
  });

  it('should sign in after 2 rounds when the integration token is cached: the grant alone, then the backend sign-in', async () => {
    const gate = answerGate();
    h = await createStrictHarness({ fetch: gate.fetch, revokeWaitMs: 600_000 });
    // Another shopper's sign-in caches the integration token.
    await runWithCtpSession(new MemorySessionStorage('earlier-shopper'), async () => {
      await h!.session.ensureAnonymous();
      await h!.session.login(h!.customer.email, h!.customer.password);
    });
    const storage = new MemorySessionStorage('round-trips-warm');
    await runWithCtpSession(storage, () => h!.session.ensureAnonymous());
    gate.close();

    const login = runWithCtpSession(storage, () => h!.session.login(h!.customer.email, h!.customer.password));
    const answered = watch(login);
    expect(await gate.arrived(1)).toEqual(['grant password']);
    await turn();
    expect(gate.release()).toEqual(['grant password']);
    expect(await gate.arrived(1)).toEqual([`POST /${h.server.projectKey}/login`]);
    await turn();
    expect(answered.done).toBe(false);
    gate.release();
    await login;
    gate.open();
    await h.session.settled();
  });

  it('should sign out after 1 round: the access and refresh token revoked in parallel, neither answering afterwards', async () => {
    const gate = answerGate();
    h = await createStrictHarness({ fetch: gate.fetch, revokeWaitMs: 600_000 });
    const storage = new MemorySessionStorage('round-trips-out');
    const customer = await runWithCtpSession(storage, () => h!.session.login(h!.customer.email, h!.customer.password));
    gate.close();

    const logout = runWithCtpSession(storage, () => h!.session.logout());
    const answered = watch(logout);
    expect(await gate.arrived(2)).toEqual(['revoke access_token', 'revoke refresh_token']);
    await turn();
    // Issue 10: logout resolves only once no token of the session answers the API.
    expect(answered.done).toBe(false);
    gate.release();
    await logout;
    expect(gate.held()).toEqual([]);
    expect(await storedToken(storage)).toBeUndefined();
    expect(h.server.accessTokens.has(customer.accessToken)).toBe(false);
    expect(h.server.refreshTokens.has(customer.refreshToken)).toBe(false);
    gate.open();
  });
});
