import { createHash } from 'node:crypto';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';
import { setBounded } from '../util/setBounded';

/** Who an identity provider's token belongs to, as the app's `verify` says. */
export interface ExternalIdentity {
  /** The commercetools customer the token acts for (`customer_id:{id}` in the answer). */
  customerId: string;
  /** When the provider's token expires; the answer's `exp`. */
  expiresAt: Date;
  /** The provider's user id, for `createdBy.externalUserId` (`external_user_id:{id}` in the answer). */
  externalUserId?: string;
}

/** An RFC 7662 answer: active with its expiry and scope, or not active. */
export type IntrospectionAnswer = { active: true; exp: number; scope: string } | { active: false };

const INACTIVE: IntrospectionAnswer = Object.freeze({ active: false });
/** commercetools caches an answer at most an hour; so do we. */
const MAX_CACHE_MS = 3_600_000;
/** A bound on the cache, so a flood of distinct valid tokens cannot grow the heap without limit. */
const MAX_CACHED = 10_000;
/** A scope entry's value: no space (it separates entries), no control character, not empty. */
const ENTRY_VALUE = /^[^\s\p{Cc}]{1,256}$/u;

export interface TokenIntrospectorOptions {
  verify(token: string, signal: AbortSignal): Promise<ExternalIdentity | undefined | null>;
  /** The shopper scopes, rendered `name:projectKey`, space-separated. */
  scope: string;
  budgetMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * One verification in flight per token, answers cached until the token's expiry or an hour, tokens
 * kept only as SHA-256 hashes. Slower than the budget is `active: false`: the platform gives up at
 * 500 ms including latency, so a late `true` would be lost anyway.
 */
export class TokenIntrospector {
  readonly #cache = new Map<string, { answer: IntrospectionAnswer; until: number }>();
  readonly #flights = new SingleFlight<string, IntrospectionAnswer>();

  constructor(private readonly o: TokenIntrospectorOptions) {}

  introspect(token: string): Promise<IntrospectionAnswer> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > this.o.clock.now()) return Promise.resolve(cached.answer);
    this.#cache.delete(key);
    return this.#flights.run(key, () => this.#verify(token, key));
  }

  async #verify(token: string, key: string): Promise<IntrospectionAnswer> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.o.budgetMs);
    });
    try {
      const identity = await Promise.race([this.o.verify(token, controller.signal), late]);
      if (identity === 'late') {
        controller.abort(new DOMException('The introspection budget passed.', 'TimeoutError'));
        this.o.logger.warn(
          { event: 'ctp.introspection.slow', budgetMs: this.o.budgetMs },
          'verify() did not answer within the budget: answered active: false (raise budgetMs, at most 500 ms with latency, or make verify faster)',
        );
        return INACTIVE;
      }
      return this.#answer(identity, key);
    } catch (error) {
      // Only the error's name: a verifier's message may quote the token it refused.
      this.o.logger.warn(
        { event: 'ctp.introspection.verify-failed', error: error instanceof Error ? error.name : typeof error },
        'verify() threw: answered active: false',
      );
      return INACTIVE;
    } finally {
      clearTimeout(timer);
    }
  }

  #answer(identity: ExternalIdentity | undefined | null, key: string): IntrospectionAnswer {
    if (identity === undefined || identity === null) return INACTIVE;
    const { customerId, expiresAt, externalUserId } = identity;
    const expiry = expiresAt instanceof Date ? expiresAt.getTime() : Number.NaN;
    const valid =
      typeof customerId === 'string' &&
      ENTRY_VALUE.test(customerId) &&
      (externalUserId === undefined || (typeof externalUserId === 'string' && ENTRY_VALUE.test(externalUserId))) &&
      Number.isFinite(expiry);
    if (!valid) {
      this.o.logger.error(
        { event: 'ctp.introspection.invalid-identity' },
        'verify() answered an identity without a usable customerId, externalUserId or expiresAt (a Date): answered active: false',
      );
      return INACTIVE;
    }
    const now = this.o.clock.now();
    if (expiry <= now) return INACTIVE;
    const scope = [
      this.o.scope,
      `customer_id:${customerId}`,
      ...(externalUserId === undefined ? [] : [`external_user_id:${externalUserId}`]),
    ].join(' ');
    const answer: IntrospectionAnswer = { active: true, exp: Math.floor(expiry / 1000), scope };
    setBounded(this.#cache, key, { answer, until: Math.min(expiry, now + MAX_CACHE_MS) }, MAX_CACHED);
    return answer;
  }
}
