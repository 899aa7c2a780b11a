import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpScopeError } from '../errors/CtpScopeError';
import { CtpTokenResponseError } from '../errors/CtpTokenResponseError';
import type { ScopeRegistry } from '../scopes/ScopeRegistry';
import type { ScopeSetName } from '../scopes/ScopeSetName';
import { scopeFingerprint } from '../scopes/scopeCatalog';
import { scopeDifference } from '../scopes/scopeDifference';
import { inStoreDifference, inStoreVariants } from '../scopes/inStoreScopes';
import { parseGrantedScope } from '../scopes/scopeString';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { CtpAuthToken, SharedToken } from './CtpAuthToken';
import type { OAuthClient, PasswordCredentials } from './OAuthClient';
import type { TokenFlow, TokenResponse } from './TokenResponse';

/**
 * Grants tokens for the registry's scope sets, asked explicitly and checked in the answer; stamps the expiry
 * from the injected clock and logs one event per grant (never a token).
 */
export class TokenIssuer {
  constructor(
    private readonly oauth: OAuthClient,
    /** Also what a session's stored form is decoded with (SessionDoor). */
    readonly registry: ScopeRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  integration(): Promise<SharedToken> {
    return this.#shared('integration');
  }

  /** The token for commercetools Checkout's session host: manage_sessions and nothing else. */
  checkout(): Promise<SharedToken> {
    return this.#shared('checkout');
  }

  /** The token customer service agents act through (actAsCustomer): never a customer's token. */
  customerService(): Promise<SharedToken> {
    return this.#shared('customerService');
  }

  /** One read-only anonymous token to share between browsing visitors and crawlers. */
  guest(): Promise<SharedToken> {
    return this.#shared('guest');
  }

  /** With a `storeKey`, an anonymous session of that Store (the Store's variants of the shopper scopes). */
  anonymous(anonymousId?: string, storeKey?: string): Promise<CtpAuthToken> {
    return this.#timed('anonymous', 'anonymous', async () => {
      const issuedAt = this.clock.now();
      const answer = await this.oauth.anonymous(this.registry.scopeParameter('anonymous', storeKey), anonymousId);
      return this.#sessionToken('anonymous', answer, issuedAt, undefined, storeKey);
    });
  }

  customer(credentials: PasswordCredentials): Promise<CtpAuthToken> {
    return this.#timed('customer', 'password', async () => {
      const issuedAt = this.clock.now();
      const answer = await this.oauth.password(
        credentials,
        this.registry.scopeParameter('customer', credentials.storeKey),
      );
      return this.#sessionToken('customer', answer, issuedAt, undefined, credentials.storeKey, [credentials.password]);
    });
  }

  /** Keeps the original refresh token, kind, identity and store: the refresh answer carries none of them. */
  refresh(token: CtpAuthToken): Promise<CtpAuthToken> {
    return this.#timed(token.kind, 'refresh_token', async () => {
      const issuedAt = this.clock.now();
      const answer = await this.oauth.refresh(token.refreshToken, [token.accessToken]);
      return this.#sessionToken(token.kind, answer, issuedAt, token, token.storeKey);
    });
  }

  #shared(set: 'integration' | 'checkout' | 'customerService' | 'guest'): Promise<SharedToken> {
    const guest = set === 'guest';
    return this.#timed(set, guest ? 'anonymous' : 'client_credentials', async () => {
      const issuedAt = this.clock.now();
      const scope = this.registry.scopeParameter(set);
      const answer = await (guest ? this.oauth.anonymous(scope) : this.oauth.clientCredentials(scope));
      const { scopes } = parseGrantedScope(answer.scope);
      const { missing, excess } = this.registry.difference(set, scopes);
      if (missing.length > 0 || excess.length > 0) throw this.#scopeError(set, missing, excess, [answer.accessToken]);
      return { accessToken: answer.accessToken, issuedAt, expiresAt: issuedAt + answer.expiresIn * 1000, scopes };
    });
  }

  // issuedAt is taken before the request: the lifetime then counts from the earliest moment it can have started.
  #sessionToken(
    kind: CtpAuthToken['kind'],
    answer: TokenResponse,
    issuedAt: number,
    previous: CtpAuthToken | undefined,
    storeKey: string | undefined,
    sent: readonly string[] = [],
  ): CtpAuthToken {
    const granted = parseGrantedScope(answer.scope);
    const secrets = [answer.accessToken, answer.refreshToken, previous?.accessToken, previous?.refreshToken, ...sent];
    const scopes = this.#checkedScopes(kind, granted.scopes, previous, storeKey, secrets);
    const customerId = granted.customerId ?? previous?.customerId;
    const anonymousId = granted.anonymousId ?? previous?.anonymousId;
    // A refresh answer naming another shopper (a confused auth host, a crossed proxy) must not change the owner.
    if (previous && (customerId !== previous.customerId || anonymousId !== previous.anonymousId))
      throw new CtpTokenResponseError(
        'scope',
        "The auth server's refresh answer names another customer or anonymous session than the one refreshed; nothing was stored and the session was kept as it was.",
        { code: CtpErrorCode.TokenIdentityMismatch },
      );
    if (kind === 'customer' && customerId === undefined)
      throw new CtpTokenResponseError(
        'scope',
        "The auth server's customer token has no customer_id in its scope; nothing was stored.",
      );
    if (kind === 'anonymous' && anonymousId === undefined)
      throw new CtpTokenResponseError(
        'scope',
        "The auth server's anonymous token has no anonymous_id in its scope; nothing was stored.",
      );
    // commercetools does not rotate refresh tokens: keep the original even if a server ever sent another.
    const refreshToken = previous?.refreshToken ?? answer.refreshToken;
    if (refreshToken === undefined)
      throw new CtpTokenResponseError(
        'refresh_token',
        'The auth server returned no refresh token for a new session; nothing was stored.',
      );
    return {
      kind,
      accessToken: answer.accessToken,
      refreshToken,
      issuedAt,
      expiresAt: issuedAt + answer.expiresIn * 1000,
      scopes,
      ...(customerId === undefined ? {} : { customerId }),
      ...(anonymousId === undefined ? {} : { anonymousId }),
      ...(storeKey === undefined ? {} : { storeKey }),
    };
  }

  /**
   * Checks the granted scopes (identity set apart) and returns what the token keeps (the registry's shared
   * array when it is its set). A refresh, which asks no scope, is checked against the original grant's
   * scopes: today's registry would fail every session after a deploy that changes a scope set. An in-store
   * token is checked per capability, plain or Store form (inStoreScopes), never for equality.
   */
  #checkedScopes(
    kind: CtpAuthToken['kind'],
    granted: readonly string[],
    previous: CtpAuthToken | undefined,
    storeKey: string | undefined,
    secrets: readonly (string | undefined)[],
  ): readonly string[] {
    const { projectKey } = this.registry;
    if (previous === undefined) {
      const { missing, excess } = this.registry.difference(kind, granted, storeKey);
      if (missing.length > 0 || excess.length > 0) throw this.#scopeError(kind, missing, excess, secrets, storeKey);
      return this.#kept(kind, granted, storeKey);
    }
    if (previous.scopesFingerprint !== undefined) {
      // Stored as the fingerprint of a list this process does not know: compare the granted list's (any in-store form).
      const candidates = storeKey === undefined ? [granted] : inStoreVariants(granted, projectKey, storeKey);
      if (!candidates.some((list) => scopeFingerprint(list) === previous.scopesFingerprint))
        throw this.#scopeError(kind, [], granted, secrets, storeKey);
    } else {
      const { missing, excess } =
        storeKey === undefined
          ? scopeDifference(previous.scopes, granted)
          : inStoreDifference(previous.scopes, granted, projectKey, storeKey);
      if (missing.length > 0 || excess.length > 0) throw this.#scopeError(kind, missing, excess, secrets, storeKey);
    }
    const outdated = this.registry.difference(kind, granted, storeKey);
    if (outdated.missing.length > 0 || outdated.excess.length > 0) {
      this.logger.info(
        { event: 'ctp.session.scopes_outdated', kind },
        'session keeps the scopes of its original grant until the shopper signs in again',
      );
    }
    return previous.scopesFingerprint === undefined && storeKey === undefined
      ? previous.scopes
      : this.#kept(kind, granted, storeKey);
  }

  #kept(kind: CtpAuthToken['kind'], granted: readonly string[], storeKey: string | undefined): readonly string[] {
    return this.registry.shared(kind, granted, storeKey) ?? Object.freeze([...granted]);
  }

  /** The excess scopes are the server's words, which may hold a token, the password or the client secret. */
  #scopeError(
    set: ScopeSetName,
    missing: readonly string[],
    excess: readonly string[],
    secrets: readonly (string | undefined)[],
    storeKey?: string,
  ): CtpScopeError {
    return new CtpScopeError(
      set,
      missing,
      excess.map((scope) => this.oauth.redact(scope, secrets)),
      storeKey,
    );
  }

  async #timed<T>(set: ScopeSetName, flow: TokenFlow, work: () => Promise<T>): Promise<T> {
    const started = this.clock.now();
    const event = flow === 'refresh_token' ? 'ctp.refresh' : 'ctp.grant';
    const fields = () => ({ flow, scopeSet: set, durationMs: this.clock.now() - started });
    try {
      const result = await work();
      this.logger.info({ event, ...fields(), outcome: 'ok' }, 'commercetools token granted');
      return result;
    } catch (error) {
      const code = error instanceof CtpError ? error.code : 'UNKNOWN';
      this.logger.warn(
        { event: `${event}.failed`, ...fields(), outcome: 'error', code },
        'commercetools token grant failed',
      );
      throw error;
    }
  }
}
