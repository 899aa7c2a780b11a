import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { MAX_ID_LENGTH } from '../../../src/auth/storedTokenProblem';
import { MAX_EXPIRES_IN_SECONDS } from '../../../src/auth/tokenSyntax';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { ExternalRefresh } from '../../../src/session/ExternalRefresh';
import { ExternalSignIn, type ExternalLoginOptions } from '../../../src/session/ExternalSignIn';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionTokens } from '../../../src/session/SessionTokens';
import { CapturingLogger } from '../../support/createTestServices';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 7, 12);

/** An anonymous session as CustomerSignIn leaves it (format 1: the full token). */
function anonymousToken(anonymousId: string, storeKey?: string): CtpAuthToken {
  return {
    kind: 'anonymous',
    accessToken: 'anon.access-1',
    refreshToken: 'anon.refresh-1',
    issuedAt: START - HOUR,
    expiresAt: START + HOUR,
    scopes: ['manage_my_orders:p'],
    anonymousId,
    ...(storeKey === undefined ? {} : { storeKey }),
  };
}

/** ExternalSignIn over the real SessionTokens and door, with what it asks of the platform recorded. */
function setup(options: { externalRefresh?: ExternalRefresh; stored?: CtpAuthToken } = {}) {
  let now = START;
  const logger = new CapturingLogger();
  const revoked: string[] = [];
  const prepared: number[] = [];
  const merged: unknown[] = [];
  const refreshed: string[] = [];
  const tokens = new SessionTokens({ revoke: async (t) => void revoked.push(t) }, logger, 1_000, 1_000);
  let storage = new MemorySessionStorage('s-1', options.stored);
  const external = new ExternalSignIn({
    tokens,
    storage: () => storage,
    signIn: {
      prepare: async () => void prepared.push(now),
      mergeCart: async (request) => void merged.push(request),
    },
    issuer: {
      refresh: async (t: CtpAuthToken) => {
        refreshed.push(t.accessToken);
        return { ...t, accessToken: `${t.accessToken}-renewed` };
      },
      registry: { scopes: () => ['manage_my_orders:p'] },
    },
    clock: { now: () => now },
    logger,
    externalRefresh: options.externalRefresh,
  });
  const login = (token: string, extra: Partial<ExternalLoginOptions> = {}) =>
    external.login(token, { customerId: 'c-1', expiresAt: new Date(now + HOUR), ...extra });
  return {
    external,
    login,
    logger,
    revoked,
    prepared,
    merged,
    refreshed,
    storage: () => storage,
    /** The next sign-ins go to another shopper's session. */
    switchSession: (id: string) => (storage = new MemorySessionStorage(id)),
    read: () => tokens.read(storage),
    now: () => now,
    advance: (ms: number) => (now += ms),
  };
}

const signInLogs = (logger: CapturingLogger) =>
  logger.lines.filter((l) => (l.obj as { event?: string }).event === 'ctp.login_external').map((l) => l.obj);

describe('loginExternal guards', () => {
  it('should warm the backend sign-in only when an anonymous session will be merged', async () => {
    const empty = setup();
    await empty.login('provider.token-1');
    expect(empty.prepared).toEqual([]);
    // A shopper signed in already (here: at the provider) has no cart to merge.
    await empty.login('provider.token-2');
    expect(empty.prepared).toEqual([]);

    const anonymous = setup({ stored: anonymousToken('anon-1') });
    await anonymous.login('provider.token-1');
    expect(anonymous.prepared).toHaveLength(1);
  });

  it('should merge the anonymous cart, revoke the anonymous pair and log what the sign-in did', async () => {
    const w = setup({ stored: anonymousToken('anon-1') });
    await w.login('provider.token-1', { anonymousCartSignInMode: 'UseAsNewActiveCustomerCart' });
    expect(w.merged).toEqual([
      { customerId: 'c-1', anonymousId: 'anon-1', mergeMode: 'UseAsNewActiveCustomerCart', storeKey: undefined },
    ]);
    expect(signInLogs(w.logger)).toEqual([{ event: 'ctp.login_external', merged: true, store: false }]);
    // The anonymous pair is revoked; the provider's token never is.
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.revoked.sort()).toEqual(['anon.access-1', 'anon.refresh-1']);
  });

  it('should sign in to the Store of the session, and answer exactly the session it stored', async () => {
    const w = setup({ stored: anonymousToken('anon-1', 'berlin') });
    const signedIn = await w.login('provider.token-1');
    expect(signedIn.storeKey).toBe('berlin');
    expect(w.merged).toEqual([
      { customerId: 'c-1', anonymousId: 'anon-1', mergeMode: 'MergeWithExistingCustomerCart', storeKey: 'berlin' },
    ]);
    expect(signInLogs(w.logger)).toEqual([{ event: 'ctp.login_external', merged: true, store: true }]);
    expect(await w.read()).toStrictEqual(signedIn);

    // Without a Store, the answer carries no storeKey at all (as the stored session reads back).
    const plain = setup();
    const token = await plain.login('provider.token-1');
    expect(Object.keys(token)).not.toContain('storeKey');
    expect(await plain.read()).toStrictEqual(token);
    expect(signInLogs(plain.logger)).toEqual([{ event: 'ctp.login_external', merged: false, store: false }]);
  });

  it('should answer the session of a concurrent sign-in of the same customer that finished first, revoking nothing', async () => {
    const w = setup();
    const calls: string[] = [];
    const [first, second] = await Promise.all([
      w.login('provider.token-1', { refresh: async () => void calls.push('first') }),
      w.login('provider.token-2', { refresh: async () => void calls.push('second') }),
    ]);
    const stored = await w.read();
    expect(stored).toMatchObject({ accessToken: 'provider.token-1', external: true });
    expect(first).toEqual(stored);
    expect(second).toEqual(stored);
    expect(signInLogs(w.logger)).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.revoked).toEqual([]);
    // The session that stayed renews with its own refresh.
    w.advance(2 * HOUR);
    await expect(w.external.refresher().refresh(stored!)).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
    expect(calls).toEqual(['first']);
  });

  it('should drop the refresh of an external session a new sign-in replaced, and never call it again', async () => {
    const w = setup();
    const calls: string[] = [];
    const first = await w.login('provider.token-1', { refresh: async () => void calls.push('first') });
    const second = await w.login('provider.token-2', { refresh: async () => void calls.push('second') });
    const renewer = w.external.refresher();
    expect(renewer.renews!(first)).toBe(false);
    expect(renewer.renews!(second)).toBe(true);
    w.advance(2 * HOUR);
    // A stale copy of the first session (read elsewhere) ends at its expiry without calling its refresh.
    await expect(renewer.refresh(first)).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
    expect(calls).toEqual([]);
  });

  it('should refresh a session of the auth server there, and keep an external one nothing renews until its expiry', async () => {
    const w = setup();
    const renewer = w.external.refresher();
    // A customer who signed in with a password: commercetools' own token pair.
    const password: CtpAuthToken = {
      kind: 'customer',
      accessToken: 'ct.access-1',
      refreshToken: 'ct.refresh-1',
      issuedAt: START,
      expiresAt: START + HOUR,
      scopes: ['manage_my_orders:p'],
      customerId: 'c-1',
    };
    await expect(renewer.refresh(password)).resolves.toMatchObject({ accessToken: 'ct.access-1-renewed' });
    expect(w.refreshed).toEqual(['ct.access-1']);

    // A 401 before expiry asks for a refresh: with none registered, the same token serves on.
    const token = await w.login('provider.token-1');
    await expect(renewer.refresh(token)).resolves.toBe(token);
    expect(w.refreshed).toEqual(['ct.access-1']);
  });

  it("should hand the refresh the session's Store, and nothing more when it has none", async () => {
    const sessions: Record<string, unknown>[] = [];
    const refresh: ExternalRefresh = async (session) => {
      sessions.push({ ...session });
      return { token: `provider.renewed-${sessions.length}`, expiresAt: new Date(w.now() + HOUR) };
    };
    const w = setup({ stored: anonymousToken('anon-1', 'berlin') });
    const inStore = await w.login('provider.token-1', { refresh });
    const plain = await setup().login('provider.token-2', { refresh });
    const renewer = w.external.refresher();
    const renewed = await renewer.refresh(inStore);
    expect(renewed).toMatchObject({ accessToken: 'provider.renewed-1', storeKey: 'berlin', issuedAt: w.now() });
    expect(sessions[0]).toStrictEqual({
      customerId: 'c-1',
      token: 'provider.token-1',
      expiresAt: new Date(inStore.expiresAt),
      storeKey: 'berlin',
    });
    // `plain` was signed in by another ExternalSignIn: the module's refresh would serve it here, there is none.
    expect(renewer.renews!(plain)).toBe(false);
    const other = setup({ externalRefresh: refresh });
    const own = await other.login('provider.token-3');
    await other.external.refresher().refresh(own);
    expect(Object.keys(sessions[1]!).sort()).toEqual(['customerId', 'expiresAt', 'token']);
  });

  it('should end the session when the refresh answers null, and refuse an answer that holds no bearer token', async () => {
    let answer: unknown = null;
    const w = setup();
    const token = await w.login('provider.token-1', { refresh: (async () => answer) as ExternalRefresh });
    const renewer = w.external.refresher();
    for (const bad of [{ token: 'has space', expiresAt: new Date(w.now() + HOUR) }, { expiresAt: new Date() }]) {
      answer = bad;
      await expect(renewer.refresh(token)).rejects.toMatchObject({
        code: CtpErrorCode.InvalidArgument,
        argument: 'refresh',
      });
    }
    answer = { token: 'provider.token-2', expiresAt: new Date(w.now() + 2 * MAX_EXPIRES_IN_SECONDS * 1000) };
    await expect(renewer.refresh(token)).rejects.toMatchObject({ argument: 'refresh' });
    answer = null;
    await expect(renewer.refresh(token)).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
    // Ended for good: its refresh is forgotten.
    expect(renewer.renews!(token)).toBe(false);
  });

  it('should refuse a missing or over-long customer id and an expiry now or beyond a year, accepting the bounds', async () => {
    const w = setup();
    const refused = async (options: Partial<ExternalLoginOptions>, argument: string) => {
      const error = await w.login('provider.token-1', options).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument });
    };
    await refused({ customerId: undefined as never }, 'customerId');
    await refused({ customerId: 42 as never }, 'customerId');
    await refused({ customerId: 'c'.repeat(MAX_ID_LENGTH + 1) }, 'customerId');
    await refused({ expiresAt: new Date(w.now()) }, 'expiresAt');
    await refused({ expiresAt: new Date(w.now() + MAX_EXPIRES_IN_SECONDS * 1000 + 1) }, 'expiresAt');
    expect(await w.read()).toBeUndefined();

    const longest = 'c'.repeat(MAX_ID_LENGTH);
    const yearAhead = new Date(w.now() + MAX_EXPIRES_IN_SECONDS * 1000);
    await expect(w.login('provider.token-1', { customerId: longest, expiresAt: yearAhead })).resolves.toMatchObject({
      customerId: longest,
      expiresAt: yearAhead.getTime(),
    });
  });

  it('should keep the refresh of the 10,000 latest sign-ins of this process that gave one, dropping the oldest beyond', async () => {
    const w = setup();
    const refresh: ExternalRefresh = async () => undefined;
    const renewer = w.external.refresher();
    const signIn = async (session: string, withRefresh: boolean) => {
      w.switchSession(session);
      return w.login('provider.token-1', withRefresh ? { refresh } : {});
    };
    const oldest = await signIn('s-oldest', true);
    // Sign-ins without a refresh of their own (the module's serves them) take no room.
    for (let i = 0; i < 10_000; i += 1) await signIn(`s-plain-${i}`, false);
    expect(renewer.renews!(oldest)).toBe(true);
    const next: CtpAuthToken[] = [];
    for (let i = 0; i < 9_999; i += 1) next.push(await signIn(`s-own-${i}`, true));
    expect(renewer.renews!(oldest)).toBe(true);
    next.push(await signIn('s-last', true));
    expect(renewer.renews!(oldest)).toBe(false);
    expect(renewer.renews!(next[0]!)).toBe(true);
    expect(renewer.renews!(next.at(-1)!)).toBe(true);
  });
});
