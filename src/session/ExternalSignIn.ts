import { randomUUID } from 'node:crypto';
import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { EXTERNAL_REFRESH_FLOW } from '../auth/isRefreshRefused';
import { isExpired } from '../auth/renewal';
import { MAX_ID_LENGTH } from '../auth/storedTokenProblem';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { isAccessTokenSyntax, MAX_EXPIRES_IN_SECONDS } from '../auth/tokenSyntax';
import { CtpArgumentError } from '../errors/CtpArgumentError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import type { ScopeRegistry } from '../scopes/ScopeRegistry';
import { NO_TELEMETRY, type CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { sessionStore } from './account/sessionStore';
import type { CtpSession } from './CtpSession';
import type { CustomerSignIn } from './CustomerSignIn';
import type { ExternalRefresh } from './ExternalRefresh';
import type { Renewer } from './SessionRenewal';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';
import { setBounded } from '../util/setBounded';

/** The options of loginExternal(). */
export type ExternalLoginOptions = Parameters<CtpSession['loginExternal']>[1];

export interface ExternalSignInDeps {
  tokens: SessionTokens;
  storage: () => SessionStorage;
  signIn: Pick<CustomerSignIn, 'prepare' | 'mergeCart'>;
  /** The auth server's refresh for every other session, and the registry of the customer scope set. */
  issuer: Pick<TokenIssuer, 'refresh'> & { registry: Pick<ScopeRegistry, 'scopes'> };
  telemetry?: CtpTelemetry | undefined;
  clock: Clock;
  logger: Logger;
  /** The module's `externalAuth.refresh`: renews external sessions on every instance and request. */
  externalRefresh?: ExternalRefresh | undefined;
}

/** Refresh callbacks given to loginExternal, kept in this process; the oldest go first beyond this. */
const MAX_CALLBACKS = 10_000;

/**
 * Shoppers signed in at the app's identity provider (commercetools' External OAuth): the session
 * holds the provider's token, which commercetools checks at the app's introspection endpoint. It
 * claims the session like a sign-in, the anonymous cart moves by Merge Cart, and renewal goes through
 * SessionRenewal with the app's callback as its refresh. The provider's token is never revoked.
 */
export class ExternalSignIn {
  readonly #d: ExternalSignInDeps;
  /** loginExternal's own `refresh`, by lineage: it cannot be stored, so it serves this process only. */
  readonly #callbacks = new Map<string, ExternalRefresh>();

  constructor(deps: ExternalSignInDeps) {
    this.#d = deps;
  }

  login(token: string, options: ExternalLoginOptions): Promise<CtpAuthToken> {
    return (this.#d.telemetry ?? NO_TELEMETRY).span('ctp.session.login_external', {}, () =>
      this.#login(token, options),
    );
  }

  async #login(token: string, options: ExternalLoginOptions): Promise<CtpAuthToken> {
    const storage = this.#d.storage();
    const now = this.#d.clock.now();
    const { customerId, expiresAt, refresh } = checkLogin(token, options, now);
    const t = this.#d.tokens;
    const before = await t.door.read(storage);
    const storeKey = sessionStore(before, options.storeKey);
    if (before?.kind === 'anonymous') void this.#d.signIn.prepare();
    const lineage = `external:${randomUUID()}`;
    const fresh: CtpAuthToken = Object.freeze({
      kind: 'customer',
      external: true,
      accessToken: token,
      refreshToken: lineage,
      issuedAt: now,
      expiresAt,
      scopes: this.#d.issuer.registry.scopes('customer', storeKey),
      customerId,
      ...(storeKey === undefined ? {} : { storeKey }),
    });
    if (refresh) setBounded(this.#callbacks, lineage, refresh, MAX_CALLBACKS);
    try {
      const outcome = await t.claim(storage, before, fresh, {
        reason: 'login-external',
        fromAnonymous: (anonymous) =>
          anonymous.anonymousId === undefined
            ? Promise.resolve()
            : this.#d.signIn.mergeCart({
                customerId,
                anonymousId: anonymous.anonymousId,
                mergeMode: options.anonymousCartSignInMode ?? 'MergeWithExistingCustomerCart',
                storeKey,
              }),
      });
      // The same customer signed in meanwhile by another request: that session stays.
      if (outcome.token !== fresh) {
        this.#callbacks.delete(lineage);
        return outcome.token;
      }
      if (outcome.replaced !== undefined) this.forget(outcome.replaced);
      const merged = outcome.replaced?.kind === 'anonymous';
      this.#d.logger.info(
        { event: 'ctp.login_external', merged, store: storeKey !== undefined },
        'customer signed in at the identity provider',
      );
      return fresh;
    } catch (error) {
      this.#callbacks.delete(lineage);
      throw error;
    }
  }

  /** What SessionRenewal refreshes with: the app's callback for an external session, the auth server otherwise. */
  refresher(): Renewer {
    const { issuer } = this.#d;
    return {
      refresh: (token) => (token.external === true ? this.#refresh(token) : issuer.refresh(token)),
      renews: (token) => token.external !== true || this.#callbackOf(token) !== undefined,
    };
  }

  /** A lineage ended here (logout) has no use for its callback any more. */
  forget(token: CtpAuthToken): void {
    if (token.external === true) this.#callbacks.delete(token.refreshToken);
  }

  #callbackOf(token: CtpAuthToken): ExternalRefresh | undefined {
    return this.#callbacks.get(token.refreshToken) ?? this.#d.externalRefresh;
  }

  async #refresh(token: CtpAuthToken): Promise<CtpAuthToken> {
    const refresh = this.#callbackOf(token);
    if (refresh === undefined) {
      // Nothing renews it: it serves to its expiry (the same token, kept), then the session ends.
      if (!isExpired(token, this.#d.clock.now())) return token;
      throw ended('no refresh is registered (externalAuth.refresh) and the token expired');
    }
    const answer = await refresh({
      customerId: token.customerId!,
      token: token.accessToken,
      expiresAt: new Date(token.expiresAt),
      ...(token.storeKey === undefined ? {} : { storeKey: token.storeKey }),
    });
    if (answer === undefined || answer === null) {
      this.forget(token);
      throw ended('the identity provider ended the session');
    }
    const now = this.#d.clock.now();
    if (typeof answer !== 'object' || !isAccessTokenSyntax(answer.token))
      throw new CtpArgumentError(
        'refresh',
        "The external session's refresh answered no usable token: answer { token, expiresAt } (a bearer token) or undefined when the session ended.",
      );
    return Object.freeze({
      ...token,
      accessToken: answer.token,
      issuedAt: now,
      expiresAt: checkExpiry(answer.expiresAt, now, 'refresh'),
    });
  }
}

/** The app's refresh said the session ended: refused for good, as invalid_grant is for a refresh token. */
function ended(description: string): CtpOAuthError {
  return new CtpOAuthError(CtpErrorCode.SessionExpired, "The shopper's external session ended.", {
    error: 'invalid_grant',
    errorDescription: description,
    flow: EXTERNAL_REFRESH_FLOW,
  });
}

function checkLogin(
  token: unknown,
  options: ExternalLoginOptions | undefined,
  now: number,
): { customerId: string; expiresAt: number; refresh: ExternalRefresh | undefined } {
  if (!isAccessTokenSyntax(token))
    throw new CtpArgumentError(
      'token',
      "loginExternal needs the identity provider's access token as a bearer token (RFC 6750 characters, at most 4096); nothing was changed.",
    );
  const { customerId, expiresAt, refresh } = options ?? ({} as Partial<ExternalLoginOptions>);
  if (typeof customerId !== 'string' || customerId === '' || customerId.length > MAX_ID_LENGTH || /\s/.test(customerId))
    throw new CtpArgumentError(
      'customerId',
      "loginExternal needs the commercetools customer's id (customerId: the id the introspection answers as customer_id); nothing was changed.",
    );
  if (refresh !== undefined && typeof refresh !== 'function')
    throw new CtpArgumentError('refresh', "loginExternal's refresh must be a function; nothing was changed.");
  return { customerId, expiresAt: checkExpiry(expiresAt, now, 'expiresAt'), refresh };
}

/** A Date in the future, at most a year ahead (the bound every token lifetime has), in epoch ms. */
function checkExpiry(expiresAt: unknown, now: number, argument: string): number {
  const at = expiresAt instanceof Date ? expiresAt.getTime() : Number.NaN;
  if (!Number.isFinite(at) || at <= now || at - now > MAX_EXPIRES_IN_SECONDS * 1000)
    throw new CtpArgumentError(
      argument,
      `The external token's expiresAt must be a Date in the future (at most a year ahead), when the provider's token expires; nothing was changed.`,
    );
  return at;
}
