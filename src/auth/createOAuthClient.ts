import type { CtpConfig } from '../config/CtpConfig';
import type { CtpTelemetry } from '../telemetry/CtpTelemetry';
import { AuthTransport, type AuthTransportOptions } from './AuthTransport';
import { basicAuthorization } from './basicAuthorization';
import { OAuthClient } from './OAuthClient';

/** The OAuth client for an API client's config: the secret and its Basic credentials redacted on every flow. */
export function createOAuthClient(
  config: CtpConfig,
  transport: Omit<AuthTransportOptions, 'authUrl' | 'authorization'>,
  telemetry?: CtpTelemetry,
): OAuthClient {
  const secret = config.clientSecret.reveal();
  const authorization = basicAuthorization(config.clientId, secret);
  return new OAuthClient(
    new AuthTransport({ ...transport, authUrl: config.authUrl, authorization }),
    config.projectKey,
    [secret, authorization.slice('Basic '.length)],
    telemetry,
  );
}
