import type { SharedToken } from '../auth/CtpAuthToken';
import { isExpired, needsRenewal } from '../auth/renewal';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { localCoordinator, type SharedTokenId, type TokenCoordinator } from './TokenCoordinator';
import { scopeDifference } from '../scopes/scopeDifference';
import type { TokenSource } from './TokenSource';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';

export interface SharedTokenProviderOptions {
  /** Who the token is for; the fleet shares it only with instances of the same id. */
  id: SharedTokenId;
  /** The scopes this instance asks for (the registry's set): a cached token must hold exactly these. */
  scopes: readonly string[];
  grant: () => Promise<SharedToken>;
  clock: Clock;
  logger: Logger;
  coordinator?: TokenCoordinator;
}

/**
 * One process-wide token (integration, guest...), renewed in its margin with one grant in flight; while a
 * renewal fails transiently, the valid held token serves (an auth-host hiccup costs no API call).
 */
export class SharedTokenProvider {
  #token: SharedToken | undefined;
  /** The last token the API refused: never taken back from the fleet's cache. */
  #refused: string | undefined;
  readonly #flight = new SingleFlight<'grant', SharedToken>();

  readonly name: SharedTokenId['name'];
  readonly #o: SharedTokenProviderOptions;
  readonly #coordinator: TokenCoordinator;

  constructor(options: SharedTokenProviderOptions) {
    this.name = options.id.name;
    this.#o = options;
    this.#coordinator = options.coordinator ?? localCoordinator;
  }

  async get(): Promise<SharedToken> {
    const held = this.#token;
    if (held && !needsRenewal(held, this.#o.clock.now())) return held;
    try {
      return await this.#flight.run('grant', async () => {
        this.#token = await this.#coordinator.shared(this.#o.id, this.#o.grant, (t) => this.#isFresh(t));
        return this.#token;
      });
    } catch (error) {
      if (held && error instanceof CtpAuthUnavailableError && !isExpired(held, this.#o.clock.now())) {
        this.#o.logger.warn(
          { event: 'ctp.renewal.deferred', scopeSet: this.name, code: error.code },
          'token renewal failed; using the current token until it expires',
        );
        return held;
      }
      throw error;
    }
  }

  /** The current token as a source for request builders; a 401 renews through this provider only. */
  async source(): Promise<TokenSource> {
    const token = await this.get();
    return {
      owner: this.name,
      accessToken: token.accessToken,
      key: this,
      recover: async (stale) => {
        this.invalidate(stale);
        return (await this.get()).accessToken;
      },
    };
  }

  /** Drops the token if it is still `accessToken` (the API said 401), so the next get() grants anew. */
  invalidate(accessToken: string): void {
    this.#refused = accessToken;
    if (this.#token?.accessToken === accessToken) this.#token = undefined;
  }

  // A token from the fleet's cache only if this instance would have been granted it: exactly its
  // scopes, not the one the API just refused, not due for renewal.
  #isFresh(token: SharedToken): boolean {
    const { missing, excess } = scopeDifference(this.#o.scopes, token.scopes);
    const exact = missing.length === 0 && excess.length === 0;
    return exact && token.accessToken !== this.#refused && !needsRenewal(token, this.#o.clock.now());
  }
}
