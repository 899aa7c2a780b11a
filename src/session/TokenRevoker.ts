import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import { CtpError } from '../errors/CtpError';
import type { Logger } from '../util/Logger';

export interface Revocation {
  token: string;
  hint: 'access_token' | 'refresh_token';
}

/**
 * Revokes the tokens a session obtained and does not keep. A sign-out or refresh waits for its
 * revocations at most `waitMs`; a sign-in starts them after answering. They go on in the
 * background after that, a failure is logged (never the token), and `settled()` waits for every one
 * still running (close(), tests). They live in this process: if it exits first they are lost, and
 * those tokens stay valid until their expiry.
 * Each token pair not revoked stays live and counts against the project's 10 M refresh tokens.
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
   * Both tokens of a pair: the access token explicitly, as the platform does not promise to cascade.
   * Nothing for an external session: its token is the identity provider's (the app revokes it there)
   * and its `refreshToken` a lineage id; neither is ever sent to commercetools.
   */
  pair(token: CtpAuthToken, reason: string): Promise<void> {
    if (token.external === true) return Promise.resolve();
    return this.revoke(
      [
        { token: token.refreshToken, hint: 'refresh_token' },
        { token: token.accessToken, hint: 'access_token' },
      ],
      token.kind,
      reason,
    );
  }

  access(accessToken: string, kind: CtpAuthToken['kind'], reason: string): Promise<void> {
    return this.revoke([{ token: accessToken, hint: 'access_token' }], kind, reason);
  }

  /** Resolves when all are done or after waitMs, whichever is first; never rejects. */
  revoke(revocations: readonly Revocation[], kind: CtpAuthToken['kind'], reason: string): Promise<void> {
    return this.within(Promise.all(revocations.map((r) => this.#one(r, kind, reason))), kind, reason);
  }

  /** Tracks `work` until it settles, and waits for it at most waitMs; never rejects. */
  within(work: Promise<unknown>, kind: CtpAuthToken['kind'], reason: string): Promise<void> {
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
   * Revokes an access token after `graceMs`: for one that calls in flight may still carry (a token a
   * refresh replaced inside its renewal margin), so they are not turned into 401s. settled() does
   * not wait out the grace: it starts such revocations at once.
   */
  accessLater(accessToken: string, kind: CtpAuthToken['kind'], reason: string, graceMs: number): void {
    const start = () => {
      clearTimeout(timer);
      this.#later.delete(timer);
      void this.access(accessToken, kind, reason);
    };
    const timer = setTimeout(start, graceMs);
    timer.unref?.();
    this.#later.set(timer, start);
  }

  /** Every revocation started so far has finished (succeeded or logged); those in their grace period are started now. */
  async settled(): Promise<void> {
    for (const start of [...this.#later.values()]) start();
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #one({ token, hint }: Revocation, kind: CtpAuthToken['kind'], reason: string): Promise<void> {
    try {
      await this.oauth.revoke(token, hint);
    } catch (error) {
      const code = error instanceof CtpError ? error.code : 'UNKNOWN';
      this.logger.warn({ event: 'ctp.revoke.failed', kind, reason, hint, code }, 'token revocation failed');
    }
  }
}
