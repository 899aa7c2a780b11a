import { describe, expect, it } from 'vitest';
import { ctpSessionMiddleware } from '../../../src/session/ctpSessionMiddleware';
import { expressRequestStorage } from '../../../src/session/expressSessionStorage';
import { currentSessionStorage } from '../../../src/session/sessionContext';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import type { SessionStorage } from '../../../src/session/SessionStorage';
import { putToken, storedToken } from '../../support/session/storedToken';

const token: CtpAuthToken = {
  kind: 'anonymous',
  accessToken: 'a1',
  refreshToken: 'r1',
  issuedAt: 1,
  expiresAt: 2,
  scopes: ['s:p'],
  anonymousId: 'x',
};

describe(expressRequestStorage, () => {
  it('should store the token as plain JSON in the compact format under its key and read it back', async () => {
    const session: Record<string, unknown> = { other: 1 };
    const storage = expressRequestStorage({ session, sessionID: 'sid-1' });
    await putToken(storage, token);
    expect(JSON.parse(JSON.stringify(session))).toEqual({
      other: 1,
      ctpAuthToken: { v: 2, k: 'a', a: 'a1', r: 'r1', i: 1, e: 2, s: ['s:p'], n: 'x' },
    });
    expect(await storedToken(storage)).toEqual(token);
    expect(storage.id).toBe('sid-1');
    await putToken(storage, undefined);
    expect(session).toEqual({ other: 1 });
  });

  it('should read a session stored in the earlier full format, and write it compact at its next change', async () => {
    const session: Record<string, unknown> = { ctpAuthToken: JSON.parse(JSON.stringify(token)) };
    const storage = expressRequestStorage({ session });
    const read = await storedToken(storage);
    expect(read).toEqual(token);
    // The app's session object is left as it is (neither frozen nor rewritten) until the next change.
    expect(Object.isFrozen(session['ctpAuthToken'])).toBe(false);
    await putToken(storage, { ...read!, accessToken: 'a2' });
    expect(session['ctpAuthToken']).toEqual({ v: 2, k: 'a', a: 'a2', r: 'r1', i: 1, e: 2, s: ['s:p'], n: 'x' });
  });

  it('should read a corrupted or foreign value as no session', async () => {
    const compact = toStoredSession(token);
    for (const value of [
      'x',
      { ...token, kind: 'admin' },
      { ...token, accessToken: '' },
      { ...token, scopes: [1] },
      null,
      { ...compact, k: 'x' },
      { ...compact, a: 'a b' },
      { ...compact, s: 'not-a-print' },
    ]) {
      expect(await expressRequestStorage({ session: { ctpAuthToken: value } }).get()).toBeUndefined();
    }
  });
});

describe(ctpSessionMiddleware, () => {
  it('should make req.session the current storage for the rest of the request', async () => {
    const req = { session: { ctpAuthToken: token } as Record<string, unknown>, sessionID: 'abc' };
    const seen = await new Promise<unknown>((resolve) => {
      ctpSessionMiddleware()(req, {}, () => {
        setImmediate(() => resolve(currentSessionStorage().get()));
      });
    });
    expect(seen).toEqual(token);
  });

  it('should pass CTP_NO_SESSION_CONTEXT to next when there is no req.session', () => {
    let passed: unknown;
    ctpSessionMiddleware()({}, {}, (error) => (passed = error));
    expect(passed).toMatchObject({ code: CtpErrorCode.NoSessionContext });
  });
});

describe('ctpSessionMiddleware with req.session.regenerate()', () => {
  it('should land a sign-in after regenerate() in the new session, under the new id', async () => {
    const req: { session: Record<string, unknown>; sessionID: string } = {
      session: { planted: true },
      sessionID: 'attacker-chosen',
    };
    let storage!: SessionStorage;
    await new Promise<void>((resolve, reject) =>
      ctpSessionMiddleware()(req, {}, (error?: unknown) =>
        error === undefined
          ? resolve(void (storage = currentSessionStorage() as SessionStorage))
          : reject(error instanceof Error ? error : new Error('next(error)', { cause: error })),
      ),
    );
    expect(storage.id).toBe('attacker-chosen');
    // What express-session's regenerate() does: a new session object under a new id.
    const old = req.session;
    req.session = {};
    req.sessionID = 'fresh-id';
    await putToken(storage, token);
    expect(storage.id).toBe('fresh-id');
    expect(req.session['ctpAuthToken']).toEqual(toStoredSession(token));
    expect(old['ctpAuthToken']).toBeUndefined();
  });
});
