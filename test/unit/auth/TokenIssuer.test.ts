import { describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpScopeError } from '../../../src/errors/CtpScopeError';
import { scopeFingerprint } from '../../../src/scopes/scopeCatalog';
import { CtpTokenResponseError } from '../../../src/errors/CtpTokenResponseError';
import { json, PROJECT } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

function setup() {
  const services = createTestServices();
  const issuer = new TokenIssuer(services.oauth, services.registry, services.clock, services.logger);
  return { ...services, issuer };
}

describe(TokenIssuer, () => {
  describe('.refresh', () => {
    describe('when the answer names another customer or anonymous id than the session', () => {
      it.each<[string, 'customer' | 'anonymous', string]>([
        ['another customer', 'customer', 'customer_id:customer-mallory'],
        ['an anonymous id on a customer session', 'customer', 'anonymous_id:anon-x'],
        ['another anonymous id', 'anonymous', 'anonymous_id:anon-other'],
        ['a customer on an anonymous session', 'anonymous', 'customer_id:customer-mallory'],
      ])('should reject %s with CTP_TOKEN_IDENTITY_MISMATCH', async (_name, kind, identity) => {
        const { platform, issuer, registry } = setup();
        const token =
          kind === 'customer'
            ? await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' })
            : await issuer.anonymous();
        const scope = registry.scopes(kind).join(' ');
        platform.on((call) =>
          call.form.get('grant_type') === 'refresh_token'
            ? json({
                access_token: 'forged-access-1',
                token_type: 'Bearer',
                expires_in: 3600,
                scope: `${scope} ${identity}`,
              })
            : undefined,
        );
        const error = (await issuer.refresh(token).catch((e: unknown) => e)) as CtpTokenResponseError;
        expect(error).toBeInstanceOf(CtpTokenResponseError);
        expect(error.code).toBe(CtpErrorCode.TokenIdentityMismatch);
        expect(error.field).toBe('scope');
        expect(error.message).not.toContain('mallory');
      });
    });

    describe('when the answer names the same shopper or none', () => {
      it('should keep the identity of the session', async () => {
        const { platform, issuer, registry } = setup();
        const token = await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' });
        const same = await issuer.refresh(token);
        expect(same.customerId).toBe('customer-alice');
        platform.on((call) =>
          call.form.get('grant_type') === 'refresh_token'
            ? json({
                access_token: 'fresh-access-2',
                token_type: 'Bearer',
                expires_in: 3600,
                scope: registry.scopes('customer').join(' '),
              })
            : undefined,
        );
        const without = await issuer.refresh(token);
        expect(without).toMatchObject({
          customerId: 'customer-alice',
          accessToken: 'fresh-access-2',
          refreshToken: token.refreshToken,
        });
      });
    });
  });

  describe('in-store grants', () => {
    const P = PROJECT;
    const plainCustomer = () =>
      [
        'view_categories',
        'view_published_products',
        'view_shipping_methods',
        'view_standalone_prices',
        'manage_my_business_units',
        'manage_my_orders',
        'manage_my_payments',
        'manage_my_profile',
        'manage_my_quote_requests',
        'manage_my_quotes',
        'manage_my_shopping_lists',
      ].map((n) => `${n}:${P}`);
    const storeForm = (scope: string) =>
      /^manage_my_(orders|profile|shopping_lists):/.test(scope) ? `${scope}:eu` : scope;

    /** Answers the in-store password grant with `scope` (and the customer's identity). */
    function answerInStore(platform: ReturnType<typeof setup>['platform'], scope: (asked: string) => string) {
      platform.on((call) =>
        call.path === `/oauth/${P}/in-store/key=eu/customers/token`
          ? json({
              access_token: 'in-store-access-1',
              token_type: 'Bearer',
              expires_in: 3600,
              scope: `${scope(call.form.get('scope') ?? '')} customer_id:customer-alice`,
              refresh_token: 'in-store-refresh-1',
            })
          : undefined,
      );
    }
    const alice = { email: 'alice@example.com', password: 'alice-Passw0rd!', storeKey: 'eu' };

    it('should ask the Store forms of the shopper scopes that have one', async () => {
      const { platform, issuer } = setup();
      await issuer.customer(alice);
      const asked = platform.grants('password')[0]!.form.get('scope')!.split(' ');
      expect(asked).toEqual(plainCustomer().map(storeForm));
    });

    it.each<[string, (asked: string) => string]>([
      ['a plain answer (an API client holding the plain scopes)', () => plainCustomer().join(' ')],
      ['a Store answer', (asked) => asked],
      [
        'an answer with both forms',
        (asked) => `${asked} manage_my_orders:${P} manage_my_profile:${P} manage_my_shopping_lists:${P}`,
      ],
    ])('should accept %s and keep what was granted', async (_name, scope) => {
      const { platform, issuer } = setup();
      answerInStore(platform, scope);
      const token = await issuer.customer(alice);
      const granted = scope(plainCustomer().map(storeForm).join(' ')).split(' ');
      expect([...token.scopes].sort()).toEqual([...granted].sort());
      expect(token).toMatchObject({ kind: 'customer', customerId: 'customer-alice', storeKey: 'eu' });
    });

    it('should refuse an answer missing a capability in both forms with a CtpScopeError naming it', async () => {
      const { platform, issuer } = setup();
      answerInStore(platform, () =>
        plainCustomer()
          .filter((s) => !s.startsWith('manage_my_profile:'))
          .join(' '),
      );
      const error = (await issuer.customer(alice).catch((e: unknown) => e)) as CtpScopeError;
      expect(error).toBeInstanceOf(CtpScopeError);
      expect(error.code).toBe(CtpErrorCode.ScopeMissing);
      expect(error.missing).toEqual([`manage_my_profile:${P}:eu`]);
      expect(error.storeKey).toBe('eu');
      expect(error.message).toContain(`manage_my_profile:${P}:eu`);
      expect(error.message).toContain('plain or its Store form');
    });

    it("should refuse another Store's form as excess", async () => {
      const { platform, issuer } = setup();
      answerInStore(platform, (asked) => asked.replace(`manage_my_orders:${P}:eu`, `manage_my_orders:${P}:us`));
      const error = (await issuer.customer(alice).catch((e: unknown) => e)) as CtpScopeError;
      expect(error.missing).toEqual([`manage_my_orders:${P}:eu`]);
      expect(error.excess).toEqual([`manage_my_orders:${P}:us`]);
    });

    it('should refresh a plain-answered session whose refresh answers the Store forms, and the reverse', async () => {
      const { platform, issuer } = setup();
      answerInStore(platform, () => plainCustomer().join(' '));
      let refreshScope = plainCustomer().map(storeForm).join(' ');
      platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? json({
              access_token: 'refreshed-access',
              token_type: 'Bearer',
              expires_in: 3600,
              scope: `${refreshScope} customer_id:customer-alice`,
            })
          : undefined,
      );
      const token = await issuer.customer(alice);
      const refreshed = await issuer.refresh(token);
      expect(refreshed).toMatchObject({
        accessToken: 'refreshed-access',
        refreshToken: 'in-store-refresh-1',
        storeKey: 'eu',
      });
      refreshScope = plainCustomer().join(' ');
      await expect(issuer.refresh(refreshed)).resolves.toMatchObject({ accessToken: 'refreshed-access' });
      // A capability lost on refresh is still refused.
      refreshScope = plainCustomer()
        .filter((s) => !s.startsWith('manage_my_orders:'))
        .join(' ');
      await expect(issuer.refresh(refreshed)).rejects.toMatchObject({
        code: CtpErrorCode.ScopeMissing,
        missing: [`manage_my_orders:${P}:eu`],
      });
    });

    it('should check a session stored under an unknown fingerprint against either form', async () => {
      const { platform, issuer } = setup();
      answerInStore(platform, () => plainCustomer().join(' '));
      const token = await issuer.customer(alice);
      // As read back by a process that does not know the list: the fingerprint of the Store forms.
      const stored = { ...token, scopes: [], scopesFingerprint: scopeFingerprint(plainCustomer().map(storeForm)) };
      platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? json({
              access_token: 'refreshed-2',
              token_type: 'Bearer',
              expires_in: 3600,
              scope: `${plainCustomer().join(' ')} customer_id:customer-alice`,
            })
          : undefined,
      );
      await expect(issuer.refresh(stored)).resolves.toMatchObject({ accessToken: 'refreshed-2' });
      await expect(
        issuer.refresh({ ...stored, scopesFingerprint: scopeFingerprint([`view_products:${P}`]) }),
      ).rejects.toBeInstanceOf(CtpScopeError);
    });

    it('should accept a plain answer for an anonymous session of a Store', async () => {
      const { platform, issuer, registry } = setup();
      platform.on((call) =>
        call.path === `/oauth/${P}/anonymous/token`
          ? json({
              access_token: 'anon-access',
              token_type: 'Bearer',
              expires_in: 3600,
              scope: `${registry.scopes('anonymous').join(' ')} anonymous_id:anon-1`,
              refresh_token: 'anon-refresh-1',
            })
          : undefined,
      );
      const token = await issuer.anonymous(undefined, 'eu');
      expect(platform.grants('anonymous')[0]!.form.get('scope')).toContain(`manage_my_orders:${P}:eu`);
      expect(token.scopes).toEqual(registry.scopes('anonymous'));
    });
  });
});
