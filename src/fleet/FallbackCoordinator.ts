import { CtpRedisError } from '../errors/CtpRedisError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Logger } from '../util/Logger';
import type { TokenCoordinator } from '../tokens/TokenCoordinator';

/**
 * For apps that opted in: when Redis does not answer, coordinate per process instead (more grants,
 * still correct), and say so in the log. Only while nothing was granted or refreshed yet: once the
 * primary called the grant or refresh, its outcome is the answer, so a failure of Redis after it
 * never makes a second grant or refresh (the first token would stay live and unstored).
 */
export class FallbackCoordinator implements TokenCoordinator {
  constructor(
    private readonly primary: TokenCoordinator,
    private readonly logger: Logger,
  ) {}

  shared: TokenCoordinator['shared'] = (id, grant, isFresh) =>
    this.#try(grant, (once) => this.primary.shared(id, once, isFresh));
  refresh: TokenCoordinator['refresh'] = (token, refresh, isFresh) =>
    this.#try(refresh, (once) => this.primary.refresh(token, once, isFresh));
  // Per process there is no other instance to tell.
  endLineage: TokenCoordinator['endLineage'] = (refreshToken, ttlMs) =>
    this.#try(
      async () => undefined,
      () => this.primary.endLineage(refreshToken, ttlMs),
    );

  /** `primary`, or else `produce` alone: per process, the local single flight in front is all the coordination. */
  async #try<P extends T, T>(produce: () => Promise<P>, primary: (once: () => Promise<P>) => Promise<T>): Promise<T> {
    let produced = false;
    const once = () => {
      produced = true;
      return produce();
    };
    try {
      return await primary(once);
    } catch (error) {
      if (produced || !(error instanceof CtpRedisError) || error.code !== CtpErrorCode.RedisUnavailable) throw error;
      this.logger.warn(
        { event: 'ctp.redis.fallback', code: error.code },
        'Redis unavailable: coordinating tokens in this process only',
      );
      return produce();
    }
  }
}
