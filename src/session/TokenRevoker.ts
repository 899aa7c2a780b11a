import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import { CtpError } from '../errors/CtpError';
import type { Logger } from '../util/Logger';

type Kind = CtpAuthToken['kind'];

/**
 * Revokes the tokens a session obtained and does not keep: each pair not revoked stays live and
 * counts against the project's 10 M refresh tokens. A sign-out or refresh waits at most `waitMs`;
 * the rest goes on in the background (failures logged, never the token) until settled(). They live
 * in this process: if it exits first, those tokens stay valid until their expiry.
 */
export class TokenRevoker {
  readonly #running = new Set<Promise<void>>();
  /** Revocations waiting out their grace period, each with its timer. */
  readonly #later = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly oauth: Pick<OAuthClient, 'revoke'>,
    private readonly logger: Logger,
    private readonly waitMs: number,
  ) {}

  /**
   * Both tokens, the access token explicitly: the platform does not promise to cascade. Nothing for
   * an external session: its token is the identity provider's and its `refreshToken` a lineage id.
   */
  pair(token: CtpAuthToken, reason: string): Promise<void> {
    if (token.external === true) return Promise.resolve();
    const revoking = [
      this.#one(token.refreshToken, 'refresh_token', token.kind, reason),
      this.#one(token.accessToken, 'access_token', token.kind, reason),
    ];
    return this.within(Promise.all(revoking), token.kind, reason);
  }

  access(accessToken: string, kind: Kind, reason: string): Promise<void> {
    return this.within(this.#one(accessToken, 'access_token', kind, reason), kind, reason);
  }

  /** Tracks `work` until it settles, and waits for it at most waitMs; never rejects. */
  within(work: Promise<unknown>, kind: Kind, reason: string): Promise<void> {
    const tracked: Promise<void> = work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(
          { event: 'ctp.revoke.slow', kind, reason, waitMs: this.waitMs },
          'token revocation still running; continuing in the background',
        );
        resolve();
      }, this.waitMs);
      timer.unref?.();
    });
    return Promise.race([tracked, bound]).finally(() => clearTimeout(timer));
  }

  /**
   * Revokes an access token after `graceMs`, so calls in flight that still carry it (a token a
   * refresh replaced inside its renewal margin) do not turn into 401s. settled() starts them at once.
   */
  accessLater(accessToken: string, kind: Kind, reason: string, graceMs: number): void {
    const start = () => {
      clearTimeout(timer);
      this.#later.delete(timer);
      void this.access(accessToken, kind, reason);
    };
    const timer = setTimeout(start, graceMs);
    timer.unref?.();
    this.#later.set(timer, start);
  }

  /** Every revocation started so far has finished; those in their grace period are started now. */
  async settled(): Promise<void> {
    for (const start of [...this.#later.values()]) start();
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #one(token: string, hint: 'access_token' | 'refresh_token', kind: Kind, reason: string): Promise<void> {
    try {
      await this.oauth.revoke(token, hint);
    } catch (error) {
      const code = error instanceof CtpError ? error.code : 'UNKNOWN';
      this.logger.warn({ event: 'ctp.revoke.failed', kind, reason, hint, code }, 'token revocation failed');
    }
  }
}
