import type { SharedToken } from '../auth/CtpAuthToken';
import { isExpired, needsRenewal } from '../auth/renewal';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { localCoordinator, type TokenCoordinator } from '../fleet/TokenCoordinator';
import type { TokenSource } from '../tokens/TokenSource';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';

/**
 * Holds one process-wide token (integration or guest) and renews it inside its renewal margin, with
 * one grant in flight however many callers wait. If a renewal fails transiently while the held token
 * is still valid, callers keep using it: an auth-host hiccup in the margin costs no API call.
 */
export class SharedTokenProvider {
  #token: SharedToken | undefined;
  /** The last token the API refused: never taken back from the fleet's cache. */
  #refused: string | undefined;
  readonly #flight = new SingleFlight<'grant', SharedToken>();
  #source: TokenSource | undefined;

  constructor(
    readonly name: 'integration' | 'guest',
    private readonly grant: () => Promise<SharedToken>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly coordinator: TokenCoordinator = localCoordinator,
  ) {}

  async get(): Promise<SharedToken> {
    const held = this.#token;
    if (held && !needsRenewal(held, this.clock.now())) return held;
    try {
      return await this.#renew();
    } catch (error) {
      if (held && error instanceof CtpAuthUnavailableError && !isExpired(held, this.clock.now())) {
        this.logger.warn({ event: 'ctp.renewal.deferred', scopeSet: this.name, code: error.code }, 'token renewal failed; using the current token until it expires');
        return held;
      }
      throw error;
    }
  }

  /** The current token as a source for request builders; a 401 renews through this provider only. */
  async source(): Promise<TokenSource> {
    const token = await this.get();
    if (this.#source?.accessToken !== token.accessToken) {
      this.#source = {
        owner: this.name,
        accessToken: token.accessToken,
        key: this,
        recover: async (stale) => {
          this.invalidate(stale);
          return (await this.get()).accessToken;
        },
      };
    }
    return this.#source;
  }

  /** Drops the token if it is still `accessToken` (the API said 401), so the next get() grants anew. */
  invalidate(accessToken: string): void {
    this.#refused = accessToken;
    if (this.#token?.accessToken === accessToken) this.#token = undefined;
  }

  #renew(): Promise<SharedToken> {
    return this.#flight.run('grant', async () => {
      const isFresh = (t: SharedToken) => t.accessToken !== this.#refused && !needsRenewal(t, this.clock.now());
      const token = await this.coordinator.shared(this.name, this.grant, isFresh);
      this.#token = token;
      return token;
    });
  }
}
