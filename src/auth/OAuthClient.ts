import { CtpTokenResponseError } from '../errors/CtpTokenResponseError';
import { NO_TELEMETRY, type CtpTelemetry } from '../telemetry/CtpTelemetry';
import { redact } from '../util/redact';
import { oauthErrorFromResponse } from './oauthErrorFromResponse';
import type { AuthPost, AuthTransport } from './AuthTransport';
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
  readonly #transport: AuthTransport;
  readonly #projectKey: string;
  readonly #clientSecrets: readonly string[];
  readonly #telemetry: CtpTelemetry;

  /**
   * `clientSecrets`: the secret (and its Basic header form), redacted from every message whatever the
   * flow. `telemetry`: a span per grant (ctp.auth.grant, or ctp.auth.refresh) and its duration.
   */
  constructor(
    transport: AuthTransport,
    projectKey: string,
    clientSecrets: readonly string[] = [],
    telemetry: CtpTelemetry = NO_TELEMETRY,
  ) {
    this.#transport = transport;
    this.#projectKey = projectKey;
    this.#clientSecrets = clientSecrets;
    this.#telemetry = telemetry;
  }

  /**
   * `text` with the client secret and `more` redacted: for server text a caller keeps after the
   * answer was parsed (the granted scopes an error lists).
   */
  redact(text: string, more: readonly (string | undefined)[] = []): string {
    return redact(text, [...more, ...this.#clientSecrets]);
  }

  clientCredentials(scope: string): Promise<TokenResponse> {
    return this.#grant(
      { flow: 'client_credentials', path: '/oauth/token', params: form({ scope }, 'client_credentials'), secrets: [] },
      scope,
      false,
    );
  }

  password(credentials: PasswordCredentials, scope: string): Promise<TokenResponse> {
    const project = encodeURIComponent(this.#projectKey);
    const path =
      credentials.storeKey === undefined
        ? `/oauth/${project}/customers/token`
        : `/oauth/${project}/in-store/key=${encodeURIComponent(credentials.storeKey)}/customers/token`;
    const params = form({ username: credentials.email, password: credentials.password, scope }, 'password');
    return this.#grant({ flow: 'password', path, params, secrets: [credentials.password] }, scope, true);
  }

  /** An anonymous session; `anonymousId` must be one never used before. */
  anonymous(scope: string, anonymousId?: string): Promise<TokenResponse> {
    const params = form({ scope, anonymous_id: anonymousId }, 'client_credentials');
    return this.#grant(
      {
        flow: 'anonymous',
        path: `/oauth/${encodeURIComponent(this.#projectKey)}/anonymous/token`,
        params,
        secrets: [],
      },
      scope,
      true,
    );
  }

  /**
   * commercetools does not rotate refresh tokens: the answer carries none, keep the one sent.
   * `heldTokens`: the session's other tokens (its access token). The auth host issued them and so
   * can echo them, although this request does not send them: they are redacted like the refresh token.
   */
  refresh(refreshToken: string, heldTokens: readonly string[] = []): Promise<TokenResponse> {
    const params = form({ refresh_token: refreshToken }, 'refresh_token');
    return this.#grant(
      { flow: 'refresh_token', path: '/oauth/token', params, secrets: [refreshToken, ...heldTokens] },
      undefined,
      false,
    );
  }

  async revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
    const secrets = [token, ...this.#clientSecrets];
    const answer = await this.#transport.post({
      flow: 'revoke',
      path: '/oauth/token/revoke',
      params: form({ token, token_type_hint: hint }),
      secrets,
    });
    if (!answer.response.ok)
      throw oauthErrorFromResponse('revoke', answer.response.status, answer.text, secrets, undefined, answer.response);
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const flow: TokenFlow = 'introspect';
    const secrets = [token, ...this.#clientSecrets];
    const answer = await this.#transport.post({ flow, path: '/oauth/introspect', params: form({ token }), secrets });
    const { response, text } = answer;
    if (!response.ok) throw oauthErrorFromResponse(flow, response.status, text, secrets, undefined, response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
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

  #grant(grant: AuthPost, requestedScope: string | undefined, requireRefreshToken: boolean): Promise<TokenResponse> {
    const t = this.#telemetry;
    const refresh = grant.flow === 'refresh_token';
    const send = () => this.#send(grant, requestedScope, requireRefreshToken);
    return t.span(
      refresh ? 'ctp.auth.refresh' : 'ctp.auth.grant',
      { 'ctp.grant_type': grant.flow },
      send,
      refresh ? t.refreshDuration : t.grantDuration,
    );
  }

  async #send(
    grant: AuthPost,
    requestedScope: string | undefined,
    requireRefreshToken: boolean,
  ): Promise<TokenResponse> {
    const request = { ...grant, secrets: [...grant.secrets, ...this.#clientSecrets] };
    const answer = await this.#transport.post(request);
    return parseTokenResponse(answer, {
      flow: request.flow,
      secrets: request.secrets,
      ...(requestedScope === undefined ? {} : { requestedScope }),
      requireRefreshToken,
    });
  }
}
