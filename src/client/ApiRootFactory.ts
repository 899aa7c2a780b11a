import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { FetchLike } from '../auth/AuthTransport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import type { CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { TokenSource } from '../tokens/TokenSource';
import { isValidCorrelationId, newCorrelationId } from '../util/correlationId';
import type { Logger } from '../util/Logger';
import { timerSleep, type Sleep } from '../util/sleep';
import { userAgent } from '../util/userAgent';
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

/** The platform's attribution header: an agent's calls are recorded as theirs. */
const EXTERNAL_USER_HEADER = 'X-External-User-ID';

/**
 * Default cap on one API answer, decompressed: 64 MiB. commercetools' largest legitimate answers (a
 * query page of 500 results with expanded references, a large GraphQL query) are a few MiB to a few
 * tens of MiB; 64 MiB leaves room for them while a hostile or broken answer (a gzip that inflates to
 * gigabytes) stops long before it can exhaust the process.
 */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * Highest cap the option accepts: the engines read an answer into one string, and V8 refuses a string
 * of more than about 512 MiB (sdk-client-v2 with no catch: the process would exit).
 */
export const MAX_API_ANSWER_BYTES = 256 * 1024 * 1024;

export interface ApiRootFactoryOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  /** Per attempt, until the whole answer is read: past it the request is aborted (its socket closed). */
  timeoutMs: number;
  /** Cap on every answer's decompressed body (default DEFAULT_MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  logger: Logger;
  /** Request builders kept for reuse, oldest dropped first. */
  cacheSize?: number;
  /** Default ts-client. */
  engine?: ApiEngineName;
  /** Resends of safe requests (default DEFAULT_RETRY_POLICY). */
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
  /** Sent as User-Agent (default `ctp-client/<version> node/<version>`). */
  userAgent?: string;
  /** The app's own middlewares for the selected engine, between auth and HTTP. */
  middlewares?: readonly EngineMiddleware[];
  /** Told of every resend and 401 recovery (telemetry). */
  onRetry?: (call: ApiCall) => void;
  onRecovery?: (call: ApiCall) => void;
  /** One INTERNAL span per call when set. */
  telemetry?: CtpTelemetry;
}

/**
 * The platform SDK's request builder for a token source, on the selected engine's own createClient:
 * its existing-token middleware with the source's token, the app's middlewares, its HTTP middleware on
 * the library's fetch (apiFetch). Builders are reused while the token and its source are unchanged.
 *
 * Each call is an ApiCall, made where the builder hands the request to the client's execute(): its
 * correlation ID (the request's own when valid, else the context's, else a new one), User-Agent and
 * call tag go out on a new request object (the SDK's is never changed), its deadline, signal and
 * retry opt-in come from the call context, and any failure rejects as a CtpApiError. The library's
 * step wraps execute() and the fetch rather than being an SDK middleware: the two engines' middlewares
 * have different shapes and ways to fail, and neither can hand fetch a signal; execute() and the
 * fetch option are the same public API on both.
 */
export class ApiRootFactory {
  readonly #o: ApiRootFactoryOptions;
  readonly #builders = new Map<string, { key: object; builder: ByProjectKeyRequestBuilder }>();
  readonly #cacheSize: number;
  readonly #calls = new Map<string, ApiCall>();
  #lastCallId = 0;
  /** What ends each attempt and backoff wait in flight, for close(). */
  readonly #inFlight = new Set<(reason: unknown) => void>();
  readonly #newClient: EngineClientFactory;
  readonly #fetch: FetchLike;
  readonly #userAgent: string;
  readonly #maxAnswerBytes: number;

  constructor(options: ApiRootFactoryOptions) {
    this.#o = options;
    this.#cacheSize = options.cacheSize ?? 1_000;
    this.#newClient = engineClientFactory(options.engine ?? 'ts-client');
    this.#userAgent = options.userAgent ?? userAgent();
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#fetch = apiFetch({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      maxAnswerBytes: this.#maxAnswerBytes,
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      sleep: options.sleep ?? timerSleep,
      random: options.random ?? Math.random,
      logger: options.logger,
      callOf: (tag) => (tag === null ? undefined : this.#calls.get(tag)),
      onClose: (abort) => {
        this.#inFlight.add(abort);
        return () => this.#inFlight.delete(abort);
      },
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.onRecovery ? { onRecovery: options.onRecovery } : {}),
    });
  }

  /** Aborts the API calls in flight (releasing their sockets) and their backoff waits; later calls run as usual. */
  close(): void {
    const reason = new DOMException('ctp-client was closed while this API call was in flight.', 'AbortError');
    const inFlight = [...this.#inFlight];
    this.#inFlight.clear();
    for (const abort of inFlight) abort(reason);
  }

  forSource(source: TokenSource): ByProjectKeyRequestBuilder {
    const cached = this.#builders.get(source.accessToken);
    // Shared only with calls of the same source: a builder recovers through the source it was made from.
    if (cached?.key === source.key) return cached.builder;
    const builder = this.#build(source, undefined);
    setBounded(this.#builders, source.accessToken, { key: source.key, builder }, this.#cacheSize);
    return builder;
  }

  /**
   * A builder for a customer service agent: every call also carries `X-External-User-ID: agentId`
   * (the platform records it as createdBy/lastModifiedBy.externalUserId). Never cached, so no plain
   * builder ever sends an agent's id. `agentId` must be checked by the caller (a header value).
   */
  forAgent(source: TokenSource, agentId: string): ByProjectKeyRequestBuilder {
    return this.#build(source, agentId);
  }

  #build(source: TokenSource, agentId: string | undefined): ByProjectKeyRequestBuilder {
    const client = this.#newClient({
      host: this.#o.apiUrl,
      authorization: `Bearer ${source.accessToken}`,
      fetch: this.#fetch,
      middlewares: this.#o.middlewares ?? [],
    });
    return createApiBuilderFromCtpClient({
      execute: (request: EngineRequest) => this.#execute(client, request, source, agentId),
    }).withProjectKey({ projectKey: this.#o.projectKey });
  }

  #execute(client: EngineClient, request: EngineRequest, source: TokenSource, agentId?: string): Promise<unknown> {
    const context = currentApiCallContext();
    // The request's headers with one spelling of each name, the last one given (the SDK sets
    // Content-Type, a caller may set content-type after it): two spellings would reach the server
    // joined into one value. User-Agent and the correlation ID are ours.
    const headers: Record<string, unknown> = {};
    const spelling = new Map<string, string>();
    let given: unknown;
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === 'x-correlation-id') given = value;
      if (lower === 'x-correlation-id' || lower === 'user-agent' || lower === CALL_HEADER) continue;
      if (agentId !== undefined && lower === EXTERNAL_USER_HEADER.toLowerCase()) continue;
      const before = spelling.get(lower);
      if (before !== undefined) delete headers[before];
      spelling.set(lower, name);
      headers[name] = value;
    }
    // An invalid ID is replaced, not forwarded: the platform would refuse the request.
    const correlationId = isValidCorrelationId(given) ? given : (context?.correlationId ?? newCorrelationId());
    const uriTemplate = request.uriTemplate ?? '(no template)';
    const retryable = context?.retryNonIdempotent === true || isIdempotent(request.method, uriTemplate, request.body);
    const call = new ApiCall(
      request.method,
      uriTemplate,
      correlationId,
      source,
      context?.deadline,
      context?.signal,
      retryable,
    );
    const id = String((this.#lastCallId += 1));
    const sent: EngineRequest = {
      ...request,
      headers: {
        ...headers,
        'User-Agent': this.#userAgent,
        'X-Correlation-ID': correlationId,
        [CALL_HEADER]: id,
        ...(agentId === undefined ? {} : { [EXTERNAL_USER_HEADER]: agentId }),
      },
    };
    const run = async (): Promise<unknown> => {
      this.#calls.set(id, call);
      try {
        return await client.execute(sent);
      } catch (error) {
        throw apiErrorOf(error, call, this.#maxAnswerBytes);
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
