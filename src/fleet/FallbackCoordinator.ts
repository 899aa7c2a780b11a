import { CtpRedisError } from '../errors/CtpRedisError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Logger } from '../util/Logger';
import { localCoordinator, type TokenCoordinator } from './TokenCoordinator';

/**
 * For apps that opted in: when Redis does not answer, coordinate per process instead (more grants,
 * still correct), and say so in the log.
 */
export class FallbackCoordinator implements TokenCoordinator {
  constructor(
    private readonly primary: TokenCoordinator,
    private readonly logger: Logger,
  ) {}

  shared: TokenCoordinator['shared'] = (id, grant, isFresh) => this.#try(() => this.primary.shared(id, grant, isFresh), () => localCoordinator.shared(id, grant, isFresh));
  refresh: TokenCoordinator['refresh'] = (token, refresh, isFresh) => this.#try(() => this.primary.refresh(token, refresh, isFresh), () => localCoordinator.refresh(token, refresh, isFresh));
  endSession: TokenCoordinator['endSession'] = (refreshToken) => this.#try(() => this.primary.endSession(refreshToken), async () => undefined);

  async #try<T>(primary: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      return await primary();
    } catch (error) {
      if (!(error instanceof CtpRedisError) || error.code !== CtpErrorCode.RedisUnavailable) throw error;
      this.logger.warn({ event: 'ctp.redis.fallback', code: error.code }, 'Redis unavailable: coordinating tokens in this process only');
      return local();
    }
  }
}
