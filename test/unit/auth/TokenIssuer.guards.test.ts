import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { CtpScopeError } from '../../../src/errors/CtpScopeError';
import { CtpTokenResponseError } from '../../../src/errors/CtpTokenResponseError';
import { scopeFingerprint } from '../../../src/scopes/scopeCatalog';
import { ALICE, AUTH_URL, CLIENT_SECRET, json, oauthError, PROJECT } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

// Guards found by mutation testing (bench/mutation.md, 8 December): the grant and refresh log events and
// their fields, the scope checks of shared grants and refreshes, identity-less answers, what a token holds,
// and what the server's excess scopes are stripped of.

const P = PROJECT;
/** How long each auth request takes on the test clock. */
const LATENCY_MS = 250;
const alice = { email: ALICE.email, password: ALICE.password };

/** Every auth request advances the clock by LATENCY_MS, then the kit answers unless a test answers first. */
function setup() {
  const services = createTestServices();
  const { platform, clock } = services;
  platform.on(() => {
    clock.advance(LATENCY_MS);
    return undefined;
  });
  const issuer = new TokenIssuer(services.oauth, services.registry, services.clock, services.logger);
  return { ...services, issuer, startedAt: clock.now() };
}
type Setup = ReturnType<typeof setup>;

/** A token answer with `scope`; the access and refresh tokens are fixed so a test can look for them. */
const tokenAnswer = (scope: string, refresh = true) =>
  json({
    access_token: 'access-new-123456',
    token_type: 'Bearer',
    expires_in: 3600,
    scope,
    ...(refresh ? { refresh_token: 'refresh-new-123456' } : {}),
  });

/** Answers every grant of `grantType` (refresh_token) or to `path` with `answer`. */
function answer(platform: Setup['platform'], match: { path?: string; grantType?: string }, response: () => Response) {
  platform.on((call) =>
    (match.path === undefined || call.path === match.path) &&
    (match.grantType === undefined || call.form.get('grant_type') === match.grantType)
      ? response()
      : undefined,
  );
}

const logged = (logger: Setup['logger'], level: string, event: string) =>
  logger.lines.filter((l) => l.level === level && (l.obj as { event?: string }).event === event).map((l) => l.obj);

describe('TokenIssuer guards', () => {
  describe('shared tokens', () => {
    it.each(['integration', 'checkout', 'customerService'] as const)(
      'should grant %s by client credentials with its scopes, stamped by the clock, and log one ctp.grant',
      async (set) => {
        const { platform, issuer, registry, logger, startedAt } = setup();
        const token = await issuer[set]();
        const call = platform.calls[0];
        expect(call?.url).toBe(`${AUTH_URL}/oauth/token`);
        expect(call?.method).toBe('POST');
        expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(call?.body).toBe(
          new URLSearchParams({ scope: registry.scopeParameter(set), grant_type: 'client_credentials' }).toString(),
        );
        expect(token).toStrictEqual({
          accessToken: expect.any(String) as string,
          issuedAt: startedAt,
          expiresAt: startedAt + 3600 * 1000,
          scopes: registry.scopes(set),
        });
        expect(logged(logger, 'info', 'ctp.grant')).toEqual([
          { event: 'ctp.grant', flow: 'client_credentials', scopeSet: set, durationMs: LATENCY_MS, outcome: 'ok' },
        ]);
        expect(logger.text()).not.toContain(token.accessToken);
      },
    );

    it("should grant guest on the anonymous endpoint (the kit's shared read-only visitor) and log it as anonymous", async () => {
      const { platform, issuer, registry, logger } = setup();
      const token = await issuer.guest();
      expect(platform.calls.map((c) => c.url)).toEqual([`${AUTH_URL}/oauth/${P}/anonymous/token`]);
      expect(platform.calls[0]?.form.get('grant_type')).toBe('client_credentials');
      expect(platform.calls[0]?.form.get('scope')).toBe(registry.scopeParameter('guest'));
      expect(token.scopes).toEqual(registry.scopes('guest'));
      expect(logged(logger, 'info', 'ctp.grant')).toEqual([
        { event: 'ctp.grant', flow: 'anonymous', scopeSet: 'guest', durationMs: LATENCY_MS, outcome: 'ok' },
      ]);
    });

    it.each<[string, (asked: string[]) => string[], { missing: string[]; excess: string[]; code: string }]>([
      [
        'a scope missing',
        (asked) => asked.filter((s) => s !== `manage_orders:${P}`),
        { missing: [`manage_orders:${P}`], excess: [], code: CtpErrorCode.ScopeMissing },
      ],
      [
        'a scope not asked',
        (asked) => [...asked, `manage_products:${P}`],
        { missing: [], excess: [`manage_products:${P}`], code: CtpErrorCode.ScopeExcess },
      ],
    ])('should refuse an answer with %s and log ctp.grant.failed with its code', async (_name, grant, expected) => {
      const { platform, issuer, registry, logger } = setup();
      answer(platform, { grantType: 'client_credentials' }, () =>
        tokenAnswer(grant([...registry.scopes('integration')]).join(' ')),
      );
      const error = (await issuer.integration().catch((e: unknown) => e)) as CtpScopeError;
      expect(error).toBeInstanceOf(CtpScopeError);
      expect(error).toMatchObject({ scopeSet: 'integration', ...expected });
      expect(logged(logger, 'warn', 'ctp.grant.failed')).toEqual([
        {
          event: 'ctp.grant.failed',
          flow: 'client_credentials',
          scopeSet: 'integration',
          durationMs: LATENCY_MS,
          outcome: 'error',
          code: expected.code,
        },
      ]);
    });

    it('should strip the access token and the client secret from the excess scopes the server sent', async () => {
      const { platform, issuer, registry, logger } = setup();
      const echoes = `leak:access-new-123456 leak:${CLIENT_SECRET}`;
      answer(platform, { grantType: 'client_credentials' }, () =>
        tokenAnswer(`${registry.scopeParameter('integration')} ${echoes}`),
      );
      const error = (await issuer.integration().catch((e: unknown) => e)) as CtpScopeError;
      expect(error.excess).toEqual(['leak:[redacted]', 'leak:[redacted]']);
      expect(logger.text()).not.toContain('access-new-123456');
    });
  });

  describe('session tokens', () => {
    it('should hold the identity it names and no key for what it lacks (anonymous id, customer id, Store)', async () => {
      const { issuer, startedAt } = setup();
      const anonymous = await issuer.anonymous();
      const customer = await issuer.customer(alice);
      const common = ['accessToken', 'expiresAt', 'issuedAt', 'kind', 'refreshToken', 'scopes'];
      expect(Object.keys(anonymous).sort()).toEqual([...common, 'anonymousId'].sort());
      expect(Object.keys(customer).sort()).toEqual([...common, 'customerId'].sort());
      expect(anonymous).toMatchObject({ issuedAt: startedAt, expiresAt: startedAt + 3600 * 1000 });
    });

    it.each<[string, (s: Setup) => Promise<CtpAuthToken>, string, string]>([
      ['customer', (s) => s.issuer.customer(alice), `/oauth/${P}/customers/token`, 'customer'],
      ['anonymous', (s) => s.issuer.anonymous(), `/oauth/${P}/anonymous/token`, 'anonymous'],
    ])('should refuse a %s answer naming no shopper in its scope', async (_name, grant, path, set) => {
      const s = setup();
      answer(s.platform, { path }, () => tokenAnswer(s.registry.scopeParameter(set as 'customer' | 'anonymous')));
      const error = (await grant(s).catch((e: unknown) => e)) as CtpTokenResponseError;
      expect(error).toBeInstanceOf(CtpTokenResponseError);
      expect(error).toMatchObject({ code: CtpErrorCode.TokenResponseInvalid, field: 'scope' });
      expect(logged(s.logger, 'warn', 'ctp.grant.failed')).toMatchObject([{ scopeSet: set, outcome: 'error' }]);
    });

    it('should refuse an excess scope on a new session, stripped of the password and the tokens the server sent', async () => {
      const { platform, issuer, registry } = setup();
      const echoes = `leak:${ALICE.password} echo:access-new-123456 echo:refresh-new-123456`;
      answer(platform, { path: `/oauth/${P}/customers/token` }, () =>
        tokenAnswer(`${registry.scopeParameter('customer')} customer_id:${ALICE.id} ${echoes}`),
      );
      const error = (await issuer.customer(alice).catch((e: unknown) => e)) as CtpScopeError;
      expect(error).toBeInstanceOf(CtpScopeError);
      expect(error).toMatchObject({
        code: CtpErrorCode.ScopeExcess,
        missing: [],
        excess: ['leak:[redacted]', 'echo:[redacted]', 'echo:[redacted]'],
      });
    });
  });

  describe('.refresh', () => {
    it('should log one ctp.refresh with the session kind as scope set', async () => {
      const { issuer, logger } = setup();
      const token = await issuer.anonymous();
      await issuer.refresh(token);
      expect(logged(logger, 'info', 'ctp.refresh')).toEqual([
        { event: 'ctp.refresh', flow: 'refresh_token', scopeSet: 'anonymous', durationMs: LATENCY_MS, outcome: 'ok' },
      ]);
      expect(logged(logger, 'info', 'ctp.grant')).toHaveLength(1);
    });

    it("should log ctp.refresh.failed with the code, and keep the session's access token out of the error", async () => {
      const { platform, issuer, logger } = setup();
      const token = await issuer.customer(alice);
      answer(platform, { grantType: 'refresh_token' }, () =>
        oauthError(400, 'invalid_request', `refresh for ${token.accessToken} refused`),
      );
      const error = (await issuer.refresh(token).catch((e: unknown) => e)) as CtpOAuthError;
      expect(error).toBeInstanceOf(CtpOAuthError);
      expect(error.errorDescription).toBe('refresh for [redacted] refused');
      expect(logged(logger, 'warn', 'ctp.refresh.failed')).toEqual([
        {
          event: 'ctp.refresh.failed',
          flow: 'refresh_token',
          scopeSet: 'customer',
          durationMs: LATENCY_MS,
          outcome: 'error',
          code: CtpErrorCode.AuthRejected,
        },
      ]);
      expect(logger.text()).not.toContain(token.accessToken);
      expect(logger.text()).not.toContain(token.refreshToken);
    });

    it('should refuse a refresh answer granting more than the original grant', async () => {
      const { platform, issuer } = setup();
      const token = await issuer.customer(alice);
      answer(platform, { grantType: 'refresh_token' }, () =>
        tokenAnswer(`${token.scopes.join(' ')} manage_products:${P}`, false),
      );
      await expect(issuer.refresh(token)).rejects.toMatchObject({
        code: CtpErrorCode.ScopeExcess,
        missing: [],
        excess: [`manage_products:${P}`],
      });
    });

    it('should check a session stored under a fingerprint: the same list refreshes, another is excess', async () => {
      const { platform, issuer, registry } = setup();
      const token = await issuer.customer(alice);
      answer(platform, { grantType: 'refresh_token' }, () => tokenAnswer(registry.scopeParameter('customer'), false));
      const stored = { ...token, scopes: [], scopesFingerprint: scopeFingerprint(registry.scopes('customer')) };
      await expect(issuer.refresh(stored)).resolves.toMatchObject({ scopes: registry.scopes('customer') });
      const error = (await issuer
        .refresh({ ...stored, scopesFingerprint: scopeFingerprint([`view_products:${P}`]) })
        .catch((e: unknown) => e)) as CtpScopeError;
      expect(error).toBeInstanceOf(CtpScopeError);
      expect(error).toMatchObject({ code: CtpErrorCode.ScopeExcess, missing: [], excess: registry.scopes('customer') });
    });

    describe("when the original grant's scopes differ from today's registry", () => {
      it.each<[string, (current: readonly string[]) => string[], number]>([
        ['as granted today', (current) => [...current], 0],
        ['one scope more', (current) => [...current, `manage_products:${P}`], 1],
        ['one scope less', (current) => current.filter((s) => s !== `manage_my_quotes:${P}`), 1],
      ])(
        'should keep the original list (%s) and log ctp.session.scopes_outdated only when it differs',
        async (_name, original, outdatedEvents) => {
          const { platform, issuer, registry, logger } = setup();
          const token = await issuer.customer(alice);
          const previous = { ...token, scopes: Object.freeze(original(registry.scopes('customer'))) };
          answer(platform, { grantType: 'refresh_token' }, () => tokenAnswer(previous.scopes.join(' '), false));
          const refreshed = await issuer.refresh(previous);
          expect(refreshed.scopes).toBe(previous.scopes);
          expect(logger.events('ctp.session.scopes_outdated')).toEqual(
            Array.from({ length: outdatedEvents }, () => ({ event: 'ctp.session.scopes_outdated', kind: 'customer' })),
          );
        },
      );
    });
  });
});
