import { CtpTokenResponseError } from '../errors/CtpTokenResponseError';
import { NO_TELEMETRY, type CtpTelemetry } from '../telemetry/CtpTelemetry';
import { redact } from '../util/redact';
import { jsonRecord, oauthErrorFromResponse } from './oauthErrorFromResponse';
import type { AuthAnswer, AuthPost, AuthTransport } from './AuthTransport';
import { parseTokenResponse } from './parseTokenResponse';
import type { TokenFlow, TokenResponse } from './TokenResponse';

export interface PasswordCredentials {
  readonly email: string;
  readonly password: string;
  /** Signs in a customer of this Store (in-store endpoint). */
  readonly storeKey?: string | undefined;
}

export interface IntrospectionResult {
  readonly active: boolean;
  readonly scope?: string;
  /** As the server sends it; commercetools does not document the unit (seconds or ms). */
  readonly exp?: number;
}

/** Builds a form body with `grant_type` set last, so nothing in `params` can override it. */
function form(params: Record<string, string | undefined>, grantType?: string): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, value);
  if (grantType !== undefined) body.set('grant_type', grantType);
  return body;
}

/**
 * The commercetools OAuth endpoints, one method each: send through the transport, then check the
 * answer. Knows nothing of scope sets, sessions or caching.
 */
export class OAuthClient {
  /**
   * `clientSecrets`: the secret (and its Basic header form), redacted from every message whatever the
   * flow. `telemetry`: a span per grant (ctp.auth.grant, or ctp.auth.refresh) and its duration.
   */
  constructor(
    private readonly transport: AuthTransport,
    private readonly projectKey: string,
    private readonly clientSecrets: readonly string[] = [],
    private readonly telemetry: CtpTelemetry = NO_TELEMETRY,
  ) {}

  /** `text` with the client secret and `more` redacted: for server text kept after the answer was parsed. */
  redact(text: string, more: readonly (string | undefined)[] = []): string {
    return redact(text, [...more, ...this.clientSecrets]);
  }

  clientCredentials(scope: string): Promise<TokenResponse> {
    const params = form({ scope }, 'client_credentials');
    return this.#grant({ flow: 'client_credentials', path: '/oauth/token', params, secrets: [] }, scope, false);
  }

  password(credentials: PasswordCredentials, scope: string): Promise<TokenResponse> {
    const project = encodeURIComponent(this.projectKey);
    const path =
      credentials.storeKey === undefined
        ? `/oauth/${project}/customers/token`
        : `/oauth/${project}/in-store/key=${encodeURIComponent(credentials.storeKey)}/customers/token`;
    const params = form({ username: credentials.email, password: credentials.password, scope }, 'password');
    return this.#grant({ flow: 'password', path, params, secrets: [credentials.password] }, scope, true);
  }

  /** An anonymous session; `anonymousId` must be one never used before. */
  anonymous(scope: string, anonymousId?: string): Promise<TokenResponse> {
    const path = `/oauth/${encodeURIComponent(this.projectKey)}/anonymous/token`;
    const params = form({ scope, anonymous_id: anonymousId }, 'client_credentials');
    return this.#grant({ flow: 'anonymous', path, params, secrets: [] }, scope, true);
  }

  /**
   * The answer carries no refresh token (commercetools does not rotate them). `heldTokens`: the session's
   * other tokens, which the auth host issued and so can echo: redacted like the refresh token.
   */
  refresh(refreshToken: string, heldTokens: readonly string[] = []): Promise<TokenResponse> {
    const params = form({ refresh_token: refreshToken }, 'refresh_token');
    const secrets = [refreshToken, ...heldTokens];
    return this.#grant({ flow: 'refresh_token', path: '/oauth/token', params, secrets }, undefined, false);
  }

  async revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
    await this.#post('revoke', '/oauth/token/revoke', form({ token, token_type_hint: hint }), token);
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const { response, text } = await this.#post('introspect', '/oauth/introspect', form({ token }), token);
    const record = jsonRecord(text);
    if (typeof record['active'] !== 'boolean') {
      throw new CtpTokenResponseError('active', 'The auth server\'s introspect answer has no boolean "active".', {
        status: response.status,
        response,
      });
    }
    return {
      active: record['active'],
      ...(typeof record['scope'] === 'string' ? { scope: record['scope'] } : {}),
      ...(typeof record['exp'] === 'number' ? { exp: record['exp'] } : {}),
    };
  }

  /** A post whose only check is the status: a non-2xx answer becomes a typed error. */
  async #post(flow: TokenFlow, path: string, params: URLSearchParams, token: string): Promise<AuthAnswer> {
    const secrets = [token, ...this.clientSecrets];
    const answer = await this.transport.post({ flow, path, params, secrets });
    if (!answer.response.ok) throw oauthErrorFromResponse(flow, answer, secrets);
    return answer;
  }

  #grant(grant: AuthPost, requestedScope: string | undefined, requireRefreshToken: boolean): Promise<TokenResponse> {
    const t = this.telemetry;
    const refresh = grant.flow === 'refresh_token';
    const { flow } = grant;
    const secrets = [...grant.secrets, ...this.clientSecrets];
    const send = async () =>
      parseTokenResponse(await this.transport.post({ ...grant, secrets }), {
        flow,
        secrets,
        requestedScope,
        requireRefreshToken,
      });
    return t.span(
      refresh ? 'ctp.auth.refresh' : 'ctp.auth.grant',
      { 'ctp.grant_type': flow },
      send,
      refresh ? t.refreshDuration : t.grantDuration,
    );
  }
}
