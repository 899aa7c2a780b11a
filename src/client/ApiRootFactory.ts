import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { createAuthWithExistingToken, createClient, createHttpClient, type Client, type ClientRequest } from '@commercetools/sdk-client-v2';
import type { FetchLike } from '../auth/AuthTransport';
import type { TokenSource } from '../tokens/TokenSource';
import type { Logger } from '../util/Logger';
import { DeadlineSweeper } from './DeadlineSweeper';

export interface ApiRootFactoryOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  /** Per API call, until the answer's head: past it the request is aborted (its socket closed) and the call fails with statusCode 0. */
  timeoutMs: number;
  logger: Logger;
  /** Request builders kept for reuse, oldest dropped first. */
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
 * middleware (none of the SDK's grant middlewares), and reuses it while the token and its source are
 * unchanged (up to `cacheSize` builders).
 *
 * A 401 invalid_token is recovered once, through the token source the builder was made from (never
 * the session current when the call runs): the source renews its own lineage or fails, and the
 * request is sent again through a client built for that token, without a second recovery.
 */
export class ApiRootFactory {
  readonly #o: ApiRootFactoryOptions;
  readonly #cache = new Map<string, { key: object; builder: ByProjectKeyRequestBuilder }>();
  readonly #cacheSize: number;
  readonly #deadlines = new DeadlineSweeper();
  readonly #fetch: (input: string, init: RequestInit) => Promise<Response>;

  constructor(options: ApiRootFactoryOptions) {
    this.#o = options;
    this.#cacheSize = options.cacheSize ?? 1_000;
    this.#fetch = (input, init) => this.#deadlines.fetch(this.#o.fetch(), input, init, this.#o.timeoutMs);
  }

  /** Aborts the API calls in flight (releasing their sockets) and stops the deadline timer. */
  close(): void {
    this.#deadlines.close();
  }

  forSource(source: TokenSource): ByProjectKeyRequestBuilder {
    const cached = this.#cache.get(source.accessToken);
    // Shared only with calls of the same source: a builder recovers through the source it was made from.
    if (cached?.key === source.key) return cached.builder;
    const builder = createApiBuilderFromCtpClient(this.#client(source, source.accessToken, true)).withProjectKey({ projectKey: this.#o.projectKey });
    this.#cache.set(source.accessToken, { key: source.key, builder });
    // Oldest first out. Insertion order, not use order: a hit costs one lookup, and a session whose
    // builder was dropped only pays for building it again.
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return builder;
  }

  #client(source: TokenSource, accessToken: string, recoverable: boolean): Client {
    const client = createClient({
      middlewares: [
        createAuthWithExistingToken(`Bearer ${accessToken}`, { force: true }),
        createHttpClient({
          host: this.#o.apiUrl,
          fetch: this.#fetch,
          // The original request may carry a password (sign-up, password change) in its body.
          includeRequestInErrorResponse: false,
          maskSensitiveHeaderData: true,
        }),
      ],
    });
    if (!recoverable) return client;
    // Recovery wraps execute() rather than adding a middleware: one promise handler per call.
    return {
      ...client,
      execute: (request: ClientRequest) =>
        client.execute(request).catch((error: unknown) => {
          if (!isInvalidToken(error)) throw error;
          this.#o.logger.info({ event: 'ctp.api.invalid_token', owner: source.owner }, 'API answered 401 invalid_token; renewing the token once');
          return source.recover(accessToken).then((fresh) => this.#client(source, fresh, false).execute(request));
        }),
    };
  }
}
