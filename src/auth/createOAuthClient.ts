import type { CtpConfig } from '../config/CtpConfig';
import { AuthTransport, type AuthTransportOptions } from './AuthTransport';
import { basicAuthorization } from './basicAuthorization';
import { OAuthClient } from './OAuthClient';

/**
 * The OAuth client for an API client's config: Basic auth from its id and secret, and the secret
 * (in both forms it travels in) redacted from every message on every flow.
 */
export function createOAuthClient(config: CtpConfig, transport: Omit<AuthTransportOptions, 'authUrl' | 'authorization'>): OAuthClient {
  const authorization = basicAuthorization(config.clientId, config.clientSecret);
  return new OAuthClient(new AuthTransport({ ...transport, authUrl: config.authUrl, authorization }), config.projectKey, [
    config.clientSecret,
    authorization.slice('Basic '.length),
  ]);
}
