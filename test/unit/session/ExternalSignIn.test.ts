import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { ExternalSignIn } from '../../../src/session/ExternalSignIn';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { SessionRenewal } from '../../../src/session/SessionRenewal';
import { SessionTokens } from '../../../src/session/SessionTokens';
import { localCoordinator, type TokenCoordinator } from '../../../src/tokens/TokenCoordinator';
import { CapturingLogger } from '../../support/createTestServices';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 7, 12);

// What renews an external session, and that nothing is coordinated for one nothing can renew.
function setup(externalRefresh?: () => Promise<undefined>) {
  let now = START;
  const logger = new CapturingLogger();
  const revoked: string[] = [];
  const tokens = new SessionTokens({ revoke: async (t) => void revoked.push(t) }, logger, 1_000, 1_000);
  const storage = new MemorySessionStorage('s-1');
  const external = new ExternalSignIn({
    tokens,
    storage: () => storage,
    signIn: { prepare: async () => undefined, mergeCart: async () => undefined },
    issuer: { refresh: async (t: CtpAuthToken) => t, registry: { scopes: () => ['manage_my_orders:p'] } },
    clock: { now: () => now },
    logger,
    externalRefresh,
  });
  const coordinated: string[] = [];
  const coordinator: TokenCoordinator = {
    ...localCoordinator,
    refresh: (token, refresh, isFresh) => {
      coordinated.push(token.accessToken);
      return localCoordinator.refresh(token, refresh, isFresh);
    },
  };
  const renewal = new SessionRenewal(tokens, external.refresher(), coordinator, { now: () => now }, logger);
  const login = (refresh?: () => Promise<undefined>) =>
    external.login('provider.token-1', {
      customerId: 'c-1',
      expiresAt: new Date(now + HOUR),
      ...(refresh ? { refresh } : {}),
    });
  return { external, renewal, storage, login, coordinated, revoked, advance: (ms: number) => (now += ms) };
}

describe('ExternalSignIn renewal', () => {
  it('should start no background refresh in the margin when nothing can renew the session, and end it at expiry', async () => {
    const w = setup();
    const token = await w.login();
    const renewer = w.external.refresher();
    expect(renewer.renews!(token)).toBe(false);
    expect(renewer.renews!({ ...token, external: undefined } as unknown as CtpAuthToken)).toBe(true);
    w.advance(HOUR - 60_000);
    w.renewal.ahead(w.storage, token);
    await w.renewal.settled();
    expect(w.coordinated).toEqual([]);
    w.advance(60_000);
    await expect(w.renewal.renew(w.storage, token)).rejects.toMatchObject({ code: 'CTP_SESSION_EXPIRED' });
    expect(await w.storage.get()).toBeUndefined();
    expect(w.revoked).toEqual([]);
  });

  it("should renew with loginExternal's refresh until the lineage is forgotten, then with the module's", async () => {
    const calls: string[] = [];
    const w = setup(async () => void calls.push('module'));
    const own = async () => void calls.push('own');
    const token = await w.login(own);
    w.advance(2 * HOUR);
    await expect(w.renewal.renew(w.storage, token)).rejects.toMatchObject({ code: 'CTP_SESSION_EXPIRED' });
    expect(calls).toEqual(['own']);
    // The app's refresh said ended: its callback is dropped, the module's would serve a copy read elsewhere.
    const second = await w.login(own);
    w.external.forget(second);
    w.advance(2 * HOUR);
    await expect(w.renewal.renew(w.storage, second)).rejects.toMatchObject({ code: 'CTP_SESSION_EXPIRED' });
    expect(calls).toEqual(['own', 'module']);
  });
});
