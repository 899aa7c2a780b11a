import { describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../../src/errors/CtpInvalidCredentialsError';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { basicAuthorization } from '../../../src/auth/basicAuthorization';
import { ALICE, AUTH_URL, CLIENT_ID, CLIENT_SECRET, PROJECT, json, oauthError } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

function expectFormPost(call: { method: string; headers: Record<string, string> } | undefined) {
  expect(call?.method).toBe('POST');
  expect(call?.headers['authorization']).toBe(BASIC);
  expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(call?.headers['accept']).toBe('application/json');
}

describe('OAuthClient', () => {
  describe('.clientCredentials', () => {
    it('should post grant_type and scope to /oauth/token with Basic auth', async () => {
      const { platform, oauth } = createTestServices();
      const answer = await oauth.clientCredentials(`view_products:${PROJECT} manage_orders:${PROJECT}`);
      const call = platform.calls[0];
      expect(call?.url).toBe(`${AUTH_URL}/oauth/token`);
      expectFormPost(call);
      expect([...call!.form.keys()]).toEqual(['scope', 'grant_type']);
      expect(call?.form.get('grant_type')).toBe('client_credentials');
      expect(call?.form.get('scope')).toBe(`view_products:${PROJECT} manage_orders:${PROJECT}`);
      expect(answer.tokenType).toBe('bearer');
      expect(answer.expiresIn).toBe(3600);
    });
  });

  describe('.password', () => {
    it('should post to the project customers endpoint with encoded username, password and scope', async () => {
      const { platform, oauth } = createTestServices(
        {},
        { customers: [ALICE, { id: 'c-2', email: 'a+b&c@example.com', password: 'p&=ss word%' }] },
      );
      const answer = await oauth.password(
        { email: 'a+b&c@example.com', password: 'p&=ss word%' },
        `manage_my_orders:${PROJECT}`,
      );
      const call = platform.calls[0];
      expect(call?.url).toBe(`${AUTH_URL}/oauth/${PROJECT}/customers/token`);
      expectFormPost(call);
      expect(call?.body).toContain('username=a%2Bb%26c%40example.com');
      expect(call?.form.get('password')).toBe('p&=ss word%');
      expect(call?.form.get('grant_type')).toBe('password');
      expect(call?.form.get('scope')).toBe(`manage_my_orders:${PROJECT}`);
      expect(answer.refreshToken).toMatch(new RegExp(`^${PROJECT}:`));
      expect(answer.scope).toContain('customer_id:c-2');
    });

    it('should use the in-store endpoint when a store key is given', async () => {
      const { platform, oauth } = createTestServices();
      await oauth.password(
        { email: 'alice@example.com', password: 'alice-Passw0rd!', storeKey: 'store-1' },
        `manage_my_orders:${PROJECT}:store-1`,
      );
      expect(platform.calls[0]?.url).toBe(`${AUTH_URL}/oauth/${PROJECT}/in-store/key=store-1/customers/token`);
      expect(platform.calls[0]?.form.get('scope')).toBe(`manage_my_orders:${PROJECT}:store-1`);
    });

    it('should turn invalid_customer_account_credentials into CtpInvalidCredentialsError without the password', async () => {
      const { oauth } = createTestServices();
      const error = await oauth
        .password({ email: 'alice@example.com', password: 'wrong-password-123' }, `manage_my_orders:${PROJECT}`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpInvalidCredentialsError);
      expect((error as CtpInvalidCredentialsError).code).toBe(CtpErrorCode.InvalidCredentials);
      expect(String(error)).not.toContain('wrong-password-123');
    });
  });

  describe('.anonymous', () => {
    it('should post client_credentials with scope and an encoded anonymous_id to the anonymous endpoint', async () => {
      const { platform, oauth } = createTestServices();
      const answer = await oauth.anonymous(`manage_my_orders:${PROJECT}`, 'anon id/1');
      const call = platform.calls[0];
      expect(call?.url).toBe(`${AUTH_URL}/oauth/${PROJECT}/anonymous/token`);
      expectFormPost(call);
      expect(call?.body).toContain('anonymous_id=anon+id%2F1');
      expect(call?.form.get('grant_type')).toBe('client_credentials');
      expect(answer.scope).toContain('anonymous_id:anon id/1');
    });

    it('should leave anonymous_id out when none is given', async () => {
      const { platform, oauth } = createTestServices();
      await oauth.anonymous(`manage_my_orders:${PROJECT}`);
      expect(platform.calls[0]?.form.has('anonymous_id')).toBe(false);
    });
  });

  describe('.refresh', () => {
    it('should post grant_type=refresh_token and the refresh token', async () => {
      const { platform, oauth } = createTestServices();
      const first = await oauth.anonymous(`manage_my_orders:${PROJECT}`);
      await oauth.refresh(first.refreshToken!);
      const call = platform.calls[1];
      expect(call?.url).toBe(`${AUTH_URL}/oauth/token`);
      expectFormPost(call);
      expect(call?.form.get('grant_type')).toBe('refresh_token');
      expect(call?.form.get('refresh_token')).toBe(first.refreshToken);
    });

    it('should raise an OAuth error naming invalid_grant, without the refresh token', async () => {
      const { oauth } = createTestServices();
      const error = await oauth.refresh('refresh-unknown-123456').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpOAuthError);
      expect((error as CtpOAuthError).error).toBe('invalid_grant');
      expect((error as CtpOAuthError).status).toBe(400);
      expect((error as CtpOAuthError).errorDescription).toContain('The refresh token was not found');
      // Server text lives only in the fields: the message is a fixed string.
      expect((error as CtpOAuthError).message).not.toContain('The refresh token was not found');
      expect((error as CtpOAuthError).message).not.toContain('invalid_grant');
      expect(JSON.stringify(error)).not.toContain('refresh-unknown-123456');
    });
  });

  describe('.revoke', () => {
    it('should post token and token_type_hint to /oauth/token/revoke', async () => {
      const { platform, oauth } = createTestServices();
      await oauth.revoke('some-access-token', 'access_token');
      const call = platform.calls[0];
      expect(call?.url).toBe(`${AUTH_URL}/oauth/token/revoke`);
      expectFormPost(call);
      expect(call?.form.get('token')).toBe('some-access-token');
      expect(call?.form.get('token_type_hint')).toBe('access_token');
    });
  });

  describe('.introspect', () => {
    it('should post the token and read active, scope and exp', async () => {
      const { platform, oauth } = createTestServices();
      platform.on((call) =>
        call.path === '/oauth/introspect'
          ? json({ active: true, scope: `view_products:${PROJECT}`, exp: 1234 })
          : undefined,
      );
      const result = await oauth.introspect('tok-123456');
      expect(platform.calls[0]?.url).toBe(`${AUTH_URL}/oauth/introspect`);
      expect(platform.calls[0]?.form.get('token')).toBe('tok-123456');
      expect(result).toEqual({ active: true, scope: `view_products:${PROJECT}`, exp: 1234 });
    });

    it('should refuse an answer without a boolean active', async () => {
      const { platform, oauth } = createTestServices();
      platform.on(() => json({ scope: 'x' }));
      await expect(oauth.introspect('tok-123456')).rejects.toMatchObject({
        code: CtpErrorCode.TokenResponseInvalid,
        field: 'active',
      });
    });
  });

  describe('when the server answers invalid_client', () => {
    it('should raise CTP_INVALID_CLIENT telling which settings to check, without the secret', async () => {
      const { platform, oauth } = createTestServices();
      platform.on(() => oauthError(401, 'invalid_client', `bad client ${CLIENT_SECRET}`));
      const error = (await oauth
        .clientCredentials(`view_products:${PROJECT}`)
        .catch((e: unknown) => e)) as CtpOAuthError;
      expect(error.code).toBe(CtpErrorCode.InvalidClient);
      expect(error.message).toContain('CTP_CLIENT_SECRET');
      expect(error.message).not.toContain(CLIENT_SECRET);
    });
  });

  describe('when the server answers invalid_scope', () => {
    it('should raise CTP_INVALID_SCOPE naming the requested scopes', async () => {
      const { platform, oauth } = createTestServices();
      platform.on(() => oauthError(400, 'invalid_scope', 'Malformed parameter: scope: Invalid scope.'));
      const error = (await oauth
        .clientCredentials(`manage_project:${PROJECT}`)
        .catch((e: unknown) => e)) as CtpOAuthError;
      expect(error.code).toBe(CtpErrorCode.InvalidScope);
      expect(error.message).toContain(`manage_project:${PROJECT}`);
    });
  });
});

describe('basicAuthorization', () => {
  it('should form-encode id and secret before base64 (RFC 6749 2.3.1)', () => {
    const header = basicAuthorization('id:1', 'se cr%et');
    expect(Buffer.from(header.replace('Basic ', ''), 'base64').toString()).toBe('id%3A1:se+cr%25et');
  });
});
