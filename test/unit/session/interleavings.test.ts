import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { drain } from '../../support/session/drainScheduler';
import { scheduledStorage } from '../../support/session/scheduledStorage';
import { PASSWORD, ScheduledWorld } from '../../support/session/scheduledWorld';
import { fromLegacyStorage, isLegacyStorage } from '../../../src/session/fromLegacyStorage';

const MINUTE = 60_000;

/** `…Elsewhere`: the same on a second instance sharing the storage (as with Redis); only with an atomic storage. */
type Op =
  | 'access'
  | 'ensureAnonymous'
  | 'loginAlice'
  | 'loginBob'
  | 'logout'
  | 'recover'
  | 'loginBobElsewhere'
  | 'logoutElsewhere'
  | 'accessElsewhere'
  /** Account operations (issue 13): each a state change of the same session. */
  | 'signUpDave'
  | 'changePassword'
  | 'resetAlice';
const OPS: Op[] = [
  'access',
  'ensureAnonymous',
  'loginAlice',
  'loginBob',
  'logout',
  'recover',
  'loginBobElsewhere',
  'logoutElsewhere',
  'accessElsewhere',
];
const isLogin = (op: Op) => op === 'loginAlice' || op === 'loginBob' || op === 'loginBobElsewhere';
const isLogout = (op: Op) => op === 'logout' || op === 'logoutElsewhere';
type Start = 'empty' | 'anonymous' | 'customer';

interface Outcome {
  op: Op;
  ok: boolean;
  code?: string;
  token?: CtpAuthToken;
}

/**
 * Runs `ops` concurrently on one session over a storage and a platform whose every call finishes
 * in an order the scheduler picks, then returns what each op got and the platform's truth.
 */
async function runScenario(
  s: fc.Scheduler,
  start: Start,
  age: 'fresh' | 'renewing' | 'expired',
  atomic: boolean,
  ops: Op[],
) {
  let now = Date.UTC(2026, 11, 1);
  const world = new ScheduledWorld(s, () => now);
  const storage = scheduledStorage(s, 'session-1', atomic);
  const seeded = await world.seed(start);
  if (seeded !== undefined) storage.seed(seeded);
  // Tokens live an hour (expiresIn of the world), and 57 minutes on is inside their renewal margin.
  now += age === 'fresh' ? 0 : age === 'renewing' ? 57 * MINUTE : 61 * MINUTE;
  const session = world.instance(storage);
  // A plain get/set/clear storage promises nothing across instances: only the atomic one gets a second.
  const elsewhere = atomic ? world.instance(storage) : session;
  const initial = storage.raw();
  // What the session adapts a storage of the earlier contract to (fromLegacyStorage).
  const adapted = isLegacyStorage(storage) ? fromLegacyStorage(storage) : storage;

  const run = async (op: Op): Promise<CtpAuthToken | undefined> => {
    switch (op) {
      case 'access':
        return session.accessToken({ createAnonymous: false });
      case 'ensureAnonymous':
        return session.ensureAnonymous();
      case 'loginAlice':
        return session.login('alice@example.com', PASSWORD);
      case 'loginBob':
        return session.login('bob@example.com', PASSWORD);
      case 'logout':
        await session.logout();
        return undefined;
      case 'loginBobElsewhere':
        return elsewhere.login('bob@example.com', PASSWORD);
      case 'logoutElsewhere':
        await elsewhere.logout();
        return undefined;
      case 'accessElsewhere':
        return elsewhere.accessToken({ createAnonymous: false });
      case 'signUpDave':
        return session.signUp({ email: 'dave@example.com', password: PASSWORD });
      case 'changePassword':
        return session.changePassword(PASSWORD, 'new-right');
      case 'resetAlice':
        await session.resetPassword(world.resetToken, 'reset-right');
        return undefined;
      case 'recover':
        // A 401 on the token the session started with, recovered in its own lineage.
        if (initial === undefined) return undefined;
        return { ...initial, accessToken: await session.tokenSource(adapted, initial).recover(initial.accessToken) };
    }
  };
  const outcomes: Outcome[] = [];
  const running = ops.map((op) =>
    run(op).then(
      (token) => {
        outcomes.push({ op, ok: true, ...(token ? { token } : {}) });
      },
      (error: unknown) => {
        outcomes.push({ op, ok: false, code: error instanceof CtpError ? error.code : String(error) });
      },
    ),
  );
  await drain(s, () => outcomes.length === ops.length);
  await Promise.all(running);
  // Background refreshes (a call inside the renewal margin starts one) run on after their callers.
  let settled = false;
  void Promise.all([session.settled(), elsewhere.settled()]).then(() => (settled = true));
  await drain(s, () => settled);
  return { world, final: storage.raw(), outcomes, initial };
}

/** A starting session, its age, the storage kind, and `required` started beside 1-4 of `others`. */
const scenario = (required: fc.Arbitrary<Op>, others: readonly Op[]) =>
  fc.record({
    start: fc.constantFrom<Start>('empty', 'anonymous', 'customer'),
    age: fc.constantFrom('fresh' as const, 'renewing' as const, 'expired' as const),
    atomic: fc.boolean(),
    ops: fc
      .tuple(required, fc.array(fc.constantFrom(...others), { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([first, rest, at]) => {
        const ops = [...rest];
        ops.splice(at % (ops.length + 1), 0, first);
        return ops;
      }),
  });
const RUNS = { numRuns: Number(process.env.RUNS ?? 400), endOnFailure: true };
const isAccess = (op: Op) => op === 'access' || op === 'accessElsewhere';

describe('ShopperSession state changes, explored over interleavings', { timeout: 120_000 }, () => {
  it('should hand every caller of a refresh wave, on either instance, the one token stored, and leave no other live', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constantFrom<Op>('access', 'accessElsewhere'), ['access', 'recover', 'accessElsewhere']).filter(
          (c) => c.start !== 'empty' && c.age !== 'fresh',
        ),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes, initial } = await runScenario(s, start, age, atomic, ops);
          expect(outcomes.every((o) => o.ok)).toBe(true);
          const served = new Set(outcomes.map((o) => o.token?.accessToken));
          if (age === 'expired') {
            expect(served).toEqual(new Set([final?.accessToken]));
          } else {
            // Inside the margin the token read serves the call (no wait for the refresh): the one the
            // session started with, or the refreshed one for a call that read after it was stored.
            for (const token of served) expect([initial?.accessToken, final?.accessToken]).toContain(token);
            // The background refresh ran and was stored.
            expect(final?.accessToken).not.toBe(initial?.accessToken);
          }
          expect(world.liveTokensBut(final)).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('should serve every call inside the renewal margin the token it read, failing none, while its background refresh races sign-outs and sign-ins', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constantFrom<Op>('access', 'accessElsewhere'), [
          'access',
          'accessElsewhere',
          'recover',
          'logout',
          'logoutElsewhere',
          'loginBob',
          'loginBobElsewhere',
        ])
          .filter((c) => c.start !== 'empty')
          .map((c) => ({ ...c, age: 'renewing' as const })),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes, initial } = await runScenario(s, start, age, atomic, ops);
          for (const o of outcomes.filter((o) => isAccess(o.op))) {
            // A sign-out that came first leaves no session to serve; a refresh never fails a margin call.
            if (!o.ok) expect(o.code).toBe(CtpErrorCode.NoSession);
            else expect(world.lineageOf(o.token!.accessToken)).toBeDefined();
          }
          if (final !== undefined) {
            expect(world.isLive(final.accessToken)).toBe(true);
            expect(world.isLive(final.refreshToken)).toBe(true);
          }
          // Whatever the background refresh minted, the session keeps it or it was revoked.
          expect(world.liveTokensBut(final)).toEqual([]);
          if (ops.some(isLogout) && !ops.some(isLogin)) expect(final).toBeUndefined();
          if (!ops.some(isLogout) && !ops.some(isLogin)) expect(final?.refreshToken).toBe(initial?.refreshToken);
        },
      ),
      RUNS,
    );
  });

  it('should never leave a token live that the session does not keep, nor keep a revoked one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constantFrom(...OPS), OPS),
        async (s, { start, age, atomic, ops }) => {
          const { world, final } = await runScenario(s, start, age, atomic, ops);
          if (final !== undefined) {
            expect(world.isLive(final.accessToken)).toBe(true);
            expect(world.isLive(final.refreshToken)).toBe(true);
          }
          expect(world.liveTokensBut(final)).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('should keep a session empty after logout() unless a sign-in or anonymous start ran beside it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constantFrom<Op>('logout', 'logoutElsewhere'), [
          'access',
          'recover',
          'logout',
          'logoutElsewhere',
          'accessElsewhere',
        ]),
        async (s, { start, age, atomic, ops }) => {
          const { world, final } = await runScenario(s, start, age, atomic, ops);
          expect(final).toBeUndefined();
          expect(world.liveTokensBut(undefined)).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('should store exactly one signed-in customer, who owns the anonymous cart, and fail no concurrent request with CTP_SESSION_EXPIRED', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constantFrom<Op>('loginAlice', 'loginBob', 'loginBobElsewhere'), [
          'access',
          'recover',
          'ensureAnonymous',
          'loginAlice',
          'loginBob',
          'loginBobElsewhere',
          'accessElsewhere',
        ]),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes, initial } = await runScenario(s, start, age, atomic, ops);
          const signedIn = outcomes.filter((o) => isLogin(o.op) && o.ok).map((o) => o.token?.customerId);
          expect(final?.kind).toBe('customer');
          expect(signedIn).toContain(final?.customerId);
          if (initial?.anonymousId !== undefined) expect(await world.cartOwner()).toBe(final?.customerId);
          for (const o of outcomes) {
            if (o.ok) {
              // Never a token of a sign-in that was undone: the session's own lineages or the winner's.
              const lineage = o.token && world.lineageOf(o.token.accessToken);
              if (o.token)
                expect([initial?.refreshToken, final?.refreshToken, ...world.anonymousLineages]).toContain(lineage);
            } else if (isLogin(o.op) || o.op === 'recover') {
              // A sign-in that lost, or a builder whose shopper was replaced: never retried as another.
              expect(o.code).toBe(CtpErrorCode.SessionChanged);
            } else {
              expect({ op: o.op, code: o.code }).toEqual({
                op: o.op,
                code: start === 'empty' ? CtpErrorCode.NoSession : 'none',
              });
            }
          }
        },
      ),
      RUNS,
    );
  });
  it('should end a sign-up beside refreshes, sign-outs and sign-ins with one stored session, the cart with the one stored, and nothing else live', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constant<Op>('signUpDave'), [
          'access',
          'recover',
          'logout',
          'loginBob',
          'accessElsewhere',
          'logoutElsewhere',
        ]).filter((c) => c.start !== 'customer'),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes, initial } = await runScenario(s, start, age, atomic, ops);
          const signUp = outcomes.find((o) => o.op === 'signUpDave')!;
          // Only another sign-in of the session that finished first undoes a sign-up.
          if (!signUp.ok) expect(signUp.code).toBe(CtpErrorCode.SessionChanged);
          else expect(signUp.token?.customerId).toBe(world.customerId('dave@example.com'));
          if (final !== undefined) {
            expect(world.isLive(final.accessToken)).toBe(true);
            expect(world.isLive(final.refreshToken)).toBe(true);
          }
          expect(world.liveTokensBut(final)).toEqual([]);
          if (!ops.some(isLogout) && ops.filter(isLogin).length === 0)
            expect(final?.customerId).toBe(world.customerId('dave@example.com'));
          // The cart moves only to a sign-in or sign-up that was stored: with no sign-out, the one stored last.
          if (initial?.anonymousId !== undefined && !ops.some(isLogout) && final?.kind === 'customer') {
            expect(await world.cartOwner()).toBe(final.customerId);
          }
        },
      ),
      RUNS,
    );
  });

  it('should leave a password change on fresh tokens of the new password, the old pair revoked, and concurrent requests served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constant<Op>('changePassword'), [
          'access',
          'recover',
          'logout',
          'loginBob',
          'accessElsewhere',
          'logoutElsewhere',
        ]).map((c) => ({ ...c, start: 'customer' as const })),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes, initial } = await runScenario(s, start, age, atomic, ops);
          const change = outcomes.find((o) => o.op === 'changePassword')!;
          expect(world.liveTokensBut(final)).toEqual([]);
          expect(world.isLive(initial!.accessToken) && final?.refreshToken !== initial!.refreshToken).toBe(false);
          const quiet = !ops.some(isLogout) && !ops.some(isLogin);
          if (quiet) {
            // Alone with refreshes: it succeeds, the session stays signed in on the new password's tokens.
            expect(change).toMatchObject({ ok: true });
            expect(final?.refreshToken).toBe(change.token?.refreshToken);
            expect(final?.refreshToken).not.toBe(initial?.refreshToken);
            for (const o of outcomes)
              if (o.op === 'access' || o.op === 'accessElsewhere') expect(o).toMatchObject({ ok: true });
          } else if (!change.ok) {
            expect([CtpErrorCode.SessionChanged, CtpErrorCode.NoSession, CtpErrorCode.SessionExpired]).toContain(
              change.code,
            );
          }
          // Changed for whoever the session held when it ran (alice, or bob signed in before it).
          if (change.ok) {
            expect(world.passwordOf(change.token!.customerId!)).toBe('new-right');
          }
        },
      ),
      RUNS,
    );
  });

  it('should leave no token of the customer live after a password reset beside refreshes and sign-outs, and the session empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        scenario(fc.constant<Op>('resetAlice'), [
          'access',
          'recover',
          'logout',
          'accessElsewhere',
          'logoutElsewhere',
        ]).map((c) => ({ ...c, start: 'customer' as const })),
        async (s, { start, age, atomic, ops }) => {
          const { world, final, outcomes } = await runScenario(s, start, age, atomic, ops);
          expect(outcomes.find((o) => o.op === 'resetAlice')).toMatchObject({ ok: true });
          expect(final).toBeUndefined();
          expect(world.liveTokensBut(undefined)).toEqual([]);
          for (const o of outcomes) {
            if (!o.ok)
              expect([CtpErrorCode.SessionExpired, CtpErrorCode.NoSession, CtpErrorCode.SessionChanged]).toContain(
                o.code,
              );
          }
        },
      ),
      RUNS,
    );
  });
});
