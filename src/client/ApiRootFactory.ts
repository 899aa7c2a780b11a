import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { FetchLike } from '../auth/AuthTransport';
import type { RetryPolicy } from '../auth/RetryPolicy';
import type { CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { TokenSource } from '../tokens/TokenSource';
import { isValidCorrelationId, newCorrelationId } from '../util/correlationId';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import { ApiCall } from './ApiCall';
import { currentApiCallContext } from '../util/apiCallContext';
import {
  engineClientFactory,
  type ApiEngineName,
  type EngineClient,
  type EngineClientFactory,
  type EngineMiddleware,
  type EngineRequest,
} from './ApiEngine';
import { apiErrorOf } from './apiErrorOf';
import { apiFetch, CALL_HEADER } from './apiFetch';
import { isIdempotent } from './isIdempotent';
import { lockedCartError } from './lockedCartError';
import { setBounded } from '../util/setBounded';

/** Default cap on one decompressed answer: above commercetools' largest (tens of MiB), far below a gzip bomb's GiB. */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Highest cap accepted: the engines read an answer into one string, and V8 refuses one over about 512 MiB. */
export const MAX_API_ANSWER_BYTES = 256 * 1024 * 1024;

/** What ApiRootFactory is given, its defaults resolved by resolveCtpOptions. */
export interface ApiRootFactoryOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  /** Per attempt, until the whole answer is read: past it the request is aborted (its socket closed). */
  timeoutMs: number;
  maxAnswerBytes: number;
  logger: Logger;
  /** Request builders kept for reuse, oldest dropped first (default 1,000). */
  cacheSize?: number;
  engine: ApiEngineName;
  retry: RetryPolicy;
  sleep: Sleep;
  random: () => number;
  userAgent: string;
  middlewares: readonly EngineMiddleware[];
  /** Told of every resend and 401 recovery (telemetry). */
  onRetry?: (call: ApiCall) => void;
  onRecovery?: (call: ApiCall) => void;
  /** One INTERNAL span per call when set. */
  telemetry?: CtpTelemetry;
}

/**
 * The SDK's request builder for a token source, on the engine's createClient with apiFetch. Each call is an
 * ApiCall made in execute() on a copy of the SDK's request, failing as a CtpApiError. Not an SDK middleware:
 * the engines' middlewares differ in shape and in how they fail, and neither can hand fetch a signal.
 */
export class ApiRootFactory {
  readonly #o: ApiRootFactoryOptions;
  readonly #builders = new Map<string, { key: object; builder: ByProjectKeyRequestBuilder }>();
  readonly #calls = new Map<string, ApiCall>();
  #lastCallId = 0;
  /** What ends each attempt and backoff wait in flight, for close(). */
  readonly #inFlight = new Set<(reason: unknown) => void>();
  readonly #newClient: EngineClientFactory;
  readonly #fetch: FetchLike;

  constructor(options: ApiRootFactoryOptions) {
    this.#o = options;
    this.#newClient = engineClientFactory(options.engine);
    this.#fetch = apiFetch({
      ...options,
      callOf: (tag) => (tag === null ? undefined : this.#calls.get(tag)),
      onClose: (abort) => {
        this.#inFlight.add(abort);
        return () => this.#inFlight.delete(abort);
      },
    });
  }

  /** Aborts the API calls in flight (releasing their sockets) and their backoff waits; later calls run as usual. */
  close(): void {
    const reason = new DOMException('ctp-client was closed while this API call was in flight.', 'AbortError');
    // Each call unregisters its own as it ends.
    for (const abort of [...this.#inFlight]) abort(reason);
  }

  forSource(source: TokenSource): ByProjectKeyRequestBuilder {
    const cached = this.#builders.get(source.accessToken);
    // Shared only with calls of the same source: a builder recovers through the source it was made from.
    if (cached?.key === source.key) return cached.builder;
    const builder = this.#build(source);
    setBounded(this.#builders, source.accessToken, { key: source.key, builder }, this.#o.cacheSize ?? 1_000);
    return builder;
  }

  /** A builder sending `X-External-User-ID: agentId` (checked by the caller); never cached, so no other sends it. */
  forAgent(source: TokenSource, agentId: string): ByProjectKeyRequestBuilder {
    return this.#build(source, agentId);
  }

  #build(source: TokenSource, agentId?: string): ByProjectKeyRequestBuilder {
    const client = this.#newClient({
      host: this.#o.apiUrl,
      authorization: `Bearer ${source.accessToken}`,
      fetch: this.#fetch,
      middlewares: this.#o.middlewares,
    });
    return createApiBuilderFromCtpClient({
      execute: (request: EngineRequest) => this.#execute(client, request, source, agentId),
    }).withProjectKey({ projectKey: this.#o.projectKey });
  }

  #execute(client: EngineClient, request: EngineRequest, source: TokenSource, agentId?: string): Promise<unknown> {
    const context = currentApiCallContext();
    // An invalid ID is replaced, not forwarded: the platform would refuse the request.
    const given = Object.entries(request.headers ?? {}).findLast(([name]) => name.toLowerCase() === 'x-correlation-id');
    const correlationId = isValidCorrelationId(given?.[1]) ? given[1] : (context?.correlationId ?? newCorrelationId());
    const { method, uriTemplate = '(no template)' } = request;
    const retryable = context?.retryNonIdempotent === true || isIdempotent(method, uriTemplate, request.body);
    const call = new ApiCall(method, uriTemplate, correlationId, source, context?.deadline, context?.signal, retryable);
    const id = String((this.#lastCallId += 1));
    const headers = lastSpellings({
      ...request.headers,
      'User-Agent': this.#o.userAgent,
      'X-Correlation-ID': correlationId,
      [CALL_HEADER]: id,
      ...(agentId === undefined ? {} : { 'X-External-User-ID': agentId }),
    });
    const sent: EngineRequest = { ...request, headers };
    const run = async (): Promise<unknown> => {
      this.#calls.set(id, call);
      try {
        return await client.execute(sent);
      } catch (error) {
        throw apiErrorOf(error, call, this.#o.maxAnswerBytes);
      } finally {
        this.#calls.delete(id);
      }
    };
    const result = this.#o.telemetry === undefined ? run() : this.#o.telemetry.apiCall(call, run);
    // A shopper's refused cart update: the cart is read back to tell a lock (undocumented refusal) from the rest.
    if (source.owner !== 'customer') return result;
    return result.catch((error: unknown) =>
      lockedCartError(error, sent, (read) => this.#execute(client, read, source, agentId)),
    );
  }
}

/** One spelling of each header name, the last given: two spellings would reach the server joined into one value. */
function lastSpellings(headers: Record<string, unknown>): Record<string, unknown> {
  const byName = new Map<string, [string, unknown]>();
  for (const [name, value] of Object.entries(headers)) {
    byName.delete(name.toLowerCase());
    byName.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(byName.values());
}
