import { describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpTokenResponseError } from '../../../src/errors/CtpTokenResponseError';
import { json } from '../../support/FakePlatform';
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
        const token = kind === 'customer'
          ? await issuer.customer({ email: 'alice@example.com', password: 'alice-Passw0rd!' })
          : await issuer.anonymous();
        const scope = registry.scopes(kind).join(' ');
        platform.on((call) => (call.form.get('grant_type') === 'refresh_token' ? json({ access_token: 'forged-access-1', token_type: 'Bearer', expires_in: 3600, scope: `${scope} ${identity}` }) : undefined));
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
        platform.on((call) => (call.form.get('grant_type') === 'refresh_token' ? json({ access_token: 'fresh-access-2', token_type: 'Bearer', expires_in: 3600, scope: registry.scopes('customer').join(' ') }) : undefined));
        const without = await issuer.refresh(token);
        expect(without).toMatchObject({ customerId: 'customer-alice', accessToken: 'fresh-access-2', refreshToken: token.refreshToken });
      });
    });
  });
});
