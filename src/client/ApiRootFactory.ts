import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { createAuthWithExistingToken, createClient, createHttpClient, type Client, type Middleware } from '@commercetools/sdk-client-v2';
import type { FetchLike } from '../auth/AuthTransport';
import type { Logger } from '../util/Logger';

/** Whose token an API root carries; each has its own way to recover from a 401. */
export type TokenOwner = 'integration' | 'guest' | 'customer';

/** Returns a fresh access token in the same owner's name, given the one the API refused. */
export type RecoverToken = (owner: TokenOwner, staleAccessToken: string) => Promise<string>;

export interface ApiRootFactoryOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  /** Per API call; the SDK aborts the request after it. */
  timeoutMs: number;
  recover: RecoverToken;
  logger: Logger;
  /** Request builders kept for reuse, least recently used dropped first. */
  cacheSize?: number;
}

interface SdkError {
  statusCode?: unknown;
  body?: { error?: unknown; errors?: { code?: unknown }[] };
}

function isInvalidToken(error: unknown): boolean {
  const e = error as SdkError | undefined;
  if (e?.statusCode !== 401) return false;
  const code = e.body?.error ?? e.body?.errors?.[0]?.code;
  // A 401 with no readable body is treated as an invalid token too: the platform answers 401 for nothing else.
  return code === undefined || code === 'invalid_token';
}

/**
 * Builds the platform SDK's request builder on sdk-client-v2's existing-token middleware and its HTTP
 * middleware (none of the SDK's grant middlewares), and reuses it while the token is unchanged.
 *
 * A 401 invalid_token is recovered once, in the caller's own name: the recover function gets a new
 * token for the same owner (never another), and the request is sent again through a client built for
 * that token, without a second recovery.
 */
export class ApiRootFactory {
  readonly #o: ApiRootFactoryOptions;
  readonly #cache = new Map<string, ByProjectKeyRequestBuilder>();
  readonly #cacheSize: number;

  constructor(options: ApiRootFactoryOptions) {
    this.#o = options;
    this.#cacheSize = options.cacheSize ?? 1_000;
  }

  forToken(owner: TokenOwner, accessToken: string): ByProjectKeyRequestBuilder {
    const key = `${owner} ${accessToken}`;
    const cached = this.#cache.get(key);
    if (cached) {
      // Re-insert to mark as recently used.
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const builder = createApiBuilderFromCtpClient(this.#client(owner, accessToken, true)).withProjectKey({ projectKey: this.#o.projectKey });
    this.#cache.set(key, builder);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return builder;
  }

  #client(owner: TokenOwner, accessToken: string, recoverable: boolean): Client {
    const middlewares: Middleware[] = [];
    if (recoverable) middlewares.push(this.#recoverMiddleware(owner, accessToken));
    middlewares.push(
      createAuthWithExistingToken(`Bearer ${accessToken}`, { force: true }),
      createHttpClient({
        host: this.#o.apiUrl,
        fetch: (input: string, init: RequestInit) => this.#o.fetch()(input, init),
        timeout: this.#o.timeoutMs,
        getAbortController: () => new AbortController(),
        // The original request may carry a password (sign-up, password change) in its body.
        includeRequestInErrorResponse: false,
        maskSensitiveHeaderData: true,
      }),
    );
    return createClient({ middlewares });
  }

  #recoverMiddleware(owner: TokenOwner, accessToken: string): Middleware {
    return (next) => (request, response) => {
      const reject = (error: unknown) => response.reject(error as Parameters<typeof response.reject>[0]);
      next(request, {
        ...response,
        reject: (error) => {
          if (!isInvalidToken(error)) {
            reject(error);
            return;
          }
          this.#o.logger.info({ event: 'ctp.api.invalid_token', owner }, 'API answered 401 invalid_token; renewing the token once');
          this.#o
            .recover(owner, accessToken)
            .then((fresh) => this.#client(owner, fresh, false).execute(request))
            .then(response.resolve, reject);
        },
      });
    };
  }
}
